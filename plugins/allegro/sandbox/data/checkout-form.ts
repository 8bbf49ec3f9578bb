import { formatUnits, rngFor, type Rng } from '@mch/plugin-sdk/sandbox-kit';
import type { SellerAccount } from './accounts.ts';
import { randomNip } from './accounts.ts';
import { CITIES, COMPANY_KINDS, COMPANY_WORDS, DELIVERY_METHODS, FIRST_NAMES, LAST_NAMES, STREETS } from './catalog.ts';
import { makeOffer, OFFERS_PER_ACCOUNT } from './offers.ts';
import type { FulfillmentStatus, OrderHeader } from './order-header.ts';

/** The state a seller's actions laid over a generated order (fulfillment, revision, time). */
export interface OrderTimes {
  boughtAt: number;
  /** Event time by slot (already clamped to the sandbox clock). */
  eventAt: (number | null)[];
  updatedAt: number;
}

export interface OrderOverrides {
  fulfillment?: FulfillmentStatus;
  revision?: string;
  updatedAt?: number;
  /** Replacement id (merged checkout forms keep their content under a new id). */
  id?: string;
}

function address(rng: Rng): { street: string; city: string; postCode: string } {
  const place = rng.pick(CITIES);
  return { street: `ul. ${rng.pick(STREETS)} ${rng.int(1, 120)}`, city: place.city, postCode: place.postCode };
}

/** Every method but "Kurier pobranie" (cash on delivery has its own). */
const PREPAID_METHODS = DELIVERY_METHODS.filter((m) => m.id !== DELIVERY_METHODS[3].id);

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Builds the full checkout form (OpenAPI `CheckoutForm`) of order `index` of one account.
 * Money is summed in grosze, so `summary.totalToPay` equals lines + delivery exactly.
 */
export function buildCheckoutForm(input: {
  seed: string | number;
  account: SellerAccount;
  accountIndex: number;
  index: number;
  header: OrderHeader;
  times: OrderTimes;
  overrides?: OrderOverrides;
}): Record<string, unknown> {
  const { seed, accountIndex, index, header, times, overrides = {} } = input;
  const rng = rngFor(seed, 'order', accountIndex, index);
  const id = overrides.id ?? rng.uuid();
  const revision = overrides.revision ?? rng.hex(8);

  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const isCompany = rng.chance(0.25);
  const companyName = `${rng.pick(COMPANY_WORDS)}${rng.pick(COMPANY_WORDS).toLowerCase()} ${rng.pick(COMPANY_KINDS)}`;
  const guest = rng.chance(0.1);
  const login = guest ? `Client:${rng.int(10_000_000, 99_999_999)}` : `${firstName.slice(0, 3)}${lastName.slice(0, 4)}${rng.int(1, 999)}`;
  const home = address(rng);
  const phone = `+48 ${rng.int(500, 799)} ${rng.int(100, 999)} ${rng.int(100, 999)}`;
  const buyer = {
    id: String(rng.int(10_000_000, 99_999_999)),
    email: `${rng.hex(10)}+${rng.hex(6)}@allegromail.pl`,
    login,
    firstName,
    lastName,
    ...(isCompany ? { companyName } : {}),
    guest,
    phoneNumber: phone,
    address: { street: home.street, city: home.city, postCode: home.postCode, countryCode: 'PL' },
    preferences: { language: 'pl-PL' },
  };

  const lineCount = rng.weighted([[1, 50], [2, 25], [3, 15], [4, 10]] as const);
  let linesUnits = 0;
  const lineItems = Array.from({ length: lineCount }, (_, n) => {
    const offer = makeOffer(seed, accountIndex, rng.int(0, OFFERS_PER_ACCOUNT - 1));
    const quantity = rng.weighted([[1, 70], [2, 20], [3, 10]] as const);
    const discounted = rng.chance(0.1);
    const priceUnits = discounted ? Math.round(offer.priceUnits * 0.9) : offer.priceUnits;
    linesUnits += priceUnits * quantity;
    return {
      id: rng.uuid(),
      offer: { id: offer.id, name: offer.name, external: { id: offer.sku } },
      quantity,
      originalPrice: { amount: formatUnits(offer.priceUnits), currency: 'PLN' },
      price: { amount: formatUnits(priceUnits), currency: 'PLN' },
      tax: { rate: offer.vat, subject: 'GOODS', exemption: null },
      boughtAt: iso(times.boughtAt + n),
    };
  });

  const cod = header.paymentType === 'CASH_ON_DELIVERY';
  const method = cod ? DELIVERY_METHODS[3] : rng.pick(PREPAID_METHODS);
  const deliveryUnits = Math.round(Number(rng.decimal(method.min, method.max, 2)) * 100);
  const totalUnits = linesUnits + deliveryUnits;
  const delivery = {
    address: { firstName, lastName, street: home.street, city: home.city, zipCode: home.postCode, countryCode: 'PL', phoneNumber: phone },
    method: { id: method.id, name: method.name },
    ...(method.pickup
      ? { pickupPoint: { id: `WAW${rng.int(10, 99)}M`, name: `Paczkomat WAW${rng.int(10, 99)}M`, address: { street: home.street, zipCode: home.postCode, city: home.city, countryCode: 'PL' } } }
      : {}),
    cost: { amount: formatUnits(deliveryUnits), currency: 'PLN' },
    smart: rng.chance(0.3),
    calculatedNumberOfPackages: 1,
  };

  const readyAt = times.eventAt[2];
  const payment = {
    id: rng.uuid(),
    type: header.paymentType,
    provider: header.paymentType === 'ONLINE' ? rng.pick(['P24', 'PAYU'] as const) : 'OFFLINE',
    ...(header.paid && readyAt !== null && readyAt !== undefined
      ? { finishedAt: iso(readyAt), paidAmount: { amount: formatUnits(totalUnits), currency: 'PLN' } }
      : {}),
  };

  const invoiceRequired = isCompany ? rng.chance(0.8) : rng.chance(0.15);
  const nip = isCompany ? randomNip(rng) : '';
  const invoice = invoiceRequired
    ? {
        required: true,
        address: {
          street: home.street,
          city: home.city,
          zipCode: home.postCode,
          countryCode: 'PL',
          ...(isCompany
            ? { company: { name: companyName, ids: [{ type: 'PL_NIP', value: nip }], vatPayerStatus: 'ACTIVE', taxId: nip } }
            : { naturalPerson: { firstName, lastName } }),
        },
      }
    : { required: false };

  return {
    id,
    ...(rng.chance(0.1) ? { messageToSeller: 'Proszę o staranne zapakowanie.' } : {}),
    buyer,
    payment,
    status: header.status,
    fulfillment: { status: overrides.fulfillment ?? header.fulfillment, shipmentSummary: { lineItemsSent: 'NONE' } },
    delivery,
    invoice,
    lineItems,
    surcharges: [],
    note: { text: '' },
    marketplace: { id: 'allegro-pl' },
    summary: { totalToPay: { amount: formatUnits(totalUnits), currency: 'PLN' } },
    updatedAt: iso(overrides.updatedAt ?? times.updatedAt),
    revision,
  };
}
