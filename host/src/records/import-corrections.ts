import type { RecordInput, UpsertOutcome } from '@mch/plugin-sdk';
import type { SqlPool } from '../db/orm.ts';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import {
  type CorrectionKind,
  CorrectionError,
  type CorrectionLineRequest,
  type CorrectionScope,
} from '../invoicing/correction-document.ts';
import { CORRECTION_LABELS } from '../invoicing/correction-labels.ts';
import type { FrozenDocument } from '../invoicing/frozen-document.ts';
import { isDocumentLanguage } from '../invoicing/pdf-document.ts';
import { issueCorrection } from './correction-sql.ts';
import {
  type CompiledMappings,
  type MappedRecord,
  MappingError,
  mappingVariables,
} from './mapping-engine.ts';
import { SKIP_GROUP } from './skip-groups.ts';
import { inTransaction } from './sql.ts';

/**
 * Corrections read from the marketplace as records of their own — a manifest mapping with
 * `target: "correction"` (issue 14: WooCommerce's refunds list) — issued once per (invoice, key)
 * through the same code as `ctx.corrections.request`. A correction whose order has no invoice yet
 * waits in `waiting_corrections` and is issued with the invoice (`issueWaitingCorrections`).
 */

/** What a corrections import needs: the import's options (`ImportRecordsOptions`) it reads. */
export interface ImportCorrectionsOptions {
  db: { pool: Pick<SqlPool, 'connect' | 'query'> };
  tenantId: string;
  integrationId: string;
  pluginId: string;
  mappingName: string;
  mappings: CompiledMappings;
  settings: Readonly<Record<string, unknown>>;
  integration?: Readonly<Record<string, unknown>>;
  records: readonly RecordInput[];
}

const KINDS: readonly CorrectionKind[] = ['refund', 'return', 'cancellation'];

/** A correction as the mapping gave it, checked; the lines still named by ref, SKU or position. */
export interface CorrectionDraft {
  externalOrderId: string;
  key: string;
  kind: CorrectionKind;
  reason: string | null;
  lines: CorrectionLineDraft[];
  amount: string | null;
}

interface CorrectionLineDraft {
  ref?: string;
  sku?: string;
  position?: number;
  quantity?: string;
  amount?: string;
}

class Refused extends Error {}

function text(value: unknown, what: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new Refused(`${what} must be given, got ${JSON.stringify(value)}`);
}

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/** A money or quantity value as a positive decimal string; 0 and absent are "not given". */
function magnitude(value: unknown, what: string): string | undefined {
  if (!given(value)) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'boolean' || !Number.isFinite(n))
    throw new Refused(`${what} must be a number, got ${JSON.stringify(value)}`);
  if (n === 0) return undefined;
  // Marketplaces write refunds negative (WooCommerce: quantity -1, total "-12.30"): the size counts.
  const digits = typeof value === 'string' ? value.trim().replace(/^[-+]/, '') : String(Math.abs(n));
  return /e/i.test(digits) ? Math.abs(n).toFixed(3) : digits;
}

export function toCorrectionDraft(mapped: MappedRecord): CorrectionDraft {
  const kind = text(mapped.kind, 'kind').toLowerCase();
  if (!(KINDS as readonly string[]).includes(kind))
    throw new Refused(`kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(mapped.kind)}`);
  const rawLines = Array.isArray(mapped.lines) ? (mapped.lines as MappedRecord[]) : [];
  const lines = rawLines
    .map((raw, i): CorrectionLineDraft => {
      const what = `line ${i + 1}`;
      const position = given(raw.position) ? Number(raw.position) : undefined;
      if (position !== undefined && !(Number.isInteger(position) && position > 0))
        throw new Refused(
          `${what} position must be a whole number from 1, got ${JSON.stringify(raw.position)}`,
        );
      const line: CorrectionLineDraft = {
        ...(given(raw.ref) ? { ref: text(raw.ref, `${what} ref`) } : {}),
        ...(given(raw.sku) ? { sku: text(raw.sku, `${what} sku`) } : {}),
        ...(position !== undefined ? { position } : {}),
      };
      const quantity = magnitude(raw.quantity, `${what} quantity`);
      const amount = magnitude(raw.amount, `${what} amount`);
      if (quantity !== undefined) line.quantity = quantity;
      else if (amount !== undefined) line.amount = amount;
      return line;
    })
    // A line with neither units nor money back (WooCommerce lists every line of a refund) changes nothing.
    .filter((l) => l.quantity !== undefined || l.amount !== undefined);
  for (const [i, line] of lines.entries())
    if (line.ref === undefined && line.sku === undefined && line.position === undefined)
      throw new Refused(`line ${i + 1} names no invoice line; give its ref, sku or position`);
  return {
    externalOrderId: text(mapped.externalOrderId, 'externalOrderId'),
    key: text(mapped.key, 'key'),
    kind: kind as CorrectionKind,
    reason: given(mapped.reason) ? text(mapped.reason, 'reason') : null,
    lines,
    amount: magnitude(mapped.amount, 'amount') ?? null,
  };
}

