import { randomUUID } from 'node:crypto';
import type { UpsertOutcome } from '@mch/plugin-sdk';
import type { InvoiceStatus } from '../db/entities/invoice.entity.ts';
import type { PgLikeClient } from '../db/pglite-pool.ts';
import { upsertCustomers, upsertProducts } from './host-records-sql.ts';
import type { ImportSwitches } from './import-switches.ts';
import { cancelByCorrection } from './correction-sql.ts';
import { findInvoices, setInvoiceStatuses } from './invoice-sql.ts';
import type { Issuer } from './issuance.ts';
import { documentBodyAhead, issueOrHold, type ToIssue } from './issue-sql.ts';
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
import { heldGroup, SKIP_GROUP } from './skip-groups.ts';

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
    group: SKIP_GROUP.repeat,
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

function noInvoice(item: PreparedRecord, switches: ImportSwitches): UpsertOutcome {
  const skip = (reason: string, group: string): UpsertOutcome => ({ status: 'skipped', reason, group });
  if (item.draft.cancelled)
    return skip(
      `order ${item.externalId} is cancelled and was never invoiced; no invoice issued`,
      SKIP_GROUP.cancelled,
    );
  if (!switches.autoGenerateInvoices)
    return skip(
      'invoicing is switched off in this account\'s settings ("Auto-generate invoices"): no invoice issued (customer and products follow their own settings)',
      SKIP_GROUP.invoicingOff,
    );
  if (item.draft.invoiceRequested === false)
    return skip(
      `order ${item.externalId}: the buyer did not ask for an invoice and the integration invoices only orders whose buyer did ("Which orders get an invoice"); recorded without an invoice`,
      SKIP_GROUP.notRequested,
    );
  return skip('no invoice issued', SKIP_GROUP.noInvoice);
}

/** What the ledger claims decided: the records this import owns, and the invoices it planned. */
interface Claimed {
  outcomes: Outcomes;
  /** New or really changed records whose ledger rows this import holds. */
  winners: PreparedRecord[];
  /** externalId → the invoice id planned for it, where an invoice is due. */
  planned: Map<string, string>;
  /** Invoices the changed records had before this import. */
  existing: Awaited<ReturnType<typeof findInvoices>>;
  /** The changed rows won, with the invoice each one already holds. */
  wonChanged: Awaited<ReturnType<typeof claimChanged>>;
  /** The documents of the orders about to be invoiced, built while the claim was in flight. */
  bodies: Map<string, string>;
}

/**
 * The documents (`documentBody`) of the orders that get an invoice if their claim wins, built
 * while the claim statement runs: the CPU work overlaps the database's. A claim that loses (a
 * repeat, a concurrent import) only wastes its document.
 */
function documentsAhead(ctx: BatchContext, items: readonly PreparedRecord[]): Map<string, string> {
  const bodies = new Map<string, string>();
  if (!ctx.switches.autoGenerateInvoices) return bodies;
  const scope = { issuer: ctx.issuer, pluginId: ctx.pluginId };
  for (const item of items) {
    if (item.draft.cancelled || item.draft.invoiceRequested === false) continue;
    const body = documentBodyAhead(scope, item.draft, item.issuance);
    if (body !== undefined) bodies.set(item.externalId, body);
  }
  return bodies;
}

function ledgerClaim(item: PreparedRecord, hasInvoice: boolean, switches: ImportSwitches): LedgerClaim {
  const invoice =
    !hasInvoice &&
    switches.autoGenerateInvoices &&
    !item.draft.cancelled &&
    item.draft.invoiceRequested !== false;
  return {
    externalId: item.externalId,
    revision: item.revision,
    contentHash: item.contentHash,
    plannedHostId: invoice ? randomUUID() : null,
    status: invoice ? 'invoiced' : item.draft.cancelled ? 'cancelled' : 'recorded',
  };
}

/** Keeps the records whose claim won, noting the invoice planned for each. */
function collectWinners(
  items: readonly PreparedRecord[],
  claims: readonly LedgerClaim[],
  won: { has(externalId: string): boolean },
  into: { winners: PreparedRecord[]; planned: Map<string, string> },
): PreparedRecord[] {
  const lost: PreparedRecord[] = [];
  for (const [i, item] of items.entries()) {
    if (!won.has(item.externalId)) {
      lost.push(item);
      continue;
    }
    into.winners.push(item);
    const plannedHostId = claims[i]!.plannedHostId;
    if (plannedHostId) into.planned.set(item.externalId, plannedHostId);
  }
  return lost;
}

/**
 * Steps 1–2: one statement claims the new orders and returns the ledger rows of the known ones (a
 * row a concurrent import was inserting — we waited for it — is in neither and is read once more).
 * Known orders: a repeat — the same revision, or the same content under a new revision (one more
 * event about an unchanged checkout form) — writes nothing; a real change is claimed.
 */
