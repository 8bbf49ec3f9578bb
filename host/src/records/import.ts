import type { RecordInput, UpsertOutcome } from '@mch/plugin-sdk';
import type { Switches } from '@mch/schemas';
import type { SqlPool } from '../db/orm.ts';
import { importBatch, type BatchContext } from './import-batch.ts';
import { type CompiledMappings, mappingVariables } from './mapping-engine.ts';
import { type PreparedRecord, prepareRecord } from './prepare.ts';
import { inTransaction } from './sql.ts';
import type { ExchangeRates } from '../invoicing/exchange-rates.ts';
import { checkIssuance, exchangeRatesFor, loadIssuer } from './issuance.ts';
import { releaseHeld } from './release.ts';
import { SKIP_GROUP } from './skip-groups.ts';

import { importSwitches } from './import-switches.ts';
import { importCorrections, issueWaitingCorrections } from './import-corrections.ts';

export { importSwitches, type ImportSwitches } from './import-switches.ts';

export interface ImportRecordsOptions {
  db: { pool: Pick<SqlPool, 'connect' | 'query'> };
  tenantId: string;
  integrationId: string;
  pluginId: string;
  /** Company issuing the invoices; default: the integration's, else the tenant's default company. */
  companyId?: string | undefined;
  /** The manifest mapping the records go through (e.g. `invoice`); also the ledger kind. */
  mappingName: string;
  mappings: CompiledMappings;
  /** The integration's settings: `$settings` in expressions, and the switches below. */
  settings: Readonly<Record<string, unknown>>;
  /** Which settings switch invoices, paid marks, customers and products (manifest `switches`). */
  switches?: Switches | undefined;
  /** `$integration` in expressions (e.g. its platform currency); default `{ id, tenantId, pluginId }`. */
  integration?: Readonly<Record<string, unknown>>;
  records: readonly RecordInput[];
  /** Records per transaction (a marketplace page). */
  batchSize?: number;
  /** Central banks' rates; default: one client per database (NBP_API_URL, BNR_RATES_URL). */
  rates?: ExchangeRates;
  /**
   * The plugin's setting that picks the invoice template (its manifest's `x-host-choices:
   * "invoiceTemplates"` setting, `invoiceTemplateSettings`): the template it names is frozen into
   * the documents issued. Absent: documents are issued with the default look.
   */
  templateSetting?: string | undefined;
}

/**
 * Imports marketplace records as host records (customers, products, an invoice with lines),
 * one transaction per batch, one outcome per record in the caller's order:
 * - `created`: this call issued the order's invoice (hostId = invoice id); also for an order
 *   recorded earlier while invoices were switched off (manifest `switches.invoices`), on its first
 *   import after they are on;
 * - `updated`: a new revision of an already invoiced order (cancellation or payment applied);
 * - `unchanged`: this revision (or content) was processed already, here or by a concurrent import;
 * - `skipped`: nothing invoiced, with the reason (refused by the mapping or the totals check —
 *   then nothing is written —, cancelled before invoicing, or invoices switched off).
 * Throws only for database or setup problems (e.g. the tenant has no company); the batch
 * in flight is then rolled back and earlier batches stay committed.
 */
export async function importRecords(options: ImportRecordsOptions): Promise<UpsertOutcome[]> {
  if (options.mappings.target(options.mappingName) === 'correction') return importCorrections(options);
  const switches = importSwitches(options.settings, options.switches);
  const variables = mappingVariables(options);
  const batchSize = Math.max(1, options.batchSize ?? 100);
  const rates = options.rates ?? exchangeRatesFor(options.db.pool);
  const issuer = await loadIssuer(options.db.pool, {
    ...options,
    companyId: options.companyId,
    templateSetting: options.templateSetting,
  });
  // Orders held earlier (company incomplete, no rate yet) are tried again on every run.
  if (issuer.seller && issuer.hasHeld)
    await releaseHeld({
      pool: options.db.pool,
      tenantId: options.tenantId,
      integrationId: options.integrationId,
      rates,
      templateSettings: options.templateSetting
        ? new Map([[options.pluginId, options.templateSetting]])
        : undefined,
    });
  const outcomes: UpsertOutcome[] = new Array<UpsertOutcome>(options.records.length);
  const context: BatchContext = {
    ledger: {
      tenantId: options.tenantId,
      integrationId: options.integrationId,
      kind: options.mappingName.slice(0, 32),
    },
    pluginId: options.pluginId,
    issuer,
    switches,
  };

  // Mapping is CPU work: the next batch is prepared while the database works on this one.
  const prepare = async (start: number): Promise<PreparedRecord[]> => {
    const latest = new Map<string, PreparedRecord>();
    for (const [offset, record] of options.records.slice(start, start + batchSize).entries()) {
      const prepared = await prepareRecord({
        index: start + offset,
        record,
        mappingName: options.mappingName,
        mappings: options.mappings,
        variables,
      });
      if (!prepared.ok) {
        outcomes[prepared.index] = { status: 'skipped', reason: prepared.reason, group: SKIP_GROUP.unmapped };
        continue;
      }
      const earlier = latest.get(prepared.record.externalId);
      if (earlier) {
        outcomes[earlier.index] = {
          status: 'skipped',
          reason: `superseded by a later copy of ${earlier.externalId} in the same import`,
        };
      }
      latest.set(prepared.record.externalId, prepared.record);
    }
    const ready = [...latest.values()];
    if (switches.autoGenerateInvoices) {
      await Promise.all(
        ready.map(async (r) => {
          if (!r.draft.cancelled && r.draft.invoiceRequested !== false)
            r.issuance = await checkIssuance(issuer, r.draft, rates);
        }),
      );
    }
    // Sorted by key: concurrent imports then lock ledger rows in the same order.
    return ready.sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
  };

  let next: Promise<PreparedRecord[]> | undefined = prepare(0);
  try {
    for (let start = 0; next; start += batchSize) {
      const items = await next;
      next = start + batchSize < options.records.length ? prepare(start + batchSize) : undefined;
      if (items.length === 0) continue;
      const results = await inTransaction(options.db.pool, (client) => importBatch(client, context, items));
      for (const [index, outcome] of results) outcomes[index] = outcome;
    }
  } finally {
    // A failed batch stops the import; a preparation still running must not reject unobserved.
    void next?.catch(() => undefined);
  }
  // Corrections that arrived before their order's invoice are issued once it exists. Read now,
  // after this import's invoices committed, not when it started: a corrections import running
  // at the same time may have parked one meanwhile (it looks again when it ends, too).
  await issueWaitingCorrections(options.db.pool, options);
  return outcomes;
}
