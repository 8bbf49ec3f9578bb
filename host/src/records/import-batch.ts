import { randomUUID } from 'node:crypto';
import type { UpsertOutcome } from '@mch/plugin-sdk';
import type { InvoiceStatus } from '../db/entities/invoice.entity.ts';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import { upsertCustomers, upsertProducts } from './host-records-sql.ts';
import type { ImportSwitches } from './import-switches.ts';
import { cancelByCorrection } from './correction-sql.ts';
import { findInvoices, setInvoiceStatuses } from './invoice-sql.ts';
import type { Issuer } from './issuance.ts';
import { issueOrHold, type ToIssue } from './issue-sql.ts';
import {
  claimChanged,
  claimNew,
  type LedgerClaim,
  type LedgerRow,
  type LedgerScope,
  readLedger,
  setLedgerStatus,
} from './ledger-sql.ts';
import type { PreparedRecord } from './prepare.ts';

export interface BatchContext {
  ledger: LedgerScope;
  pluginId: string;
  issuer: Issuer;
  switches: ImportSwitches;
}

type Outcomes = Map<number, UpsertOutcome>;

function repeatOutcome(row: LedgerRow): UpsertOutcome {
  if (row.hostId) return { status: 'unchanged', hostId: row.hostId };
  return {
    status: 'skipped',
    reason: `revision ${row.revision ?? '?'} was processed already (${row.status}); no invoice was issued for it`,
  };
}

function awaitsInvoice(row: LedgerRow, item: PreparedRecord, switches: ImportSwitches): boolean {
  return (
    row.hostId === null &&
    (row.status === 'recorded' || row.status === 'held') &&
    switches.autoGenerateInvoices &&
    !item.draft.cancelled &&
    item.draft.invoiceRequested !== false
  );
}

function noInvoiceReason(item: PreparedRecord, switches: ImportSwitches): string {
  if (item.draft.cancelled)
    return `order ${item.externalId} is cancelled and was never invoiced; no invoice issued`;
  if (!switches.autoGenerateInvoices)
    return 'autoGenerateInvoices is off: no invoice issued (customer and products follow their own settings)';
  if (item.draft.invoiceRequested === false)
    return `order ${item.externalId}: the buyer did not ask for an invoice and the integration invoices only orders whose buyer did ("Which orders get an invoice"); recorded without an invoice`;
  return 'no invoice issued';
}

/**
 * One batch in one transaction, in a fixed lock order (ledger rows, customers, products, the
 * series row, invoices) so concurrent imports queue instead of deadlocking:
 * 1. every record is claimed as new on the ledger (insert, do nothing on conflict); a concurrent
 *    import of the same order waits there, then finds it done: `unchanged`, no error;
 * 2. the records that were known already are read from the ledger: repeats write nothing, real
 *    changes are claimed by advancing their row's revision under its lock;
 * 3. customers and products are upserted, invoice numbers reserved in one series lock for
 *    exactly the invoices about to be inserted (gap-free even when a claim was lost);
 * 4. invoices and lines inserted; existing invoices of changed orders corrected to zero when the
 *    order was cancelled (correction-sql.ts), or marked paid.
 */
