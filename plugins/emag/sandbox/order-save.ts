import type { ApiCall } from './api.ts';
import { asEntityList, fail, isRecord, ok, toBool, toInt, type Envelope } from './envelope.ts';
import { ADDED_LINE_ID_BASE, type AddedLine, type OrderOverlay } from './order-generator.ts';
import { isCancellationReason, refuseTransition } from './order-status.ts';
import { currencyAt, vatRatesAt, type Currency } from './platforms.ts';

/**
 * `order/save` (API doc 5.5 "Updating orders", 5.3 "Order status matrix"): a list of up to 50
 * orders. "When updating an order, the seller should send ALL the fields initially read"
 * (reference README "eMAG": `order/save` must send all the fields initially read): each entity
 * needs the fields 5.1 marks required (`id`, `status`, `payment_mode_id`, `type` — mandatory
 * since August 2025), and its `products` are the order's lines as they are to be — a line left
 * out, or the whole list left out, is removed from the order (5.5.1 "send the status=0 for the
 * product or do not send it at all"). Cancellation needs `reason_cancellation`; product lines may
 * change only in status 2/3 (or as storno in 4). The whole request is validated before anything
 * is applied, so an error changes nothing.
 */
const MAX_ENTITIES = 50;

interface Planned {
  index: number;
  id: number;
  patch: OrderOverlay;
  effects: { kind: string; data: Record<string, unknown> }[];
}

export function saveOrders({ account, data, ctx }: ApiCall): Envelope {
  const list = asEntityList(data);
  if (!list || list.length === 0) return fail('data must be a list of orders');
  if (list.length > MAX_ENTITIES) return fail(`Maximum ${MAX_ENTITIES} entities per request`);
  const acc = ctx.store.of(account);
  const now = ctx.now();
  const planned: Planned[] = [];
  const errors: string[] = [];

  for (const entity of list) {
    const id = toInt(entity.id);
    const index = id === undefined ? -1 : ctx.store.find(acc, id);
    if (id === undefined || index < 0) {
      errors.push(`Order ${String(entity.id)} not found`);
      continue;
    }
    const header = ctx.store.header(acc, index);
    const type = toInt(entity.type);
    if (type === undefined) {
      errors.push(`Order ${id}: type is mandatory`);
      continue;
    }
    if (type !== header.type) {
      errors.push(`Order ${id}: type ${type} does not match the order's type ${header.type}`);
      continue;
    }
    if (header.type !== 3) {
      errors.push(
        `Order ${id}: you can edit only orders having type 3; on type 2 orders only attachments can be uploaded`,
      );
      continue;
    }
    const status = toInt(entity.status);
    if (status === undefined || status < 0 || status > 5) {
      errors.push(`Order ${id}: status must be an integer between 0 and 5`);
      continue;
    }
    const paymentMode = toInt(entity.payment_mode_id);
    if (paymentMode === undefined) {
      errors.push(`Order ${id}: payment_mode_id is mandatory; send all the fields of the order as read`);
      continue;
    }
    if (paymentMode !== header.paymentModeId) {
      errors.push(
        `Order ${id}: payment_mode_id ${paymentMode} does not match the order's ${header.paymentModeId}`,
      );
      continue;
    }
    const plan: Planned = { index, id, patch: {}, effects: [] };
    if (status !== header.status) {
      const refused = refuseTransition(header.status, status, now - ctx.store.statusChangedAt(acc, index));
      if (refused) {
        errors.push(`Order ${id}: ${refused}`);
        continue;
      }
      plan.patch = { status, statusChangedAt: now, modified: now };
      if (status === 0) {
        const reason = toInt(entity.reason_cancellation);
        if (reason === undefined || !isCancellationReason(reason)) {
          errors.push(`Order ${id}: reason_cancellation is required to cancel an order (1-3 or 15-43)`);
          continue;
        }
        plan.patch.reasonCancellation = reason;
        plan.effects.push({ kind: 'order.cancelled', data: { from: header.status, reason } });
      } else {
        plan.effects.push({ kind: 'order.status_changed', data: { from: header.status, to: status } });
      }
    }
    {
      const edit = planProducts({
        order: ctx.store.order(acc, index),
        entity,
        header,
        defaultVat: vatRatesAt(account.platform, now)[0] ?? 0,
        currency: currencyAt(account.platform, ctx.store.createdAt(acc, index)),
        addedSoFar: acc.overlay.get(index)?.addedLines ?? [],
      });
      if ('error' in edit) {
        errors.push(`Order ${id}: ${edit.error}`);
        continue;
      }
      if (edit.changed) {
        plan.patch.lines = edit.lines;
        plan.patch.modified = now;
        if (edit.added.length > 0) plan.patch.addedLines = [...edit.addedSoFar, ...edit.added];
        plan.effects.push({
          kind: toBool(entity.is_storno) ? 'order.storno' : 'order.products_changed',
          data: {
            lines: edit.lines,
            added: edit.added.map((a) => ({ id: a.id, product_id: a.productId, quantity: a.quantity })),
          },
        });
      }
    }
    planned.push(plan);
  }
  if (errors.length > 0) return fail(...errors);
  for (const plan of planned) {
    if (Object.keys(plan.patch).length > 0) ctx.store.mutate(acc, plan.index, plan.patch);
    for (const e of plan.effects)
      ctx.ledger.record({ kind: e.kind, account: account.key, target: String(plan.id), data: e.data });
  }
  return ok([]);
}

