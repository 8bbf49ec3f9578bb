import type { SqlPool } from '../db/orm.ts';
import type { ExchangeRates } from '../invoicing/exchange-rates.ts';
import { checkIssuance, exchangeRatesFor, loadIssuer } from './issuance.ts';
import { hostRecordIds, issueOrHold, takeHeld, type ToIssue } from './issue-sql.ts';
import { inTransaction } from './sql.ts';

/**
 * Issues the orders held for a tenant (all its integrations, or one) that may be invoiced now:
 * called when the company is saved complete and at the start of every import. Each batch is one
 * transaction: held rows taken (skipping rows another process is releasing), checked again, and
 * issued or held again with the current reason. Returns how many were issued and are still held.
 */
export async function releaseHeld(options: {
  pool: Pick<SqlPool, 'connect' | 'query'>;
  tenantId: string;
  integrationId?: string;
  rates?: ExchangeRates;
  batchSize?: number;
  /** Plugin id → its setting that picks the invoice template (frozen into the documents issued). */
  templateSettings?: ReadonlyMap<string, string> | undefined;
}): Promise<{ issued: number; held: number }> {
  const { pool, tenantId } = options;
  const rates = options.rates ?? exchangeRatesFor(pool);
  const limit = options.batchSize ?? 200;
  const before = new Date();
  const integrations = await pool.query<{ integration_id: string; plugin_id: string }>(
    `select distinct integration_id, plugin_id from held_invoices where tenant_id = $1 and ($2::uuid is null or integration_id = $2::uuid)`,
    [tenantId, options.integrationId ?? null],
  );
  let issued = 0;
  let held = 0;
  for (const { integration_id: integrationId, plugin_id: pluginId } of integrations.rows) {
    const issuer = await loadIssuer(pool, {
      tenantId,
      integrationId,
      companyId: undefined,
      templateSetting: options.templateSettings?.get(pluginId),
    });
    if (!issuer.seller) continue;
    for (;;) {
      const taken = await inTransaction(pool, async (client) => {
        const rows = await takeHeld(client, { tenantId, integrationId, limit, before });
        if (rows.length === 0) return 0;
        const first = rows[0]!;
        const ids = await hostRecordIds(client, {
          tenantId,
          source: first.pluginId,
          customers: rows.flatMap((r) => (r.held.draft.customer ? [r.held.draft.customer.externalId] : [])),
          products: rows.flatMap((r) =>
            r.held.draft.lines.flatMap((l) => (l.product ? [l.product.externalId] : [])),
          ),
        });
        for (const kind of new Set(rows.map((r) => r.kind))) {
          const ofKind = rows.filter((r) => r.kind === kind);
          const entries: ToIssue[] = [];
          for (const r of ofKind) {
            entries.push({
              hostId: r.hostId,
              externalId: r.externalId,
              revision: r.revision,
              draft: r.held.draft,
              issuance: await checkIssuance(issuer, r.held.draft, rates),
              customerId: r.held.draft.customer
                ? (ids.customers.get(r.held.draft.customer.externalId) ?? null)
                : null,
              productIds: ids.products,
              status: r.held.status,
              paidAt: r.held.paidAt,
            });
          }
          const results = await issueOrHold(
            client,
            { ledger: { tenantId, integrationId, kind }, pluginId: first.pluginId, issuer },
            entries,
          );
          for (const result of results.values()) {
            if (result.issued) issued++;
            else held++;
          }
        }
        return rows.length;
      });
      if (taken < limit) break;
    }
  }
  return { issued, held };
}
