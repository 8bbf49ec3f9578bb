import { randomUUID } from 'node:crypto';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import { buildDocument } from '../invoicing/build-document.ts';
import { formatInvoiceNumber, NumberingError, periodOf, reserveNumbers } from '../invoicing/numbering.ts';
import type { InvoiceDraft } from './invoice-draft.ts';
import { insertInvoices, type NewInvoice, seriesFor } from './invoice-sql.ts';
import { type HoldReason, type Issuance, type Issuer, reverseChargeDraft } from './issuance.ts';
import type { LedgerScope } from './ledger-sql.ts';

/**
 * The last step of issuing, inside the caller's transaction, after the ledger rows are claimed:
 * an order that may be invoiced gets its number (one series lock per series and period, in a
 * fixed order) and its frozen document; one that may not is held with the reason, its ledger row
 * marked `held` — nothing of an invoice is written for it.
 */

/** Issued, or held with why (the run counts its skips by `reason`). */
export type IssueResult = { issued: true } | { issued: false; message: string; reason: HoldReason };

export interface ToIssue {
  hostId: string;
  externalId: string;
  revision: string;
  draft: InvoiceDraft;
  issuance: Issuance;
  customerId: string | null;
  productIds: Map<string, string>;
  status: 'issued' | 'paid';
  paidAt: string | null;
  /** {@link documentBody}, when it was built ahead (while the ledger claim was in flight). */
  documentBody?: string | undefined;
}

export interface IssueScope {
  ledger: LedgerScope;
  pluginId: string;
  issuer: Issuer;
}

/** What a held order keeps, to be issued later exactly as it would have been. */
interface HeldDraft {
  draft: InvoiceDraft;
  status: 'issued' | 'paid';
  paidAt: string | null;
}

/**
 * The frozen document of an order issued now, as JSON without its series and number (known only
 * once numbers are reserved) and without the seller and template (the same for a whole batch,
 * written once: `documentsJson`). Built ahead for the orders about to be invoiced while the
 * ledger claim is in flight, so the document work overlaps the database (issue 17).
 */
export function documentBody(
  scope: Pick<IssueScope, 'issuer' | 'pluginId'>,
  draft: InvoiceDraft,
  issuance: Extract<Issuance, { ok: true }>,
): string {
  const {
    series: _series,
    number: _number,
    seller: _seller,
    template: _template,
    ...rest
  } = buildDocument({
    type: 'invoice',
    draft,
    seller: scope.issuer.seller!,
    seriesCode: '',
    number: '',
    tax: issuance.tax,
    rate: issuance.rate,
    marketplace: scope.pluginId,
    template: scope.issuer.template,
    reverseCharge: issuance.reverseCharge ?? false,
  });
  return JSON.stringify(rest);
}

/** {@link documentBody} of an order as it would be issued now, or undefined if it would be held. */
export function documentBodyAhead(
  scope: Pick<IssueScope, 'issuer' | 'pluginId'>,
  draft: InvoiceDraft,
  issuance: Issuance | undefined,
): string | undefined {
  if (!issuance?.ok || !scope.issuer.seller) return undefined;
  return documentBody(scope, issuance.reverseCharge ? reverseChargeDraft(draft) : draft, issuance);
}

export async function issueOrHold(
  client: PgLikeClient,
  scope: IssueScope,
  entries: readonly ToIssue[],
): Promise<Map<string, IssueResult>> {
  const results = new Map<string, IssueResult>();
  const held = entries.filter((e) => !e.issuance.ok);
  if (held.length) {
    await holdInvoices(client, scope, held);
    for (const e of held) {
      const { message, reason } = e.issuance as { message: string; reason: HoldReason };
      results.set(e.externalId, { issued: false, message, reason });
    }
  }
  const ready = entries.filter((e) => e.issuance.ok);
  if (ready.length === 0) return results;
  const seller = scope.issuer.seller!;
  const target = {
    tenantId: scope.ledger.tenantId,
    integrationId: scope.ledger.integrationId,
    companyId: scope.issuer.companyId,
  };
  const groups = new Map<string, { seriesId: string; period: string; entries: ToIssue[] }>();
  for (const e of ready) {
    const series = await seriesFor(client, { ...target, currency: e.draft.currency });
    const period = periodOf(series.reset, e.draft.issueDate);
    const key = `${series.seriesId}|${period}`;
    const group = groups.get(key) ?? { seriesId: series.seriesId, period, entries: [] };
    group.entries.push(e);
    groups.set(key, group);
  }
  const invoices: NewInvoice[] = [];
  // Sorted: concurrent imports lock series rows in the same order.
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!;
    let block;
    try {
      block = await reserveNumbers(client, {
        seriesId: group.seriesId,
        count: group.entries.length,
        period: group.period,
      });
    } catch (error) {
      if (!(error instanceof NumberingError)) throw error;
      // The remembered series is gone: look it up again (this transaction is still usable).
      const fresh = await seriesFor(client, {
        ...target,
        currency: group.entries[0]!.draft.currency,
        fresh: true,
      });
      block = await reserveNumbers(client, {
        seriesId: fresh.seriesId,
        count: group.entries.length,
        period: periodOf(fresh.reset, group.entries[0]!.draft.issueDate),
      });
    }
    for (const [i, e] of group.entries.entries()) {
      const sequence = block.first + i;
      const number = formatInvoiceNumber({
        pattern: block.series.pattern,
        code: block.series.code,
        issueDate: e.draft.issueDate,
        n: sequence,
      });
      const ok = e.issuance as Extract<Issuance, { ok: true }>;
      const draft = ok.reverseCharge ? reverseChargeDraft(e.draft) : e.draft;
      invoices.push({
        id: e.hostId,
        seriesId: block.series.id,
        period: block.period,
        seriesCode: block.series.code,
        documentBody: e.documentBody ?? documentBody(scope, draft, ok),
        draft,
        revision: e.revision,
        sequence,
        number,
        customerId: e.customerId,
        status: e.status,
        paidAt: e.paidAt,
        productIds: e.productIds,
      });
      results.set(e.externalId, { issued: true });
    }
  }
  await insertInvoices(
    client,
    {
      seller,
      template: scope.issuer.template,
      tenantId: scope.ledger.tenantId,
      integrationId: scope.ledger.integrationId,
      pluginId: scope.pluginId,
      companyId: scope.issuer.companyId,
      // An order held earlier and issued now leaves `held_invoices` in the same statement.
      heldKind: scope.ledger.kind,
    },
    invoices,
  );
  return results;
}

