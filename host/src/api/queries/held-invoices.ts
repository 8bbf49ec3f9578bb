import type { Principal } from '../../auth/principal.ts';
import type { SqlPool } from '../../db/orm.ts';
import { tenantFilter } from '../../integrations/access.ts';

export interface HeldInvoiceView {
  integrationId: string;
  pluginId: string;
  externalOrderId: string;
  /** `company_incomplete` (awaiting company details), `vat_rate` or `exchange_rate`. */
  reason: string;
  /** What is wrong and what to do, naming the order (and the line). */
  message: string;
  since: string;
  updatedAt: string;
}

export const HOLD_REASONS = ['company_incomplete', 'vat_rate', 'exchange_rate'] as const;

/**
 * Orders not invoiced yet, and why: nothing was issued for them, nothing is lost; they are issued
 * when the reason is gone (the company completed, the rate published) or a corrected revision
 * comes. `counts` has every reason, the filtered list one page.
 */
export async function listHeldInvoices(
  pool: Pick<SqlPool, 'query'>,
  input: {
    principal: Principal;
    tenantId?: string;
    integrationId?: string;
    reason?: string;
    limit?: number;
    offset?: number;
  },
): Promise<{ held: HeldInvoiceView[]; total: number; counts: Record<string, number> }> {
  const tenantId = tenantFilter(input.principal, input.tenantId) ?? null;
  const scope = `($1::uuid is null or tenant_id = $1::uuid) and ($2::uuid is null or integration_id = $2::uuid)`;
  const params = [tenantId, input.integrationId ?? null];
  const counts = await pool.query<{ reason: string; n: string }>(
    `select reason, count(*)::text as n from held_invoices where ${scope} group by reason`,
    params,
  );
  const rows = await pool.query<{
    integration_id: string;
    plugin_id: string;
    external_id: string;
    reason: string;
    message: string;
    created_at: Date;
    updated_at: Date;
  }>(
    `select integration_id, plugin_id, external_id, reason, message, created_at, updated_at from held_invoices
      where ${scope} and ($3::text is null or reason = $3::text)
      order by created_at, external_id limit $4 offset $5`,
    [...params, input.reason ?? null, input.limit ?? 50, input.offset ?? 0],
  );
  const byReason = Object.fromEntries(HOLD_REASONS.map((r) => [r, 0])) as Record<string, number>;
  for (const c of counts.rows) byReason[c.reason] = Number(c.n);
  return {
    held: rows.rows.map((r) => ({
      integrationId: r.integration_id,
      pluginId: r.plugin_id,
      externalOrderId: r.external_id,
      reason: r.reason,
      message: r.message,
      since: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
    })),
    total: input.reason ? (byReason[input.reason] ?? 0) : Object.values(byReason).reduce((a, b) => a + b, 0),
    counts: byReason,
  };
}