/** The invoice's line a correction line names: by ref, else SKU, else position; exactly one. */
function positionOf(document: FrozenDocument, line: CorrectionLineDraft, index: number): number {
  const by = (what: string, found: FrozenDocument['lines']): number => {
    if (found.length === 1) return found[0]!.position;
    throw new CorrectionError(
      found.length === 0
        ? `Invoice ${document.number} has no line with ${what} (correction line ${index + 1}).`
        : `Invoice ${document.number} has ${found.length} lines with ${what}; name the line by its ref or position.`,
    );
  };
  if (line.ref !== undefined)
    return by(
      `ref ${line.ref}`,
      document.lines.filter((l) => l.ref === line.ref),
    );
  if (line.sku !== undefined)
    return by(
      `SKU ${line.sku}`,
      document.lines.filter((l) => l.sku === line.sku),
    );
  return line.position!;
}

function scopeOf(document: FrozenDocument, draft: CorrectionDraft): CorrectionScope {
  if (draft.lines.length > 0) {
    const merged = new Map<number, CorrectionLineRequest>();
    for (const [i, line] of draft.lines.entries()) {
      const position = positionOf(document, line, i);
      if (merged.has(position))
        throw new CorrectionError(
          `Correction lines ${i + 1} and an earlier one name the same invoice line ${position}.`,
        );
      merged.set(position, {
        position,
        ...(line.quantity !== undefined ? { quantity: line.quantity } : { amount: line.amount! }),
      });
    }
    return { lines: [...merged.values()] };
  }
  return draft.amount !== null ? { amount: draft.amount } : { all: true };
}

function defaultReason(document: FrozenDocument, kind: CorrectionKind): string {
  const labels = CORRECTION_LABELS[isDocumentLanguage(document.language) ? document.language : 'en'];
  return kind === 'return'
    ? labels.returned
    : kind === 'cancellation'
      ? labels.orderCancelled
      : labels.refunded;
}

type Applied = UpsertOutcome | { status: 'waiting' };

/**
 * Issues `draft` on its order's invoice in the caller's transaction, or parks it when the order
 * has no invoice yet. An order the ledger knows as cancelled before invoicing needs none.
 */
async function applyCorrection(
  client: PgLikeClient,
  scope: { tenantId: string; integrationId: string },
  draft: CorrectionDraft,
): Promise<Applied> {
  const { rows } = await client.query<{ id: string; document: FrozenDocument | null }>(
    `select id, document from invoices where integration_id = $1 and external_order_id = $2 and type = 'invoice'`,
    [scope.integrationId, draft.externalOrderId],
  );
  const invoice = rows[0];
  if (!invoice) {
    const ledger = await client.query<{ status: string }>(
      `select status from external_records where integration_id = $1 and external_id = $2 and status = 'cancelled' limit 1`,
      [scope.integrationId, draft.externalOrderId],
    );
    if (ledger.rows[0])
      return {
        status: 'skipped',
        reason: `correction ${draft.key} of order ${draft.externalOrderId}: the order was cancelled before it was invoiced, so there is nothing to correct`,
        group: SKIP_GROUP.cancelled,
      };
    await client.query(
      `insert into waiting_corrections (tenant_id, integration_id, external_order_id, key, request)
       values ($1, $2, $3, $4, $5)
       on conflict (integration_id, external_order_id, key) do update set request = excluded.request, updated_at = now()`,
      [scope.tenantId, scope.integrationId, draft.externalOrderId, draft.key, JSON.stringify(draft)],
    );
    return { status: 'waiting' };
  }
  if (!invoice.document)
    return {
      status: 'skipped',
      reason: `invoice of order ${draft.externalOrderId} was issued before documents were frozen; issue correction ${draft.key} by hand`,
      group: SKIP_GROUP.correctionRefused,
    };
  try {
    const issued = await issueCorrection(client, {
      tenantId: scope.tenantId,
      integrationId: scope.integrationId,
      invoiceId: invoice.id,
      key: draft.key,
      kind: draft.kind,
      reason: draft.reason ?? defaultReason(invoice.document, draft.kind),
      scope: scopeOf(invoice.document, draft),
    });
    return { status: issued.created ? 'created' : 'unchanged', hostId: issued.id };
  } catch (error) {
    if (!(error instanceof CorrectionError)) throw error;
    return {
      status: 'skipped',
      reason: `correction ${draft.key} of order ${draft.externalOrderId} not issued: ${error.message}`,
      group: error.code === 'nothing_left' ? SKIP_GROUP.nothingLeft : SKIP_GROUP.correctionRefused,
    };
  }
}

