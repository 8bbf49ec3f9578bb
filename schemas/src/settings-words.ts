import type { ErrorObject } from 'ajv/dist/2020.js';
import { SettingsErrorCode, type SettingsIssue } from './errors.ts';
import { escapePointerSegment } from './pointer.ts';
import { FORMAT_WORDS, plural, TYPE_WORDS } from './value-words.ts';

/**
 * Ajv's own messages ("must be >= 5", "must NOT have fewer than 1 characters") are for schema
 * authors. A seller reads each settings problem as a sentence about the field, by its title and
 * in its unit: "Sync frequency must be at least 5 minutes" (issue 13). The validator compiles
 * with `verbose`, so each error carries the schema node it failed on (`parentSchema`).
 */

type Node = Record<string, unknown> & {
  title?: unknown;
  'x-ui'?: { suffix?: unknown; enumLabels?: unknown };
};

/** A unit a title names at its end: "Sync frequency (minutes)" → "minutes". */
const TITLE_UNIT = /\s*\(([^()]+)\)\s*$/;

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The field's name for people: its title without a trailing unit, else its key. */
export function fieldLabel(node: unknown, key: string | undefined): string | undefined {
  const title = isNode(node) && typeof node.title === 'string' ? node.title.replace(TITLE_UNIT, '') : '';
  return title || key || undefined;
}

function unitOf(node: Node | undefined): string {
  if (!node) return '';
  const named = typeof node.title === 'string' ? TITLE_UNIT.exec(node.title)?.[1] : undefined;
  const suffix = typeof node['x-ui']?.suffix === 'string' ? node['x-ui'].suffix : undefined;
  const unit = named ?? suffix;
  return unit ? ` ${unit}` : '';
}

/** The values a field allows, by their labels when the form shows labels. */
function choices(node: Node | undefined, values: readonly unknown[]): string {
  const labels = isNode(node?.['x-ui']?.enumLabels) ? node['x-ui'].enumLabels : {};
  return values
    .map((v) => {
      const key = typeof v === 'string' ? v : JSON.stringify(v);
      const label = labels[key];
      return typeof label === 'string' ? label : typeof v === 'string' ? v : JSON.stringify(v);
    })
    .join(', ');
}

/** The sentence's predicate for one failed keyword (`label` + this reads as a sentence). */
function predicate(error: ErrorObject, node: Node | undefined): string {
  const params = error.params as Record<string, unknown>;
  const limit = params.limit;
  const unit = unitOf(node);
  switch (error.keyword) {
    case 'type': {
      const types = String(params.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t);
      return `must be ${types.join(' or ')}`;
    }
    case 'minimum':
      return `must be at least ${String(limit)}${unit}`;
    case 'maximum':
      return `must be at most ${String(limit)}${unit}`;
    case 'exclusiveMinimum':
      return `must be more than ${String(limit)}${unit}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(limit)}${unit}`;
    case 'multipleOf':
      return `must be a multiple of ${String(params.multipleOf)}${unit}`;
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${plural(limit, 'character')} long`;
    case 'maxLength':
      return `must be at most ${plural(limit, 'character')} long`;
    case 'minItems':
      return `must have at least ${plural(limit, 'item')}`;
    case 'maxItems':
      return `must have at most ${plural(limit, 'item')}`;
    case 'uniqueItems':
      return 'must not list the same item twice';
    case 'enum':
      return `must be one of ${choices(node, params.allowedValues as unknown[])}`;
    case 'const':
      return `must be ${choices(node, [params.allowedValue])}`;
    case 'format':
      return `must be ${FORMAT_WORDS[String(params.format)] ?? `in the ${String(params.format)} form`}`;
    case 'pattern':
      return 'is not in the expected form';
    case 'oneOf':
    case 'not':
      return 'is not one of the allowed forms';
    default:
      return 'is not valid';
  }
}

const CODES: Record<string, SettingsErrorCode> = {
  type: SettingsErrorCode.INVALID_TYPE,
  minimum: SettingsErrorCode.OUT_OF_RANGE,
  maximum: SettingsErrorCode.OUT_OF_RANGE,
  exclusiveMinimum: SettingsErrorCode.OUT_OF_RANGE,
  exclusiveMaximum: SettingsErrorCode.OUT_OF_RANGE,
  minLength: SettingsErrorCode.OUT_OF_RANGE,
  maxLength: SettingsErrorCode.OUT_OF_RANGE,
  minItems: SettingsErrorCode.OUT_OF_RANGE,
  maxItems: SettingsErrorCode.OUT_OF_RANGE,
  multipleOf: SettingsErrorCode.OUT_OF_RANGE,
  enum: SettingsErrorCode.NOT_ALLOWED,
  const: SettingsErrorCode.NOT_ALLOWED,
  format: SettingsErrorCode.INVALID_FORMAT,
  pattern: SettingsErrorCode.INVALID_FORMAT,
};

const lastSegment = (pointer: string) => pointer.split('/').pop()?.replace(/~1/g, '/').replace(/~0/g, '~');

/** One Ajv error (compiled with `verbose`) as a located, coded issue in words, with its field's label. */
export function settingsIssueOf(error: ErrorObject): SettingsIssue {
  const params = error.params as Record<string, unknown>;
  const at = error.instancePath;
  const node = isNode(error.parentSchema) ? error.parentSchema : undefined;
  switch (error.keyword) {
    case 'required': {
      const key = String(params.missingProperty);
      const properties = isNode(node?.properties) ? node.properties : {};
      return {
        path: `${at}/${escapePointerSegment(key)}`,
        code: SettingsErrorCode.REQUIRED,
        message: 'is required',
        label: fieldLabel(properties[key], key),
      };
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty);
      return {
        path: `${at}/${escapePointerSegment(key)}`,
        code: SettingsErrorCode.UNKNOWN_FIELD,
        message: `'${key}' is not a setting of this plugin; remove it`,
      };
    }
    default:
      return {
        path: at,
        code: CODES[error.keyword] ?? SettingsErrorCode.INVALID,
        message: predicate(error, node),
        label: fieldLabel(node, lastSegment(at)),
      };
  }
}

/** The issues as one sentence a person reads: "Sync frequency must be at least 5 minutes." */
export function settingsIssuesSentence(issues: readonly SettingsIssue[]): string {
  const parts = issues.map((i) => (i.label ? `${i.label} ${i.message}` : i.message));
  const text = parts.join('; ');
  return text ? `${text.charAt(0).toUpperCase()}${text.slice(1)}.` : '';
}
