import { rngFor } from '@mch/plugin-sdk/sandbox-kit';
import type { Store } from './store.ts';
import type { NewOrder, NewOrderLine } from './types.ts';

/**
 * Deterministic demo data of a Polish shop (sandbox fiction, not WooCommerce behaviour): products
 * with SKUs at 23 / 8 / 5 % VAT, gross prices, mostly PLN with some EUR orders, InPost/DPD
 * shipping taxed 23 %, a few coupons, statuses mostly processing/completed.
 */
export const PRODUCTS: readonly { sku: string; name: string; pln: string; vat: NewOrderLine['vatRate'] }[] = [
  { sku: 'KUB-350', name: 'Kubek ceramiczny 350 ml', pln: '30.00', vat: '23' },
  { sku: 'SLU-BT-01', name: 'Słuchawki bezprzewodowe', pln: '199.00', vat: '23' },
  { sku: 'LAD-65W', name: 'Ładowarka USB-C 65 W', pln: '129.99', vat: '23' },
  { sku: 'KAWA-ETI-1KG', name: 'Kawa ziarnista Etiopia 1 kg', pln: '89.99', vat: '23' },
  { sku: 'SUP-D3', name: 'Witamina D3 2000 j.m.', pln: '45.00', vat: '8' },
  { sku: 'PIEL-M', name: 'Pieluszki jednorazowe M', pln: '59.99', vat: '8' },
  { sku: 'BIL-WAR', name: 'Bilet – warsztaty ceramiczne', pln: '150.00', vat: '8' },
  { sku: 'KS-PT-01', name: 'Książka „Pan Tadeusz”', pln: '39.90', vat: '5' },
  { sku: 'MIOD-500', name: 'Miód wielokwiatowy 500 g', pln: '32.00', vat: '5' },
  { sku: 'MAKA-ORK', name: 'Mąka orkiszowa 1 kg', pln: '12.49', vat: '5' },
];

/** Shipping costs are net in WooCommerce; these are 16.99 / 13.99 / 17.99 gross at 23 %. */
const SHIPPING = [
  { title: 'Kurier InPost', price: '13.81', methodId: 'flat_rate' },
  { title: 'Paczkomat InPost', price: '11.37', methodId: 'flat_rate' },
  { title: 'Kurier DPD', price: '14.63', methodId: 'flat_rate' },
];

const FIRST = [
  'Anna',
  'Piotr',
  'Katarzyna',
  'Tomasz',
  'Magdalena',
  'Krzysztof',
  'Agnieszka',
  'Paweł',
  'Joanna',
  'Michał',
];
const LAST = [
  'Nowak',
  'Kowalski',
  'Wiśniewska',
  'Wójcik',
  'Kamińska',
  'Lewandowski',
  'Zielińska',
  'Szymański',
  'Dąbrowska',
  'Woźniak',
];
const CITIES = [
  { city: 'Warszawa', postcode: '00-950' },
  { city: 'Kraków', postcode: '30-001' },
  { city: 'Gdańsk', postcode: '80-001' },
  { city: 'Wrocław', postcode: '50-001' },
  { city: 'Poznań', postcode: '60-001' },
  { city: 'Łódź', postcode: '90-001' },
];
const PAYMENTS = [
  { id: 'przelewy24', title: 'Przelewy24' },
  { id: 'payu', title: 'PayU' },
  { id: 'bacs', title: 'Przelew bankowy' },
  { id: 'cod', title: 'Płatność przy odbiorze' },
];

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .toLowerCase();

/** Order number `i` of a seed: its lines, customer and status; `createdAt` supplied by the caller. */
export function seededOrder(seed: string, i: number, createdAt: number): NewOrder & { status: string } {
  const rng = rngFor(seed, 'order', i);
  const eur = rng.chance(0.15);
  const lineCount = rng.weighted<number>([
    [1, 5],
    [2, 3],
    [3, 2],
  ]);
  const picked = new Set<number>();
  const lines: NewOrderLine[] = [];
  while (lines.length < lineCount) {
    const p = rng.int(0, PRODUCTS.length - 1);
    if (picked.has(p)) continue;
    picked.add(p);
    const product = PRODUCTS[p]!;
    const price = eur ? (Math.round((Number(product.pln) / 4.3) * 100) / 100).toFixed(2) : product.pln;
    lines.push({
      sku: product.sku,
      name: product.name,
      quantity: rng.chance(0.7) ? 1 : rng.int(2, 4),
      price,
      vatRate: product.vat,
    });
  }
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const place = rng.pick(CITIES);
  const payment = rng.pick(PAYMENTS);
  const ship = rng.pick(SHIPPING);
  const status = rng.weighted<string>([
    ['processing', 45],
    ['completed', 40],
    ['pending', 6],
    ['cancelled', 5],
    ['refunded', 4],
  ]);
  const company = rng.chance(0.25);
  return {
    status,
    currency: eur ? 'EUR' : 'PLN',
    lines,
    shipping: {
      title: ship.title,
      price: eur ? (Math.round((Number(ship.price) / 4.3) * 100) / 100).toFixed(2) : ship.price,
      vatRate: '23',
      methodId: ship.methodId,
    },
    ...(payment.id === 'cod'
      ? { fees: [{ name: 'Opłata za pobranie', price: eur ? '0.95' : '4.07', vatRate: '23' as const }] }
      : {}),
    ...(rng.chance(0.2)
      ? { coupon: rng.chance(0.5) ? { code: 'WITAJ10', percent: 10 } : { code: 'LATO15', percent: 15 } }
      : {}),
    billing: {
      first_name: first,
      last_name: last,
      company: company ? `${last} Sp. z o.o.` : '',
      address_1: `ul. ${rng.pick(['Polna', 'Lipowa', 'Długa', 'Ogrodowa', 'Kwiatowa'])} ${rng.int(1, 120)}`,
      city: place.city,
      postcode: place.postcode,
      country: 'PL',
      email: `${ascii(first)}.${ascii(last)}${i}@example.pl`,
      phone: `+48 ${rng.int(500, 799)} ${rng.int(100, 999)} ${rng.int(100, 999)}`,
    },
    ...(company ? { meta: [{ key: '_billing_nip', value: String(rng.int(1000000000, 9999999999)) }] } : {}),
    paymentMethod: payment.id,
    paymentMethodTitle: payment.title,
    createdAt: new Date(createdAt).toISOString(),
  };
}

/** Seeds `count` orders over the `days` before `now`, oldest first (ids ascend with time). */
export function seedOrders(store: Store, seed: string, count: number, now: number, days = 14): void {
  const span = days * 86_400_000;
  const times = Array.from({ length: count }, (_, i) => {
    const rng = rngFor(seed, 'time', i);
    return now - Math.floor(rng.next() * span);
  }).sort((a, b) => a - b);
  times.forEach((at, i) => {
    const spec = seededOrder(seed, i, at);
    const { status, ...rest } = spec;
    const order = store.addOrder(
      { ...rest, status: status === 'completed' || status === 'refunded' ? 'processing' : status },
      at,
    );
    if (status === 'completed' || status === 'refunded') {
      const later = Math.min(now, at + 86_400_000 * (1 + (i % 3)));
      store.setStatus(order.id, 'completed', later);
      if (status === 'refunded') store.setStatus(order.id, 'refunded', Math.min(now, later + 3_600_000));
    }
  });
}