/**
 * Issues the integration's waiting corrections whose order now has an invoice, each in its own
 * transaction with the removal of its row (a crash between two leaves the rest waiting; issuing
 * is idempotent by key). Returns what became of each, by order and key.
 */
export async function issueWaitingCorrections(
  pool: ImportCorrectionsOptions['db']['pool'],
  scope: { tenantId: string; integrationId: string },
): Promise<Map<string, UpsertOutcome>> {
  const { rows } = await pool.query<{ external_order_id: string; key: string }>(
    `select w.external_order_id, w.key from waiting_corrections w
      where w.integration_id = $1 and exists (
        select 1 from invoices i where i.integration_id = w.integration_id and i.external_order_id = w.external_order_id and i.type = 'invoice')
      order by w.created_at, w.key`,
    [scope.integrationId],
  );
  const done = new Map<string, UpsertOutcome>();
  for (const row of rows) {
    await inTransaction(pool, async (client) => {
      const taken = await client.query<{ request: CorrectionDraft }>(
        `delete from waiting_corrections where integration_id = $1 and external_order_id = $2 and key = $3 returning request`,
        [scope.integrationId, row.external_order_id, row.key],
      );
      const draft = taken.rows[0]?.request;
      if (!draft) return; // another process issued it
      const outcome = await applyCorrection(client, scope, draft);
      if (outcome.status !== 'waiting') done.set(waitingKey(draft), outcome);
    });
  }
  return done;
}

const waitingKey = (draft: Pick<CorrectionDraft, 'externalOrderId' | 'key'>) =>
  `${draft.externalOrderId}\n${draft.key}`;

/**
 * `ctx.records.upsertMany` for a correction mapping: one outcome per record, in order —
 * `created` (issued now), `unchanged` (this key issued it before), `skipped` with the reason
 * (refused by the mapping, by the invoice — more units or money than are left —, nothing left to
 * correct, or waiting for the order's invoice).
 */
export async function importCorrections(options: ImportCorrectionsOptions): Promise<UpsertOutcome[]> {
  const scope = { tenantId: options.tenantId, integrationId: options.integrationId };
  const variables = mappingVariables(options);
  await issueWaitingCorrections(options.db.pool, scope);
  const outcomes: UpsertOutcome[] = [];
  /** Corrections parked by this import, by order and key: their index in `outcomes`. */
  const parked = new Map<string, number>();
  for (const record of options.records) {
    let draft: CorrectionDraft;
    try {
      draft = toCorrectionDraft(await options.mappings.map(options.mappingName, record.data, variables));
    } catch (error) {
      if (!(error instanceof Refused || error instanceof MappingError)) throw error;
      outcomes.push({
        status: 'skipped',
        reason: `record ${record.externalId} refused: ${error.message}`,
        group: SKIP_GROUP.unmapped,
      });
      continue;
    }
    const outcome = await inTransaction(options.db.pool, (client) => applyCorrection(client, scope, draft));
    if (outcome.status === 'waiting') parked.set(waitingKey(draft), outcomes.length);
    outcomes.push(
      outcome.status === 'waiting'
        ? {
            status: 'skipped',
            reason: `correction ${draft.key} of order ${draft.externalOrderId} waits for the order's invoice; it is issued with it`,
            group: SKIP_GROUP.waitingForInvoice,
          }
        : outcome,
    );
  }
  // An orders import that committed the invoice while these were being parked looked for waiting
  // corrections before they were there: look once more now that they are.
  if (parked.size > 0)
    for (const [key, outcome] of await issueWaitingCorrections(options.db.pool, scope)) {
      const index = parked.get(key);
      if (index !== undefined) outcomes[index] = outcome;
    }
  return outcomes;
}
