import { ManifestErrorCode } from '../errors.ts';
import { HOST_RECORD_FIELDS } from '../host-records.ts';
import { escapePointerSegment } from '../pointer.ts';
import { type ManifestCheck, quoteList } from './context.ts';

/**
 * Each mapping must fill every required field of its host record, name only fields that record
 * has, and nest records through mappings of the right kind.
 */
export const checkMappings: ManifestCheck = ({ sections, raw, report }) => {
  const mappings = sections.mappings;
  if (!mappings) return;
  for (const [name, mapping] of Object.entries(mappings)) {
    const base = `/mappings/${escapePointerSegment(name)}`;
    const targetFields = HOST_RECORD_FIELDS[mapping.target];
    for (const [field, spec] of Object.entries(targetFields)) {
      if (spec.required && !(field in mapping.fields)) {
        report(
          ManifestErrorCode.MAPPING_INVALID,
          `${base}/fields`,
          `lacks '${field}', which every ${mapping.target} needs; add an expression for it`,
        );
      }
    }
    for (const [field, value] of Object.entries(mapping.fields)) {
      const pointer = `${base}/fields/${escapePointerSegment(field)}`;
      const spec = targetFields[field];
      if (!spec) {
        report(
          ManifestErrorCode.MAPPING_INVALID,
          pointer,
          `'${field}' is not a field of ${mapping.target}; use one of: ${quoteList(Object.keys(targetFields))}`,
        );
        continue;
      }
      if (!spec.nested) {
        if (typeof value !== 'string') {
          report(
            ManifestErrorCode.MAPPING_INVALID,
            pointer,
            `must be an expression string, not a nested mapping`,
          );
        }
        continue;
      }
      const { kind, many } = spec.nested;
      if (typeof value === 'string') {
        report(
          ManifestErrorCode.MAPPING_INVALID,
          pointer,
          many
            ? `holds ${kind} records: write { "each": "<expression>", "mapping": "<a ${kind} mapping>" }`
            : `holds a ${kind} record: write { "mapping": "<a ${kind} mapping>" }`,
        );
        continue;
      }
      if (many && value.each === undefined) {
        report(
          ManifestErrorCode.MAPPING_INVALID,
          `${pointer}/each`,
          `is required: an expression yielding the list of ${kind} sources`,
        );
      }
      if (!many && value.each !== undefined) {
        report(
          ManifestErrorCode.MAPPING_INVALID,
          `${pointer}/each`,
          `must be removed: ${field} is a single ${kind}`,
        );
      }
      // A mapping that is declared but itself invalid is absent from `mappings`; judge it by the
      // target it was written with, so its own mistakes do not cause a knock-on error here.
      const written = (raw.mappings ?? {}) as Record<string, { target?: unknown } | undefined>;
      const nestedTarget = mappings[value.mapping]?.target ?? written[value.mapping]?.target;
      const candidates = Object.entries(mappings)
        .filter(([, other]) => other.target === kind)
        .map(([other]) => other);
      if (nestedTarget !== kind) {
        report(
          ManifestErrorCode.REFERENCE_UNKNOWN,
          `${pointer}/mapping`,
          `names '${value.mapping}', which is not a ${kind} mapping; use one of: ${quoteList(candidates)}`,
        );
      }
    }
  }
};
