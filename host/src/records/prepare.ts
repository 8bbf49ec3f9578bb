import { createHash } from 'node:crypto';
import type { RecordInput } from '@mch/plugin-sdk';
import type { Issuance } from './issuance.ts';
import { type InvoiceDraft, RecordRefused, toInvoiceDraft } from './invoice-draft.ts';
import { type CompiledMappings, MappingError, type MappingVariables } from './mapping-engine.ts';

/** A record that mapped cleanly, ready for the database. */
export interface PreparedRecord {
  /** Position in the caller's list, so outcomes come back in order. */
  index: number;
  externalId: string;
  revision: string;
  /** SHA-256 of the record as received: tells a real change from a repeat with a new revision. */
  contentHash: string;
  draft: InvoiceDraft;
  /** Whether it may be invoiced now (issuance.ts); set by the import before its transaction. */
  issuance?: Issuance;
}

export type Preparation = { ok: true; record: PreparedRecord } | { ok: false; index: number; reason: string };

/**
 * Maps and checks one record outside any transaction (CPU only). A record the mapping cannot
 * turn into a correct invoice is refused with the reason; nothing of it is written.
 */
export async function prepareRecord(options: {
  index: number;
  record: RecordInput;
  mappingName: string;
  mappings: CompiledMappings;
  variables: MappingVariables;
}): Promise<Preparation> {
  const { index, record } = options;
  try {
    if (typeof record.externalId !== 'string' || record.externalId === '')
      throw new RecordRefused('externalId must be a non-empty string');
    if (record.externalId.length > 200) throw new RecordRefused('externalId is longer than 200 characters');
    const mapped = await options.mappings.map(options.mappingName, record.data, options.variables);
    const draft = toInvoiceDraft(mapped);
    if (draft.externalId !== record.externalId) {
      throw new RecordRefused(
        `the mapping gives externalId '${draft.externalId}' but the record was upserted as '${record.externalId}'`,
      );
    }
    const contentHash = createHash('sha256').update(JSON.stringify(record.data)).digest('hex');
    return {
      ok: true,
      record: {
        index,
        externalId: record.externalId,
        revision: String(record.revision).slice(0, 200),
        contentHash,
        draft,
      },
    };
  } catch (error) {
    if (error instanceof RecordRefused || error instanceof MappingError) {
      return { ok: false, index, reason: `record ${record.externalId} refused: ${error.message}` };
    }
    throw error;
  }
}
