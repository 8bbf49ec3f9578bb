import { rngFor } from '@mch/plugin-sdk/sandbox-kit';
import { wallTime } from './dates.ts';
import {
  exclusiveTax,
  formatDp,
  inclusiveTax,
  phpFloatString,
  phpRound,
  rateCode,
  rateFor,
  TAX_RATES,
  toCents,
  type TaxRate,
} from './money.ts';
import type {
  Billing,
  NewOrder,
  RefundSpec,
  Shipping,
  StoreSettings,
  WooFeeLine,
  WooItemMeta,
  WooItemTax,
  WooLineItem,
  WooOrder,
  WooRefund,
  WooShippingLine,
  WooTaxLine,
} from './types.ts';

/** WooCommerce version the sandbox answers as (order `version`). */
export const WC_VERSION = '9.9.3';

interface Meta {
  id: number;
  key: string;
  value: string;
}

/** One order item (line item, shipping or fee), amounts in currency units, UNROUNDED as WooCommerce stores them. */
interface Item {
  id: number;
  type: 'line_item' | 'shipping' | 'fee';
  name: string;
  rateId: number;
  taxClass: string;
  quantity: number;
  subtotal: number;
  total: number;
  taxSubtotal: number;
  taxTotal: number;
  sku: string;
  productId: number;
  methodId: string;
  instanceId: string;
  meta: Meta[];
}

interface CouponItem {
  id: number;
  code: string;
  type: 'percent' | 'fixed_cart';
  /** The coupon's amount: a percent or a fixed amount (nominal_amount). */
  nominal: number;
  discount: number;
  discountTax: number;
}

interface TaxItem {
  id: number;
  rateId: number;
  taxTotal: number;
  shippingTaxTotal: number;
}

export interface Order {
  id: number;
  orderKey: string;
  status: string;
  currency: string;
  createdAt: number;
  modifiedAt: number;
  paidAt: number | null;
  completedAt: number | null;
  pricesIncludeTax: boolean;
  customerId: number;
  billing: Billing;
  shipping: Shipping;
  paymentMethod: string;
  paymentMethodTitle: string;
  transactionId: string;
  customerNote: string;
  meta: Meta[];
  items: Item[];
  coupons: CouponItem[];
  taxes: TaxItem[];
  discountTotal: number;
  discountTax: number;
  shippingTotal: number;
  shippingTax: number;
  cartTax: number;
  total: number;
}

export interface Refund {
  id: number;
  parentId: number;
  createdAt: number;
  amount: number;
  reason: string;
  items: (Item & { refundedItemId: number })[];
  taxes: TaxItem[];
  meta: Meta[];
}

export interface StoreSnapshot {
  nextPostId: number;
  nextItemId: number;
  nextMetaId: number;
  orders: Order[];
  refunds: Refund[];
}

const PAID_STATUSES = ['processing', 'completed'];
/** wc_get_order_statuses() without the `wc-` prefix (includes/wc-order-functions.php). */
export const ORDER_STATUSES = [
  'pending',
  'processing',
  'on-hold',
  'completed',
  'cancelled',
  'refunded',
  'failed',
  'checkout-draft',
];

const CURRENCY_SYMBOLS: Record<string, string> = { PLN: 'zł', EUR: '€', USD: '$', GBP: '£', CZK: 'Kč' };

const emptyAddress = () => ({
  first_name: '',
  last_name: '',
  company: '',
  address_1: '',
  address_2: '',
  city: '',
  state: '',
  postcode: '',
  country: '',
});

export interface Store {
  settings: StoreSettings;
  addOrder(spec: NewOrder, now: number): Order;
  setStatus(id: number, status: string, at: number): Order;
  refund(orderId: number, spec: RefundSpec, at: number): Refund;
  get(id: number): Order | undefined;
  all(): Order[];
  refunds(): Refund[];
  refundsOf(orderId: number): Refund[];
  snapshot(): StoreSnapshot;
  restore(snapshot: StoreSnapshot): void;
  reset(): void;
  renderOrder(order: Order, dp: number): WooOrder;
  renderRefund(refund: Refund, dp: number, withParent: boolean): WooRefund;
}

