import { randomUUID } from 'node:crypto';
import { rngFor, type Rng } from '@mch/plugin-sdk/sandbox-kit';
import type { AccountOrders } from './store.ts';

/** Return timeline statuses (OpenAPI `GET /order/customer-returns` query `status`, CustomerReturn.status). */
export const RETURN_STATUSES = [
  'CREATED',
  'DISPATCHED',
  'IN_TRANSIT',
  'DELIVERED',
  'FINISHED',
  'FINISHED_APT',
  'REJECTED',
  'COMMISSION_REFUND_CLAIMED',
  'COMMISSION_REFUNDED',
  'WAREHOUSE_DELIVERED',
  'WAREHOUSE_VERIFICATION',
] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

/**
 * Statuses after which the return's refund is settled one way or the other: refunded (FINISHED,
 * FINISHED_APT by Allegro Protect, #11253), refused (REJECTED), or the commission claimed after
 * FINISHED (#9882, #10150). Such a return can no longer be rejected.
 */
export const CLOSED_RETURN_STATUSES: ReadonlySet<ReturnStatus> = new Set([
  'FINISHED',
  'FINISHED_APT',
  'REJECTED',
  'COMMISSION_REFUND_CLAIMED',
  'COMMISSION_REFUNDED',
]);

/** OpenAPI CustomerReturnRefundRejectionRequest.rejection.code (#5644, #13203). */
export const REJECTION_CODES = [
  'REFUND_REJECTED',
  'NEW_ITEM_SENT',
  'ITEM_FIXED',
  'MISSING_PART_SENT',
  'ITEM_MISMATCH',
  'BUSINESS_PURCHASE',
  'NO_RETURN_RIGHT',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** OpenAPI CustomerReturnItemReason.type ("Possible values"). */
export const RETURN_REASONS = [
  'NONE',
  'MISTAKE',
  'TRANSPORT',
  'DAMAGED',
  'NOT_AS_DESCRIBED',
  'DONT_LIKE_IT',
  'OVERDUE_DELIVERY',
  'INCOMPLETE',
  'HIDDEN_FLAW',
  'OTHER_FLAW',
  'DIFFERENT',
  'COUNTERFEIT',
  'NOT_NEW',
  'TOO_LARGE',
  'TOO_SMALL',
  'NOT_AS_EXPECTED',
  'ORDERED_FOR_COMPARISON',
] as const;

const COMMENTS: Partial<Record<(typeof RETURN_REASONS)[number], string>> = {
  MISTAKE: 'Kupione przez pomyłkę',
  DAMAGED: 'Przyszło uszkodzone',
  DONT_LIKE_IT: 'Jednak mi się nie podoba',
  NOT_AS_DESCRIBED: 'Inny kolor niż na zdjęciu',
  TOO_SMALL: 'Za mały rozmiar',
};

export interface ReturnItemRecord {
  lineItemId: string;
  quantity: number;
  reason: { type: string; userComment?: string };
}

export interface ReturnRecord {
  id: string;
  /** Order index in the account's AccountOrders. */
  index: number;
  orderId: string;
  createdAt: number;
  referenceNumber: string;
  items: ReturnItemRecord[];
  status: ReturnStatus;
  parcel?: { createdAt: number; waybill: string; carrierId: string; phoneNumber: string };
  rejection?: { code: RejectionCode; reason?: string; createdAt: number };
  /** Bank account the buyer gave for the refund (cash on delivery, OpenAPI CustomerReturnRefund). */
  bankAccount?: Record<string, unknown>;
}

/** What a refund gives back, in minor units of the order's currency. */
export interface RefundAmounts {
  totalUnits: number;
  /** Per line item: units (QUANTITY) and money in minor units (lines' value), deposits' money. */
  quantities: Map<string, number>;
  lineUnits: Map<string, number>;
  depositUnits: Map<string, number>;
  deliveryUnits: number;
  servicesUnits: number;
  overpaidUnits: number;
}

/** A payment refund as made (the RefundDetails answer without its time-dependent status). */
export interface RefundRecord extends RefundAmounts {
  id: string;
  index: number;
  orderId: string;
  paymentId: string;
  commandId?: string;
  createdAt: number;
  /** NEW until then, SUCCESS from then on (extra `refundSettleMs`). */
  settlesAt: number;
  canceled: boolean;
  /** The answer of the POST (OpenAPI RefundDetails, status NEW). */
  body: Record<string, unknown>;
}

const CARRIERS = ['ALLEGRO', 'INPOST', 'DPD', 'POCZTA_POLSKA'] as const;
const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const alnum = (rng: Rng, n: number): string =>
  Array.from({ length: n }, () => ALNUM[rng.int(0, ALNUM.length - 1)]).join('');

/** Spread of the seeded returns' statuses: at least half DELIVERED, so a demo can refund one. */
const SEEDED_STATUSES: readonly ReturnStatus[] = ['DELIVERED', 'IN_TRANSIT', 'DELIVERED', 'CREATED'];

interface FormLine {
  id: string;
  quantity: number;
}
interface FormView {
  status: string;
  payment: { type: string; finishedAt?: string };
  fulfillment: { status: string };
  lineItems: FormLine[];
  buyer: { firstName: string; lastName: string; phoneNumber: string; address: Record<string, string> };
}

type MapsAsEntries<T> = { [K in keyof T]: T[K] extends Map<infer A, infer B> ? [A, B][] : T[K] };

/** What one seller's returns and refunds keep across a restart (`SandboxOptions.stateDir`). */
export interface AccountReturnsSnapshot {
  seeded: boolean;
  returns: ReturnRecord[];
  refunds: MapsAsEntries<RefundRecord>[];
}

/**
 * One seller's customer returns and payment refunds, kept in memory. Seeded returns are made on
 * first use (`ensureSeeded`), so sandboxes that never read returns — the 100 000-order benchmark —
 * pay nothing for them.
 */
export class AccountReturns {
  readonly orders: AccountOrders;
  readonly returns: ReturnRecord[] = [];
  readonly refunds: RefundRecord[] = [];
  readonly byCommand = new Map<string, RefundRecord>();
  private readonly seededCount: number;
  private seeded = false;
  private payments?: { scanned: number; byId: Map<string, number> };

  constructor(input: { orders: AccountOrders; seededReturns: number }) {
    this.orders = input.orders;
    this.seededCount = input.seededReturns;
  }

  snapshot(): AccountReturnsSnapshot {
    return {
      seeded: this.seeded,
      returns: this.returns,
      refunds: this.refunds.map((r) => ({
        ...r,
        quantities: [...r.quantities],
        lineUnits: [...r.lineUnits],
        depositUnits: [...r.depositUnits],
      })),
    };
  }

  /** Takes back what a previous run of the sandbox kept. */
  restore(saved: AccountReturnsSnapshot): void {
    this.seeded = saved.seeded;
    this.returns.push(...saved.returns);
    for (const r of saved.refunds) {
      const refund: RefundRecord = {
        ...r,
        quantities: new Map(r.quantities),
        lineUnits: new Map(r.lineUnits),
        depositUnits: new Map(r.depositUnits),
      };
      this.refunds.push(refund);
      if (refund.commandId) this.byCommand.set(refund.commandId, refund);
    }
  }

  /**
   * A paid order that reached the buyer (READY_FOR_PROCESSING, fulfillment SENT or PICKED_UP,
   * data/order-header.ts): only those can come back.
   */
  eligible(index: number): boolean {
    const o = this.orders;
    if (o.hidden.has(index)) return false;
    const h = o.header(index);
    const fulfillment = o.overlay(index)?.fulfillment ?? h.fulfillment;
    return (
      h.status === 'READY_FOR_PROCESSING' && h.paid && (fulfillment === 'SENT' || fulfillment === 'PICKED_UP')
    );
  }

  /** Makes the seeded returns (the newest eligible seeded orders, one each), once. */
  ensureSeeded(): void {
    if (this.seeded) return;
    this.seeded = true;
    const o = this.orders;
    let made = 0;
    for (let index = o.seeded - 1; index >= 0 && made < this.seededCount; index--) {
      if (!this.eligible(index)) continue;
      const rng = rngFor(o.seed, 'customer-return', o.accountIndex, index);
      const form = o.form(index) as unknown as FormView;
      const line = rng.pick(form.lineItems);
      const boughtAt = o.times(index).boughtAt;
      // Some hours after the purchase, never after the sandbox clock's start.
      const createdAt = Math.min(boughtAt + rng.int(2, 72) * 3_600_000, o.anchor - (made + 1) * 60_000);
      this.returns.push(
        this.build({
          rng,
          index,
          form,
          createdAt: Math.max(createdAt, boughtAt + 1),
          items: [{ lineItemId: line.id, quantity: rng.chance(0.5) ? 1 : line.quantity }],
          status: SEEDED_STATUSES[made % SEEDED_STATUSES.length] ?? 'DELIVERED',
        }),
      );
      made++;
    }
    this.returns.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** A return the buyer opens now (control route, demo timer). */
  open(input: {
    index: number;
    items?: { lineItemId: string; quantity: number }[];
    status?: ReturnStatus;
    reason?: { type: string; userComment?: string };
    now?: number;
  }): ReturnRecord {
    this.ensureSeeded();
    const form = this.orders.form(input.index) as unknown as FormView;
    const rng = rngFor(
      this.orders.seed,
      'customer-return',
      this.orders.accountIndex,
      input.index,
      randomUUID(),
    );
    const record = this.build({
      rng,
      index: input.index,
      form,
      createdAt: input.now ?? Date.now(),
      items: input.items ?? form.lineItems.map((l) => ({ lineItemId: l.id, quantity: l.quantity })),
      status: input.status ?? 'DELIVERED',
      id: randomUUID(),
      reason: input.reason,
    });
    this.returns.push(record);
    // Oldest first, also when the sandbox clock's start (`anchor`) lies ahead of now.
    this.returns.sort((a, b) => a.createdAt - b.createdAt);
    return record;
  }

  private build(input: {
    rng: Rng;
    index: number;
    form: FormView;
    createdAt: number;
    items: { lineItemId: string; quantity: number }[];
    status: ReturnStatus;
    id?: string;
    reason?: { type: string; userComment?: string };
  }): ReturnRecord {
    const { rng, form } = input;
    const reasonOf = (): { type: string; userComment?: string } => {
      if (input.reason) return input.reason;
      const type = rng.pick(RETURN_REASONS.slice(1, 8));
      const comment = COMMENTS[type];
      return comment ? { type, userComment: comment } : { type };
    };
    const id = input.id ?? rng.uuid();
    const sent = input.status !== 'CREATED';
    return {
      id,
      index: input.index,
      orderId: this.orders.id(input.index),
      createdAt: input.createdAt,
      referenceNumber: `${alnum(rng, 4)}-${alnum(rng, 4)}`,
      items: input.items.map((i) => ({ ...i, reason: reasonOf() })),
      status: input.status,
      ...(sent
        ? {
            parcel: {
              createdAt: input.createdAt + 60_000,
              waybill: `AD00${alnum(rng, 6)}`,
              carrierId: rng.pick(CARRIERS),
              phoneNumber: form.buyer.phoneNumber.replace(/^\+\d+\s/, '').replaceAll(' ', ''),
            },
          }
        : {}),
      ...(form.payment.type === 'CASH_ON_DELIVERY'
        ? {
            bankAccount: bankAccount(rng, form),
          }
        : {}),
    };
  }

  find(id: string): ReturnRecord | undefined {
    this.ensureSeeded();
    return this.returns.find((r) => r.id === id);
  }

  /** Every return of the account, oldest first. */
  all(): ReturnRecord[] {
    this.ensureSeeded();
    return this.returns;
  }

  /**
   * Order index of a payment id of this seller, or null. The id is not derivable from the order
   * index, so the orders are scanned once, on the first refund that names no order (then only the
   * orders added since): a refund with `order.id` never pays for it.
   */
  paymentIndex(paymentId: string): number | null {
    const o = this.orders;
    if (!this.payments) this.payments = { scanned: 0, byId: new Map() };
    for (; this.payments.scanned < o.size; this.payments.scanned++) {
      const i = this.payments.scanned;
      const form = o.form(i) as unknown as { payment: { id: string } };
      this.payments.byId.set(form.payment.id, i);
    }
    const index = this.payments.byId.get(paymentId);
    return index === undefined || o.hidden.has(index) ? null : index;
  }

  refundsOf(index: number): RefundRecord[] {
    return this.refunds.filter((r) => r.index === index && !r.canceled);
  }

  /** A refund was made: record it; the order's open returns are FINISHED (#10150). */
  addRefund(refund: RefundRecord): ReturnRecord[] {
    this.ensureSeeded();
    this.refunds.push(refund);
    if (refund.commandId) this.byCommand.set(refund.commandId, refund);
    const finished = this.returns.filter(
      (r) => r.index === refund.index && !CLOSED_RETURN_STATUSES.has(r.status),
    );
    for (const r of finished) r.status = 'FINISHED';
    return finished;
  }
}

function bankAccount(rng: Rng, form: FormView): Record<string, unknown> {
  const digits = Array.from({ length: 26 }, () => rng.int(0, 9)).join('');
  const country = form.buyer.address.countryCode ?? 'PL';
  return {
    owner: `${form.buyer.firstName} ${form.buyer.lastName}`,
    accountNumber: digits,
    iban: `${country}${digits}`,
    address: {
      street: form.buyer.address.street,
      city: form.buyer.address.city,
      postCode: form.buyer.address.postCode,
      countryCode: country,
    },
  };
}