async function holdInvoices(
  client: PgLikeClient,
  scope: IssueScope,
  held: readonly ToIssue[],
): Promise<void> {
  const { ledger } = scope;
  await client.query(
    `insert into held_invoices (id, tenant_id, integration_id, plugin_id, kind, external_id, revision, draft, reason, message, created_at, updated_at)
     select gen_random_uuid(), $1, $2, $3, $4, u.external_id, u.revision, u.draft::jsonb, u.reason, u.message, now(), now()
       from unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) u(external_id, revision, draft, reason, message)
     on conflict (integration_id, kind, external_id) do update
       set revision = excluded.revision, draft = excluded.draft, reason = excluded.reason, message = excluded.message, updated_at = now()`,
    [
      ledger.tenantId,
      ledger.integrationId,
      scope.pluginId,
      ledger.kind,
      held.map((e) => e.externalId),
      held.map((e) => e.revision),
      held.map((e) =>
        JSON.stringify({ draft: e.draft, status: e.status, paidAt: e.paidAt } satisfies HeldDraft),
      ),
      held.map((e) => (e.issuance as { reason: string }).reason),
      held.map((e) => (e.issuance as { message: string }).message),
    ],
  );
  await client.query(
    `update external_records set host_id = null, status = 'held', updated_at = now()
      where integration_id = $1 and kind = $2 and external_id = any($3::text[])`,
    [ledger.integrationId, ledger.kind, held.map((e) => e.externalId)],
  );
}

export interface HeldRow {
  id: string;
  integrationId: string;
  pluginId: string;
  kind: string;
  externalId: string;
  revision: string;
  held: HeldDraft;
}

/**
 * Takes held orders of a tenant (optionally one integration) out of `held_invoices` for issuing:
 * deleted in the caller's transaction (rows another process is releasing are skipped), and their
 * ledger rows claimed back (`held` → `invoiced` with the planned invoice id). A row whose ledger
 * moved on (a newer revision was processed) is dropped.
 */
export async function takeHeld(
  client: PgLikeClient,
  options: { tenantId: string; integrationId: string; limit: number; before: Date },
): Promise<(HeldRow & { hostId: string })[]> {
  const { rows } = await client.query<{
    id: string;
    integration_id: string;
    plugin_id: string;
    kind: string;
    external_id: string;
    revision: string;
    draft: HeldDraft;
  }>(
    `delete from held_invoices where id in (
       select id from held_invoices where tenant_id = $1 and integration_id = $2 and updated_at < $4
        order by kind, external_id limit $3 for update skip locked)
     returning id, integration_id, plugin_id, kind, external_id, revision, draft`,
    [options.tenantId, options.integrationId, options.limit, options.before],
  );
  if (rows.length === 0) return [];
  const planned = rows.map(() => randomUUID());
  const claimed = await client.query<{
    integration_id: string;
    kind: string;
    external_id: string;
    host_id: string;
  }>(
    `update external_records e set status = 'invoiced', host_id = u.host_id, updated_at = now()
       from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) u(integration_id, kind, external_id, host_id)
      where e.integration_id = u.integration_id and e.kind = u.kind and e.external_id = u.external_id
        and e.status = 'held' and e.host_id is null
      returning e.integration_id, e.kind, e.external_id, e.host_id`,
    [rows.map((r) => r.integration_id), rows.map((r) => r.kind), rows.map((r) => r.external_id), planned],
  );
  const won = new Map(claimed.rows.map((r) => [`${r.integration_id}|${r.kind}|${r.external_id}`, r.host_id]));
  return rows.flatMap((r) => {
    const hostId = won.get(`${r.integration_id}|${r.kind}|${r.external_id}`);
    return hostId
      ? [
          {
            id: r.id,
            integrationId: r.integration_id,
            pluginId: r.plugin_id,
            kind: r.kind,
            externalId: r.external_id,
            revision: r.revision,
            held: r.draft,
            hostId,
          },
        ]
      : [];
  });
}

/** Host ids of the customers and products a held order refers to (created when it was first imported). */
export async function hostRecordIds(
  client: PgLikeClient,
  options: { tenantId: string; source: string; customers: string[]; products: string[] },
): Promise<{ customers: Map<string, string>; products: Map<string, string> }> {
  const customers = await client.query<{ id: string; external_id: string }>(
    'select id, external_id from customers where tenant_id = $1 and source = $2 and external_id = any($3::text[])',
    [options.tenantId, options.source, options.customers],
  );
  const products = await client.query<{ id: string; external_id: string }>(
    'select id, external_id from products where tenant_id = $1 and source = $2 and external_id = any($3::text[])',
    [options.tenantId, options.source, options.products],
  );
  return {
    customers: new Map(customers.rows.map((r) => [r.external_id, r.id])),
    products: new Map(products.rows.map((r) => [r.external_id, r.id])),
  };
}