async function claimRecords(
  client: PgLikeClient,
  ctx: BatchContext,
  items: readonly PreparedRecord[],
): Promise<Claimed> {
  const { switches } = ctx;
  const outcomes: Outcomes = new Map();
  const into = { winners: [] as PreparedRecord[], planned: new Map<string, string>() };
  const freshClaims = items.map((item) => ledgerClaim(item, false, switches));
  const claiming = claimNew(client, ctx.ledger, freshClaims);
  let bodies: Map<string, string>;
  try {
    bodies = documentsAhead(ctx, items);
  } catch (error) {
    void claiming.catch(() => undefined);
    throw error;
  }
  const { won: wonNew, known: knownBefore } = await claiming;
  const known = collectWinners(items, freshClaims, wonNew, into);

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
        reason: 'another sync changed this order at the same moment; the next sync takes it up',
        group: SKIP_GROUP.raced,
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
  const changedClaims = changed.map((item) => ledgerClaim(item, existing.has(item.externalId), switches));
  const wonChanged = await claimChanged(client, ctx.ledger, changedClaims);
  const lost = collectWinners(changed, changedClaims, wonChanged, into);
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
  return { outcomes, ...into, existing, wonChanged, bodies };
}

/** Step 3 (first half): the customers and products of the records this import owns. */
async function upsertMasterData(client: PgLikeClient, ctx: BatchContext, winners: readonly PreparedRecord[]) {
  const scope = { tenantId: ctx.ledger.tenantId, source: ctx.pluginId };
  const customerIds = ctx.switches.autoCreateCustomer
    ? await upsertCustomers(
        client,
        scope,
        winners.flatMap((i) => (i.draft.customer ? [i.draft.customer] : [])),
      )
    : new Map<string, string>();
  const productIds = ctx.switches.autoCreateProduct
    ? await upsertProducts(
        client,
        scope,
        winners.flatMap((i) => i.draft.lines.flatMap((l) => (l.product ? [l.product] : []))),
      )
    : new Map<string, string>();
  return { customerIds, productIds };
}

/** Steps 3–4: numbers reserved and the planned invoices issued (or held, with the reason). */
async function issuePlanned(
  client: PgLikeClient,
  ctx: BatchContext,
  claimed: Claimed,
  toCreate: readonly PreparedRecord[],
): Promise<void> {
  const { switches } = ctx;
  const { customerIds, productIds } = await upsertMasterData(client, ctx, claimed.winners);
  if (!toCreate.length) return;
  const results = await issueOrHold(
    client,
    { ledger: ctx.ledger, pluginId: ctx.pluginId, issuer: ctx.issuer },
    toCreate.map((item): ToIssue => {
      const paid = switches.autoMarkAsPaid && item.draft.paid;
      return {
        hostId: claimed.planned.get(item.externalId)!,
        externalId: item.externalId,
        revision: item.revision,
        draft: item.draft,
        issuance: item.issuance ?? { ok: false, reason: 'company_incomplete', message: 'not checked' },
        customerId: item.draft.customer ? (customerIds.get(item.draft.customer.externalId) ?? null) : null,
        productIds,
        status: paid ? 'paid' : 'issued',
        paidAt: paid ? (item.draft.paidAt ?? new Date().toISOString()) : null,
        documentBody: claimed.bodies.get(item.externalId),
      };
    }),
  );
  for (const item of toCreate) {
    const result = results.get(item.externalId)!;
    claimed.outcomes.set(
      item.index,
      result.issued
        ? { status: 'created', hostId: claimed.planned.get(item.externalId)! }
        : {
            status: 'skipped',
            reason: `no invoice issued yet: ${result.message}`,
            group: heldGroup(result.reason),
          },
    );
  }
}

/** Step 4 (second half): later revisions of invoiced orders never get a second invoice; a
 * cancellation or a payment is applied to the one they have. */
async function applyLaterRevisions(
  client: PgLikeClient,
  ctx: BatchContext,
  claimed: Claimed,
  invoiced: readonly { item: PreparedRecord; hostId: string }[],
): Promise<void> {
  const { switches } = ctx;
  const missing = invoiced
    .filter((i) => !claimed.existing.has(i.item.externalId))
    .map((i) => i.item.externalId);
  const current = missing.length
    ? new Map([...claimed.existing, ...(await findInvoices(client, ctx.ledger.integrationId, missing))])
    : claimed.existing;
  const statusChanges: { id: string; status: InvoiceStatus; paidAt: string | null }[] = [];
  const cancelled: string[] = [];
  for (const { item, hostId } of invoiced) {
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
    claimed.outcomes.set(item.index, { status: 'updated', hostId });
  }
  await setInvoiceStatuses(client, statusChanges);
  await setLedgerStatus(client, ctx.ledger, cancelled, 'cancelled');
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
  const claimed = await claimRecords(client, ctx, items);
  if (claimed.winners.length === 0) return claimed.outcomes;

  // A changed row keeps the invoice it had; the planned one is created only if the row took it.
  const hostOf = (item: PreparedRecord): string | null =>
    claimed.wonChanged.get(item.externalId)?.hostId ??
    claimed.existing.get(item.externalId)?.id ??
    claimed.planned.get(item.externalId) ??
    null;
  const toCreate = claimed.winners.filter(
    (i) => claimed.planned.has(i.externalId) && hostOf(i) === claimed.planned.get(i.externalId),
  );
  await issuePlanned(client, ctx, claimed, toCreate);

  const invoiced = claimed.winners.flatMap((item) => {
    const hostId = !claimed.outcomes.has(item.index) && hostOf(item);
    return hostId ? [{ item, hostId }] : [];
  });
  await applyLaterRevisions(client, ctx, claimed, invoiced);

  for (const item of claimed.winners) {
    if (!claimed.outcomes.has(item.index)) claimed.outcomes.set(item.index, noInvoice(item, ctx.switches));
  }
  return claimed.outcomes;
}