export async function importBatch(
  client: PgLikeClient,
  ctx: BatchContext,
  items: readonly PreparedRecord[],
): Promise<Outcomes> {
  const { switches } = ctx;
  const outcomes: Outcomes = new Map();
  const planned = new Map<string, string>();
  const claim = (item: PreparedRecord, hasInvoice: boolean): LedgerClaim => {
    const invoice =
      !hasInvoice &&
      switches.autoGenerateInvoices &&
      !item.draft.cancelled &&
      item.draft.invoiceRequested !== false;
    const plannedHostId = invoice ? randomUUID() : null;
    const status = invoice ? 'invoiced' : item.draft.cancelled ? 'cancelled' : 'recorded';
    return {
      externalId: item.externalId,
      revision: item.revision,
      contentHash: item.contentHash,
      plannedHostId,
      status,
    };
  };

  // One statement claims the new orders and returns the ledger rows of the known ones. A row a
  // concurrent import was inserting (we waited for it) is in neither and is read once more.
  const freshClaims = items.map((item) => claim(item, false));
  const { won: wonNew, known: knownBefore } = await claimNew(client, ctx.ledger, freshClaims);
  const winners: PreparedRecord[] = [];
  for (const [i, item] of items.entries()) {
    if (!wonNew.has(item.externalId)) continue;
    winners.push(item);
    const plannedHostId = freshClaims[i]!.plannedHostId;
    if (plannedHostId) planned.set(item.externalId, plannedHostId);
  }

  // Known orders: a repeat — the same revision, or the same content under a new revision (one
  // more event about an unchanged checkout form) — writes nothing; a real change is claimed.
  const known = items.filter((item) => !wonNew.has(item.externalId));
  const raced = known.filter((item) => !knownBefore.has(item.externalId)).map((item) => item.externalId);
  const ledger = raced.length
    ? new Map([...knownBefore, ...(await readLedger(client, ctx.ledger, raced))])
    : knownBefore;
  const changed: PreparedRecord[] = [];
  for (const item of known) {
    const row = ledger.get(item.externalId);
    if (!row)
      outcomes.set(item.index, {
        status: 'skipped',
        reason: 'the ledger entry vanished during the import; retry',
      });
    else if (row.revision !== item.revision && row.contentHash !== item.contentHash) changed.push(item);
    // Recorded without an invoice while invoicing was off: invoiced now that it is on.
    else if (awaitsInvoice(row, item, switches)) changed.push(item);
    else outcomes.set(item.index, repeatOutcome(row));
  }
  const existing = await findInvoices(
    client,
    ctx.ledger.integrationId,
    changed.map((i) => i.externalId),
  );
  const changedClaims = changed.map((item) => claim(item, existing.has(item.externalId)));
  const wonChanged = await claimChanged(client, ctx.ledger, changedClaims);
  const lost: PreparedRecord[] = [];
  for (const [i, item] of changed.entries()) {
    if (!wonChanged.has(item.externalId)) {
      lost.push(item);
      continue;
    }
    winners.push(item);
    const plannedHostId = changedClaims[i]!.plannedHostId;
    if (plannedHostId) planned.set(item.externalId, plannedHostId);
  }
  if (lost.length) {
    // A concurrent import advanced these rows first (we waited on their locks): report what it did.
    const now = await readLedger(
      client,
      ctx.ledger,
      lost.map((i) => i.externalId),
    );
    for (const item of lost)
      outcomes.set(item.index, repeatOutcome(now.get(item.externalId) ?? ledger.get(item.externalId)!));
  }
  if (winners.length === 0) return outcomes;

  const scope = { tenantId: ctx.ledger.tenantId, source: ctx.pluginId };
  const customerIds = switches.autoCreateCustomer
    ? await upsertCustomers(
        client,
        scope,
        winners.flatMap((i) => (i.draft.customer ? [i.draft.customer] : [])),
      )
    : new Map<string, string>();
  const productIds = switches.autoCreateProduct
    ? await upsertProducts(
        client,
        scope,
        winners.flatMap((i) => i.draft.lines.flatMap((l) => (l.product ? [l.product] : []))),
      )
    : new Map<string, string>();

  // A changed row keeps the invoice it had; the planned one is created only if the row took it.
  const hostOf = (item: PreparedRecord): string | null =>
    wonChanged.get(item.externalId)?.hostId ??
    existing.get(item.externalId)?.id ??
    planned.get(item.externalId) ??
    null;
  const toCreate = winners.filter(
    (i) => planned.has(i.externalId) && hostOf(i) === planned.get(i.externalId),
  );
  if (toCreate.length) {
    const results = await issueOrHold(
      client,
      { ledger: ctx.ledger, pluginId: ctx.pluginId, issuer: ctx.issuer },
      toCreate.map((item): ToIssue => {
        const paid = switches.autoMarkAsPaid && item.draft.paid;
        return {
          hostId: planned.get(item.externalId)!,
          externalId: item.externalId,
          revision: item.revision,
          draft: item.draft,
          issuance: item.issuance ?? { ok: false, reason: 'company_incomplete', message: 'not checked' },
          customerId: item.draft.customer ? (customerIds.get(item.draft.customer.externalId) ?? null) : null,
          productIds,
          status: paid ? 'paid' : 'issued',
          paidAt: paid ? (item.draft.paidAt ?? new Date().toISOString()) : null,
        };
      }),
    );
    for (const item of toCreate) {
      const result = results.get(item.externalId)!;
      outcomes.set(
        item.index,
        result.issued
          ? { status: 'created', hostId: planned.get(item.externalId)! }
          : { status: 'skipped', reason: `no invoice issued yet: ${result.message}` },
      );
    }
  }

  // Later revisions of invoiced orders: never a second invoice; apply cancellation or payment.
  const invoiced = winners.filter((i) => !outcomes.has(i.index) && hostOf(i));
  const missing = invoiced.filter((i) => !existing.has(i.externalId)).map((i) => i.externalId);
  const current = missing.length
    ? new Map([...existing, ...(await findInvoices(client, ctx.ledger.integrationId, missing))])
    : existing;
  const statusChanges: { id: string; status: InvoiceStatus; paidAt: string | null }[] = [];
  const cancelled: string[] = [];
  for (const item of invoiced) {
    const hostId = hostOf(item)!;
    const invoice = current.get(item.externalId);
    if (invoice && item.draft.cancelled && invoice.status !== 'cancelled') {
      // An issued invoice is never edited: the cancellation is a correction to zero (issued once,
      // whatever revisions repeat it); only an invoice from before frozen documents is stamped.
      if (!(await cancelByCorrection(client, ctx.ledger.tenantId, invoice.id)))
        statusChanges.push({ id: invoice.id, status: 'cancelled', paidAt: null });
      cancelled.push(item.externalId);
    } else if (
      invoice &&
      !item.draft.cancelled &&
      invoice.status === 'issued' &&
      switches.autoMarkAsPaid &&
      item.draft.paid
    ) {
      statusChanges.push({
        id: invoice.id,
        status: 'paid',
        paidAt: item.draft.paidAt ?? new Date().toISOString(),
      });
    }
    outcomes.set(item.index, { status: 'updated', hostId });
  }
  await setInvoiceStatuses(client, statusChanges);
  await setLedgerStatus(client, ctx.ledger, cancelled, 'cancelled');

  for (const item of winners) {
    if (!outcomes.has(item.index))
      outcomes.set(item.index, { status: 'skipped', reason: noInvoiceReason(item, switches) });
  }
  return outcomes;
}