/** `_links` of a response (WP_REST_Response::add_links → `{rel: [{href, …}]}`). */
type Links = Record<string, { href: string; embeddable?: boolean }[]>;

export function createStore(settings: StoreSettings, seed: string, restUrl: () => string = () => ''): Store {
  let nextPostId = 100;
  let nextItemId = 1;
  let nextMetaId = 1;
  let orders = new Map<number, Order>();
  let refunds = new Map<number, Refund>();

  /** round_line_tax (WC_Cart_Totals): per line to cents unless "Round tax at subtotal level". */
  const roundLineTax = (cents: number) => (settings.taxRoundAtSubtotal ? cents : phpRound(cents));
  const units = (cents: number) => Number(phpFloatString(cents / 100));

  function makeItem(partial: Partial<Item> & Pick<Item, 'type' | 'name' | 'rateId'>): Item {
    return {
      id: nextItemId++,
      taxClass: TAX_RATES.find((r) => r.id === partial.rateId)!.taxClass,
      quantity: 1,
      subtotal: 0,
      total: 0,
      taxSubtotal: 0,
      taxTotal: 0,
      sku: '',
      productId: 0,
      methodId: '',
      instanceId: '',
      meta: [],
      ...partial,
    };
  }

  /** The order totals WooCommerce's checkout stores (WC_Cart_Totals + WC_Checkout::set_data_from_cart). */
  function computeOrder(
    spec: NewOrder,
  ): Pick<
    Order,
    | 'items'
    | 'coupons'
    | 'taxes'
    | 'discountTotal'
    | 'discountTax'
    | 'shippingTotal'
    | 'shippingTax'
    | 'cartTax'
    | 'total'
  > {
    const inclusive = settings.pricesIncludeTax;
    if (!spec.lines.length) throw new Error('An order needs at least one line.');
    // WC_Cart_Totals::get_items_from_cart: item price = unit price × quantity, in cents.
    const lines = spec.lines.map((line, index) => {
      if (!Number.isInteger(line.quantity) || line.quantity < 1)
        throw new Error(`Line ${line.sku}: quantity must be a positive integer.`);
      const rate = rateFor(line.vatRate);
      return { index, line, rate, price: toCents(line.price) * line.quantity, discount: 0 };
    });
    // Items in WC_Discounts order: sorted by price × quantity, highest first (sort_by_price).
    // includes/class-wc-discounts.php.
    const sorted = [...lines].sort((a, b) => b.price * b.line.quantity - a.price * a.line.quantity);
    /** apply_coupon_remainder: one cent per unit, in item order, until `amount` is given. */
    const remainder = (amount: number): number => {
      let given = 0;
      for (const l of sorted) {
        for (let i = 0; i < l.line.quantity; i++) {
          const step = Math.min(l.price - l.discount, 1);
          l.discount += step;
          given += step;
          if (given >= amount) return given;
        }
      }
      return given;
    };
    const coupon = spec.coupon;
    if (coupon && 'percent' in coupon) {
      // apply_coupon_percent: floor(price × percent) per item on the undiscounted price (prices as
      // entered, so gross when prices include tax); the cents lost to flooring,
      // round(Σ price × percent) − Σ, go out through apply_coupon_remainder.
      const pct = coupon.percent;
      if (!(pct > 0 && pct <= 100)) throw new Error('Coupon percent must be in (0, 100].');
      let given = 0;
      let cartTotal = 0;
      for (const l of sorted) {
        l.discount = Math.min(l.price, Math.floor(l.price * (pct / 100)));
        given += l.discount;
        cartTotal += l.price;
      }
      const wanted = phpRound(cartTotal * (pct / 100));
      if (given < wanted) remainder(wanted - given);
    } else if (coupon) {
      // apply_coupon_fixed_cart: floor(amount / units) per unit (apply_coupon_fixed_product, capped
      // at what is left of each item), repeated for what is still owed; below one cent per unit the
      // rest goes out through apply_coupon_remainder.
      const fixedCart = (amount: number): number => {
        const open = sorted.filter((l) => l.price - l.discount > 0);
        const units = open.reduce((s, l) => s + l.line.quantity, 0);
        if (!units || amount <= 0) return 0;
        const perUnit = Math.floor(amount / units);
        if (perUnit <= 0) return remainder(amount);
        let total = 0;
        for (const l of open) {
          const d = Math.min(l.price - l.discount, perUnit * l.line.quantity);
          l.discount += d;
          total += d;
        }
        if (total > 0 && total < amount) total += fixedCart(amount - total);
        return total;
      };
      fixedCart(toCents(coupon.fixedCart));
    }
    const taxOf = (cents: number, rate: TaxRate, incl: boolean) =>
      incl ? inclusiveTax(cents, rate.percent) : exclusiveTax(cents, rate.percent);

    const items: Item[] = [];
    let itemsTotalCents = 0;
    const merged = new Map<number, { cart: number; shipping: number }>();
    const addMerged = (rateId: number, cents: number, kind: 'cart' | 'shipping') => {
      const m = merged.get(rateId) ?? { cart: 0, shipping: 0 };
      m[kind] += roundLineTax(cents);
      merged.set(rateId, m);
    };
    let couponDiscountTax = 0;
    for (const l of lines) {
      // WC_Cart_Totals::calculate_item_subtotals / calculate_item_totals: taxes from the (discounted)
      // price; with prices including tax the net is price − UNROUNDED tax ("Use unrounded taxes so
      // we can re-calculate from the orders screen accurately later").
      const subTax = taxOf(l.price, l.rate, inclusive);
      const discounted = l.price - l.discount;
      const totTax = taxOf(discounted, l.rate, inclusive);
      const subtotal = inclusive ? l.price - subTax : l.price;
      const total = inclusive ? discounted - totTax : discounted;
      couponDiscountTax += taxOf(l.discount, l.rate, inclusive);
      itemsTotalCents += settings.taxRoundAtSubtotal ? total : phpRound(total);
      addMerged(l.rate.id, totTax, 'cart');
      const product = productFor(l.line.sku);
      items.push(
        makeItem({
          type: 'line_item',
          name: l.line.name,
          rateId: l.rate.id,
          quantity: l.line.quantity,
          subtotal: units(subtotal),
          total: units(total),
          taxSubtotal: units(subTax),
          taxTotal: units(totTax),
          sku: l.line.sku,
          productId: product,
        }),
      );
    }
    // Fees: WC_Cart_Totals::calculate_fee_totals, the amount is net and taxed on top.
    let feesCents = 0;
    for (const fee of spec.fees ?? []) {
      const rate = rateFor(fee.vatRate);
      const cents = toCents(fee.price);
      const tax = exclusiveTax(cents, rate.percent);
      feesCents += cents;
      addMerged(rate.id, tax, 'cart');
      items.push(
        makeItem({
          type: 'fee',
          name: fee.name,
          rateId: rate.id,
          total: units(cents),
          subtotal: units(cents),
          taxTotal: units(tax),
          taxSubtotal: units(tax),
        }),
      );
    }
    // Shipping: the method cost is net; its taxes come from WC_Tax::calc_shipping_tax (exclusive).
    let shippingCents = 0;
    if (spec.shipping) {
      const rate = rateFor(spec.shipping.vatRate);
      const cents = toCents(spec.shipping.price);
      const tax = exclusiveTax(cents, rate.percent);
      shippingCents += cents;
      addMerged(rate.id, tax, 'shipping');
      const names = spec.lines.map((l) => `${l.name} &times; ${l.quantity}`).join(', ');
      items.push(
        makeItem({
          type: 'shipping',
          name: spec.shipping.title,
          rateId: rate.id,
          total: units(cents),
          subtotal: units(cents),
          taxTotal: units(tax),
          taxSubtotal: units(tax),
          methodId: spec.shipping.methodId ?? 'flat_rate',
          instanceId: spec.shipping.methodId === 'free_shipping' ? '2' : '1',
          // WC_Shipping_Method::add_rate stores the package contents as the "Items" meta.
          meta: [{ id: nextMetaId++, key: 'Items', value: names }],
        }),
      );
    }
    const mergedSum = [...merged.values()].reduce((s, m) => s + m.cart + m.shipping, 0);
    // WC_Cart_Totals::calculate_totals: total = round(items + fees + shipping + Σ merged taxes).
    const totalCents = phpRound(itemsTotalCents + feesCents + shippingCents + mergedSum);
    const cartTaxCents = [...merged.values()].reduce((s, m) => s + m.cart, 0);
    const shippingTaxCents = [...merged.values()].reduce((s, m) => s + m.shipping, 0);
    const coupons: CouponItem[] = [];
    let discountTotal = 0;
    let discountTax = 0;
    if (spec.coupon) {
      // WC_Cart_Totals::calculate_discounts: the coupon's discount is net of the tax it removed
      // when prices include tax; discount_tax is that tax.
      const gross = lines.reduce((s, l) => s + l.discount, 0);
      discountTax = couponDiscountTax / 100;
      discountTotal = (inclusive ? gross - couponDiscountTax : gross) / 100;
    }
    // WC_Checkout::create_order_line_items, _fee_lines, _shipping_lines, _tax_lines, _coupon_lines:
    // the order in which item ids are taken.
    const ordered = [
      ...items.filter((i) => i.type === 'line_item'),
      ...items.filter((i) => i.type === 'fee'),
      ...items.filter((i) => i.type === 'shipping'),
    ];
    const taxes: TaxItem[] = [...merged.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([rateId, m]) => ({
        id: nextItemId++,
        rateId,
        taxTotal: m.cart / 100,
        shippingTaxTotal: m.shipping / 100,
      }));
    if (spec.coupon) {
      coupons.push({
        id: nextItemId++,
        // wc_format_coupon_code(): coupon codes are stored lower-case.
        code: spec.coupon.code.toLowerCase(),
        type: 'percent' in spec.coupon ? 'percent' : 'fixed_cart',
        nominal: 'percent' in spec.coupon ? spec.coupon.percent : Number(spec.coupon.fixedCart),
        discount: discountTotal,
        discountTax,
      });
    }
    return {
      items: ordered,
      coupons,
      taxes,
      discountTotal,
      discountTax,
      shippingTotal: shippingCents / 100,
      shippingTax: shippingTaxCents / 100,
      cartTax: phpRound(cartTaxCents) / 100,
      total: totalCents / 100,
    };
  }

  /** A product id per SKU, stable across restarts (the store's catalogue is fiction). */
  function productFor(sku: string): number {
    let h = 0;
    for (const ch of sku) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return 10 + (h % 9000);
  }

  /** WC_Order::maybe_set_date_paid / maybe_set_date_completed (includes/class-wc-order.php). */
  function applyStatus(order: Order, status: string, at: number): void {
    order.status = status;
    if (PAID_STATUSES.includes(status) && order.paidAt === null) order.paidAt = at;
    // maybe_set_date_completed sets the date on every transition to completed (no null check).
    if (status === 'completed') order.completedAt = at;
    order.modifiedAt = at;
  }

  const totalRefunded = (orderId: number) =>
    [...refunds.values()].filter((r) => r.parentId === orderId).reduce((s, r) => s + r.amount, 0);

  const store: Store = {
    settings,
    addOrder(spec, now) {
      const status = spec.status ?? 'processing';
      if (!ORDER_STATUSES.includes(status)) throw new Error(`Unknown order status "${status}".`);
      const created = spec.createdAt ? Date.parse(spec.createdAt) : now;
      if (Number.isNaN(created)) throw new Error(`Bad createdAt "${spec.createdAt}".`);
      const computed = computeOrder(spec);
      const billing: Billing = { ...emptyAddress(), email: '', phone: '', country: 'PL', ...spec.billing };
      const order: Order = {
        id: nextPostId++,
        // wc_generate_order_key(): 'wc_order_' + 13 random alphanumerics.
        orderKey: `wc_order_${rngFor(seed, 'order-key', nextPostId).hex(13)}`,
        status: 'pending',
        currency: spec.currency ?? 'PLN',
        createdAt: created,
        modifiedAt: created,
        paidAt: null,
        completedAt: null,
        pricesIncludeTax: settings.pricesIncludeTax,
        customerId: 0,
        billing,
        shipping: {
          ...emptyAddress(),
          first_name: billing.first_name,
          last_name: billing.last_name,
          company: billing.company,
          address_1: billing.address_1,
          address_2: billing.address_2,
          city: billing.city,
          state: billing.state,
          postcode: billing.postcode,
          country: billing.country,
          phone: '',
        },
        paymentMethod: spec.paymentMethod ?? 'przelewy24',
        paymentMethodTitle: spec.paymentMethodTitle ?? 'Przelewy24',
        transactionId: '',
        customerNote: spec.customerNote ?? '',
        meta: (spec.meta ?? []).map((m) => ({ id: nextMetaId++, key: m.key, value: m.value })),
        ...computed,
      };
      orders.set(order.id, order);
      if (status !== 'pending') applyStatus(order, status, created);
      if (status === 'refunded') refundRemaining(order, created);
      return order;
    },
    setStatus(id, status, at) {
      const order = orders.get(id);
      if (!order) throw new Error(`No order ${id}.`);
      if (!ORDER_STATUSES.includes(status)) throw new Error(`Unknown order status "${status}".`);
      applyStatus(order, status, at);
      // wc_order_fully_refunded() runs on woocommerce_order_status_refunded: it refunds what is
      // left with the reason "Order fully refunded." (includes/wc-order-functions.php).
      if (status === 'refunded') refundRemaining(order, at);
      return order;
    },
    refund(orderId, spec, at) {
      const order = orders.get(orderId);
      if (!order) throw new Error('Invalid order ID.');
      return createRefund(order, spec, at);
    },
    get: (id) => orders.get(id),
    all: () => [...orders.values()],
    refunds: () => [...refunds.values()],
    refundsOf: (orderId) => [...refunds.values()].filter((r) => r.parentId === orderId),
    snapshot: () => ({
      nextPostId,
      nextItemId,
      nextMetaId,
      orders: [...orders.values()],
      refunds: [...refunds.values()],
    }),
    restore(s) {
      nextPostId = s.nextPostId;
      nextItemId = s.nextItemId;
      nextMetaId = s.nextMetaId;
      orders = new Map(s.orders.map((o) => [o.id, o]));
      refunds = new Map(s.refunds.map((r) => [r.id, r]));
    },
    reset() {
      nextPostId = 100;
      nextItemId = 1;
      nextMetaId = 1;
      orders = new Map();
      refunds = new Map();
    },
    renderOrder: (order, dp) => renderOrder(order, dp),
    renderRefund: (refund, dp, withParent) => renderRefund(refund, dp, withParent),
  };

  function refundRemaining(order: Order, at: number): void {
    const left = phpRound(order.total - totalRefunded(order.id), 2);
    if (left <= 0) return;
    createRefund(order, { amount: left.toFixed(2), reason: 'Order fully refunded.' }, at, true);
  }

  /**
   * wc_create_refund() (includes/wc-order-functions.php): refuses an amount above
   * `get_remaining_refund_amount()` ("Invalid refund amount."); copies each refunded item with
   * quantity × −1, negative total/subtotal/taxes and meta `_refunded_item_id`; the refund's total
   * is −amount; the parent order's date_modified is set; when nothing is left to refund the order
   * goes to `refunded` (woocommerce_order_fully_refunded_status).
   */
  function createRefund(order: Order, spec: RefundSpec, at: number, fromStatusChange = false): Refund {
    const planned: { item: Item; qty: number; net: number; tax: number }[] = [];
    let linesSum = 0;
    const alreadyQty = (itemId: number) =>
      -[...refunds.values()]
        .filter((r) => r.parentId === order.id)
        .flatMap((r) => r.items)
        .filter((i) => i.refundedItemId === itemId)
        .reduce((s, i) => s + i.quantity, 0);
    const split = (gross: number, rate: TaxRate) => {
      const net = phpRound(gross / (1 + rate.percent / 100), 2);
      return { net, tax: phpRound(gross - net, 2) };
    };
    for (const line of spec.lines ?? []) {
      const item = order.items.find((i) => i.type === 'line_item' && i.sku === line.sku);
      if (!item) throw new Error(`Order ${order.id} has no line with SKU ${line.sku}.`);
      if (!Number.isInteger(line.quantity) || line.quantity < 0)
        throw new Error('Refund quantity must be a whole number ≥ 0.');
      if (line.quantity + alreadyQty(item.id) > item.quantity) {
        throw new Error(
          `Cannot refund ${line.quantity} of ${line.sku}: only ${item.quantity - alreadyQty(item.id)} left.`,
        );
      }
      const rate = TAX_RATES.find((r) => r.id === item.rateId)!;
      let net: number;
      let tax: number;
      if (line.refundTotal !== undefined) {
        ({ net, tax } = split(Number(line.refundTotal), rate));
      } else {
        // The order screen's refund form: unit total × quantity and unit tax × quantity, each
        // rounded to the price decimals (assets/js/admin/meta-boxes-order.js, refund line inputs).
        net = phpRound((phpRound(item.total, 2) / item.quantity) * line.quantity, 2);
        tax = phpRound((lineTaxRounded(item) / item.quantity) * line.quantity, 2);
      }
      linesSum += net + tax;
      planned.push({ item, qty: line.quantity, net, tax });
    }
    if (spec.shipping) {
      const item = order.items.find((i) => i.type === 'shipping');
      if (!item) throw new Error(`Order ${order.id} has no shipping line.`);
      const rate = TAX_RATES.find((r) => r.id === item.rateId)!;
      const { net, tax } = split(Number(spec.shipping.refundTotal), rate);
      linesSum += net + tax;
      planned.push({ item, qty: 0, net, tax });
    }
    const amount = phpRound(spec.amount !== undefined ? Number(spec.amount) : linesSum, 2);
    const remaining = phpRound(order.total - totalRefunded(order.id), 2);
    if (!(amount >= 0) || amount > remaining) throw new Error('Invalid refund amount.');
    const refundId = nextPostId++;
    const refundItems = planned.map((p) => refundCopy(p.item, p.qty, p.net, p.tax));
    // WC_Order_Refund::update_taxes(): tax items of the refund, per rate, sums of the items' taxes.
    const perRate = new Map<number, { cart: number; shipping: number }>();
    for (const i of refundItems) {
      const m = perRate.get(i.rateId) ?? { cart: 0, shipping: 0 };
      if (i.type === 'shipping') m.shipping += i.taxTotal;
      else m.cart += i.taxTotal;
      perRate.set(i.rateId, m);
    }
    const refund: Refund = {
      id: refundId,
      parentId: order.id,
      createdAt: at,
      amount,
      reason: spec.reason ?? '',
      items: refundItems,
      taxes: [...perRate.entries()].map(([rateId, m]) => ({
        id: nextItemId++,
        rateId,
        taxTotal: m.cart,
        shippingTaxTotal: m.shipping,
      })),
      meta: [],
    };
    refunds.set(refund.id, refund);
    if (!fromStatusChange && phpRound(remaining - amount, 2) <= 0) {
      // woocommerce_order_fully_refunded_status → 'refunded'; the remaining amount is 0 so
      // wc_order_fully_refunded() creates nothing more.
      applyStatus(order, 'refunded', at);
    }
    order.modifiedAt = at;
    return refund;
  }

  function lineTaxRounded(item: Item): number {
    return settings.taxRoundAtSubtotal ? item.taxTotal : phpRound(item.taxTotal, 2);
  }

  function refundCopy(item: Item, qty: number, net: number, tax: number): Refund['items'][number] {
    return {
      ...item,
      id: nextItemId++,
      quantity: -qty,
      // wc_format_refund_total(): the refund's items are negative.
      subtotal: -net,
      total: -net,
      taxSubtotal: -tax,
      taxTotal: -tax,
      meta: [{ id: nextMetaId++, key: '_refunded_item_id', value: String(item.id) }],
      refundedItemId: item.id,
    };
  }

  const tz = () => settings.timezone;
  const local = (ms: number | null) => (ms === null ? null : wallTime(ms, tz()));
  const gmt = (ms: number | null) => (ms === null ? null : wallTime(ms, 'UTC'));
  const itemMeta = (meta: Meta[]): WooItemMeta[] =>
    meta.map((m) => ({ id: m.id, key: m.key, value: m.value, display_key: m.key, display_value: m.value }));
  /** taxes[]: the stored, unrounded values (get_order_item_data formats only the listed keys). */
  const itemTaxes = (item: Item): WooItemTax[] => [
    { id: item.rateId, total: phpFloatString(item.taxTotal), subtotal: phpFloatString(item.taxSubtotal) },
  ];
  /** set_taxes(): total_tax is the sum of the rounded taxes unless taxes round at subtotal. */
  const roundedTax = (value: number) => (settings.taxRoundAtSubtotal ? value : phpRound(value, 2));

  function renderLine(item: Item, dp: number): WooLineItem {
    return {
      id: item.id,
      name: item.name,
      product_id: item.productId,
      variation_id: 0,
      quantity: item.quantity,
      tax_class: item.taxClass,
      subtotal: formatDp(item.subtotal, dp),
      subtotal_tax: formatDp(roundedTax(item.taxSubtotal), dp),
      total: formatDp(item.total, dp),
      total_tax: formatDp(roundedTax(item.taxTotal), dp),
      taxes: itemTaxes(item),
      meta_data: itemMeta(item.meta),
      sku: item.sku,
      // $item->get_total() / $item->get_quantity(): net, unrounded.
      price: item.quantity ? Number(phpFloatString(item.total)) / item.quantity : 0,
      image: { id: 0, src: '' },
      parent_name: null,
    };
  }

  function renderShipping(item: Item, dp: number): WooShippingLine {
    return {
      id: item.id,
      method_title: item.name,
      method_id: item.methodId,
      instance_id: item.instanceId,
      total: formatDp(item.total, dp),
      total_tax: formatDp(roundedTax(item.taxTotal), dp),
      taxes: itemTaxes(item),
      tax_status: 'taxable',
      meta_data: itemMeta(item.meta),
    };
  }

  function renderFee(item: Item, dp: number): WooFeeLine {
    return {
      id: item.id,
      name: item.name,
      tax_class: item.taxClass,
      tax_status: 'taxable',
      amount: phpFloatString(item.total),
      total: formatDp(item.total, dp),
      total_tax: formatDp(roundedTax(item.taxTotal), dp),
      taxes: itemTaxes(item),
      meta_data: itemMeta(item.meta),
    };
  }

  function renderTax(t: TaxItem, dp: number): WooTaxLine {
    const rate = TAX_RATES.find((r) => r.id === t.rateId)!;
    return {
      id: t.id,
      rate_code: rateCode(rate),
      rate_id: rate.id,
      label: rate.label,
      compound: false,
      tax_total: formatDp(t.taxTotal, dp),
      shipping_tax_total: formatDp(t.shippingTaxTotal, dp),
      rate_percent: rate.percent,
      meta_data: [],
    };
  }

  function renderOrder(o: Order, dp: number): WooOrder {
    const ownRefunds = [...refunds.values()]
      .filter((r) => r.parentId === o.id)
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    const needsPayment = ['pending', 'failed'].includes(o.status) && o.total > 0;
    return {
      id: o.id,
      parent_id: 0,
      status: o.status,
      currency: o.currency,
      version: WC_VERSION,
      prices_include_tax: o.pricesIncludeTax,
      date_created: local(o.createdAt)!,
      date_modified: local(o.modifiedAt)!,
      discount_total: formatDp(o.discountTotal, dp),
      discount_tax: formatDp(o.discountTax, dp),
      shipping_total: formatDp(o.shippingTotal, dp),
      shipping_tax: formatDp(o.shippingTax, dp),
      cart_tax: formatDp(o.cartTax, dp),
      total: formatDp(o.total, dp),
      // get_total_tax() = cart_tax + shipping_tax.
      total_tax: formatDp(o.cartTax + o.shippingTax, dp),
      customer_id: o.customerId,
      order_key: o.orderKey,
      billing: o.billing,
      shipping: o.shipping,
      payment_method: o.paymentMethod,
      payment_method_title: o.paymentMethodTitle,
      transaction_id: o.transactionId,
      customer_ip_address: '',
      customer_user_agent: '',
      created_via: 'checkout',
      customer_note: o.customerNote,
      date_completed: local(o.completedAt),
      date_paid: local(o.paidAt),
      cart_hash: '',
      number: String(o.id),
      meta_data: o.meta.map((m) => ({ id: m.id, key: m.key, value: m.value })),
      line_items: o.items.filter((i) => i.type === 'line_item').map((i) => renderLine(i, dp)),
      tax_lines: o.taxes.map((t) => renderTax(t, dp)),
      shipping_lines: o.items.filter((i) => i.type === 'shipping').map((i) => renderShipping(i, dp)),
      fee_lines: o.items.filter((i) => i.type === 'fee').map((i) => renderFee(i, dp)),
      coupon_lines: o.coupons.map((c) => ({
        id: c.id,
        code: c.code,
        discount: formatDp(c.discount, dp),
        discount_tax: formatDp(c.discountTax, dp),
        discount_type: c.type,
        nominal_amount: c.nominal,
        free_shipping: false,
        meta_data: [],
      })),
      // 'total' => '-' . wc_format_decimal( $refund->get_amount(), dp ).
      refunds: ownRefunds.map((r) => ({ id: r.id, reason: r.reason, total: `-${formatDp(r.amount, dp)}` })),
      payment_url: `https://sklep.example.pl/zamowienie/zaplac/${o.id}/?pay_for_order=true&key=${o.orderKey}`,
      is_editable: ['pending', 'on-hold', 'auto-draft', 'checkout-draft'].includes(o.status),
      needs_payment: needsPayment,
      needs_processing: true,
      date_created_gmt: gmt(o.createdAt)!,
      date_modified_gmt: gmt(o.modifiedAt)!,
      date_completed_gmt: gmt(o.completedAt),
      date_paid_gmt: gmt(o.paidAt),
      currency_symbol: CURRENCY_SYMBOLS[o.currency] ?? o.currency,
      // WC_REST_Orders_V2_Controller::prepare_links: self, collection (customer when not a guest).
      _links: {
        self: [{ href: `${restUrl()}/wp-json/wc/v3/orders/${o.id}` }],
        collection: [{ href: `${restUrl()}/wp-json/wc/v3/orders` }],
        ...(o.customerId
          ? { customer: [{ href: `${restUrl()}/wp-json/wc/v3/customers/${o.customerId}` }] }
          : {}),
      } satisfies Links,
    };
  }

  function renderRefund(r: Refund, dp: number, withParent: boolean): WooRefund {
    const base: WooRefund = {
      id: r.id,
      ...(withParent ? { parent_id: r.parentId } : {}),
      date_created: local(r.createdAt)!,
      date_created_gmt: gmt(r.createdAt)!,
      amount: formatDp(r.amount, dp),
      reason: r.reason,
      // wc_create_refund: get_current_user_id() ?: 1.
      refunded_by: 1,
      refunded_payment: false,
      meta_data: r.meta.map((m) => ({ id: m.id, key: m.key, value: m.value })),
      line_items: r.items
        .filter((i) => i.type === 'line_item')
        .map((i) => {
          const { image: _image, parent_name: _parent, ...line } = renderLine(i, dp);
          return { ...line, image: { id: 0, src: '' } };
        }),
      shipping_lines: r.items.filter((i) => i.type === 'shipping').map((i) => renderShipping(i, dp)),
      tax_lines: r.taxes.map((t) => renderTax(t, dp)),
      fee_lines: r.items.filter((i) => i.type === 'fee').map((i) => renderFee(i, dp)),
      // prepare_links of WC_REST_Order_Refunds_V2_Controller (self, collection, up) and, on
      // /refunds, WC_REST_Refunds_Controller (+ refunded_by).
      _links: {
        self: [{ href: `${restUrl()}/wp-json/wc/v3/orders/${r.parentId}/refunds/${r.id}` }],
        collection: [{ href: `${restUrl()}/wp-json/wc/v3/orders/${r.parentId}/refunds` }],
        up: [{ href: `${restUrl()}/wp-json/wc/v3/orders/${r.parentId}` }],
        ...(withParent
          ? { refunded_by: [{ href: `${restUrl()}/wp-json/wp/v2/users/1`, embeddable: true }] }
          : {}),
      } satisfies Links,
    };
    return base;
  }

  return store;
}