type LineEdits = Record<number, { quantity: number; status: 0 | 1 }>;

interface ProductPlan {
  changed: boolean;
  lines: LineEdits;
  added: AddedLine[];
  addedSoFar: AddedLine[];
}

function planProducts(input: {
  order: Record<string, unknown>;
  entity: Record<string, unknown>;
  header: { status: number; paymentModeId: number };
  defaultVat: number;
  currency: Currency;
  addedSoFar: AddedLine[];
}): ProductPlan | { error: string } {
  const { order, entity, header, addedSoFar } = input;
  // Products not sent at all: every line is "not sent", so every line is removed (5.5.1).
  const products = entity.products === undefined || entity.products === null ? [] : entity.products;
  if (!Array.isArray(products)) return { error: 'products must be a list' };
  const sent = new Map<number, Record<string, unknown>>();
  const added: AddedLine[] = [];
  for (const p of products) {
    if (!isRecord(p)) return { error: 'every product must be an object' };
    const lineId = toInt(p.id);
    if (lineId !== undefined) {
      sent.set(lineId, p);
      continue;
    }
    // "To add a new product … send the product id (mandatory), name, status and sale price."
    const line = newLine(p, ADDED_LINE_ID_BASE + addedSoFar.length + added.length, input);
    if ('error' in line) return line;
    added.push(line);
  }
  const lines: LineEdits = {};
  let changed = false;
  let reduced = false;
  const current = order.products as Record<string, unknown>[];
  for (const line of current) {
    const lineId = line.id as number;
    const p = sent.get(lineId);
    sent.delete(lineId);
    // "To remove a product … send status=0 for the product or do not send it at all."
    const status = p === undefined ? 0 : toInt(p.status ?? 1) === 0 ? 0 : 1;
    const quantity = p === undefined ? (line.quantity as number) : toInt(p.quantity ?? line.quantity);
    if (quantity === undefined || quantity < 1)
      return { error: `product line ${lineId}: quantity must be a positive integer` };
    if (p?.sale_price !== undefined && Number(p.sale_price) !== Number(line.sale_price))
      return { error: 'Updating product prices is no longer available' };
    if (status !== line.status || quantity !== line.quantity) {
      changed = true;
      if (status === 0 || quantity < (line.quantity as number)) reduced = true;
      if (quantity > (line.quantity as number) && header.status === 4)
        return { error: 'a storno can only reduce quantities' };
    }
    lines[lineId] = { quantity, status };
  }
  if (sent.size > 0) return { error: `unknown product line id(s) ${[...sent.keys()].join(', ')}` };
  if (added.length > 0) {
    changed = true;
    if (header.status !== 2 && header.status !== 3)
      return { error: 'products can be added only while the order is in progress (2) or prepared (3)' };
  }
  if (!changed) return { changed, lines, added, addedSoFar };
  if (header.status === 4 && !toBool(entity.is_storno))
    return { error: 'a finalized order cannot be modified; use is_storno to return products' };
  if (header.status !== 2 && header.status !== 3 && header.status !== 4)
    return { error: 'products can be modified only while the order is in progress (2) or prepared (3)' };
  if (reduced && header.paymentModeId === 3 && header.status !== 4)
    return {
      error: 'Updating product quantities for orders with Online Card payment method is no longer possible',
    };
  return { changed, lines, added, addedSoFar };
}

function newLine(
  p: Record<string, unknown>,
  id: number,
  { defaultVat, currency }: { defaultVat: number; currency: Currency },
): AddedLine | { error: string } {
  const productId = toInt(p.product_id);
  const quantity = toInt(p.quantity ?? 1);
  const price =
    typeof p.sale_price === 'number' || typeof p.sale_price === 'string' ? Number(p.sale_price) : NaN;
  const vat = p.vat === undefined ? defaultVat / 10000 : Number(p.vat);
  if (productId === undefined) return { error: 'a new product needs its product_id' };
  if (typeof p.name !== 'string' || p.name === '')
    return { error: `new product ${productId}: name is required` };
  if (!Number.isFinite(price)) return { error: `new product ${productId}: sale_price is required` };
  if (quantity === undefined || quantity < 1)
    return { error: `new product ${productId}: quantity must be a positive integer` };
  if (!Number.isFinite(vat) || vat < 0 || vat >= 1)
    return { error: `new product ${productId}: vat must be a fraction such as 0.1900` };
  return {
    id,
    productId,
    name: p.name,
    quantity,
    netPrice: Math.round(price * 10000),
    currency,
    vatRate: Math.round(vat * 10000),
    partNumber: typeof p.part_number === 'string' ? p.part_number : '',
  };
}
