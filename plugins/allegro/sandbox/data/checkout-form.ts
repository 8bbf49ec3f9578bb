import { formatUnits, rngFor, type Rng } from '@mch/plugin-sdk/sandbox-kit';
import type { SellerAccount } from './accounts.ts';
import { randomNip } from './accounts.ts';
import { CITIES, COMPANY_KINDS, COMPANY_WORDS, DELIVERY_METHODS, FIRST_NAMES, LAST_NAMES, STREETS } from './catalog.ts';
import { makeOffer, OFFERS_PER_ACCOUNT } from './offers.ts';
import { MARKETPLACES, type CheckoutStatus, type FulfillmentStatus, type MarketplaceId, type OrderHeader } from './order-header.ts';

/** The state a seller's actions laid over a generated order (fulfillment, revision, time). */
export interface OrderTimes {
  boughtAt: number;
  /** Event time by slot (already clamped to the sandbox clock). */
  eventAt: (number | null)[];
  updatedAt: number;
}

export interface OrderOverrides {
  /** The buyer cancelled after the order was seeded (BUYER_CANCELLED event). */
  status?: CheckoutStatus;
  fulfillment?: FulfillmentStatus;
  revision?: string;
  updatedAt?: number;
  /** Replacement id (merged checkout forms keep their content under a new id). */
  id?: string;
}

/** Places and phone prefixes of the foreign marketplaces' buyers. */
const FOREIGN: Record<'CZ' | 'SK' | 'HU', { cities: readonly { city: string; postCode: string }[]; street: string; phone: string }> = {
  CZ: { cities: [{ city: 'Praha', postCode: '110 00' }, { city: 'Brno', postCode: '602 00' }], street: 'Národní', phone: '+420' },
  SK: { cities: [{ city: 'Bratislava', postCode: '811 01' }, { city: 'Košice', postCode: '040 01' }], street: 'Hlavná', phone: '+421' },
  HU: { cities: [{ city: 'Budapest', postCode: '1051' }, { city: 'Debrecen', postCode: '4024' }], street: 'Fő utca', phone: '+36' },
};

function address(rng: Rng, country: string): { street: string; city: string; postCode: string } {
  const foreign = FOREIGN[country as keyof typeof FOREIGN];
  if (foreign) {
    const place = rng.pick(foreign.cities);
    return { street: `${foreign.street} ${rng.int(1, 120)}`, city: place.city, postCode: place.postCode };
  }
  const place = rng.pick(CITIES);
  return { street: `ul. ${rng.pick(STREETS)} ${rng.int(1, 120)}`, city: place.city, postCode: place.postCode };
}

/** Offers are priced in PLN; the other marketplaces show them converted (rounded like a shop would). */
const PER_PLN: Record<MarketplaceId, number> = { 'allegro-pl': 1, 'allegro-cz': 5.8, 'allegro-sk': 0.235, 'allegro-hu': 92 };
function inCurrency(plnUnits: number, marketplace: MarketplaceId): number {
  const units = Math.round(plnUnits * PER_PLN[marketplace]);
  // Forints are shown whole.
  return marketplace === 'allegro-hu' ? Math.max(100, Math.round(units / 100) * 100) : units;
}

const digits = (rng: Rng, n: number): string => Array.from({ length: n }, () => rng.int(0, 9)).join('');

/**
 * A Hungarian törzsszám whose 8th digit is its check digit (weights 9 7 3 1 9 7 3, mod 10), as
 * every real adószám has (Art. 2003 XCII, NAV): the 7 drawn digits kept, the last one computed.
 */
function hungarianCore(drawn: string): string {
  const weights = [9, 7, 3, 1, 9, 7, 3];
  const sum = weights.reduce((total, w, i) => total + w * Number(drawn[i]), 0);
  return `${drawn.slice(0, 7)}${(10 - (sum % 10)) % 10}`;
}

type CompanyId = { type: string; value: string };
type VatPayerStatus = 'ACTIVE' | 'NON_ACTIVE' | 'NOT_APPLICABLE';

/**
 * A business buyer's tax ids by country: `company.ids[]` with their types; `taxId` is deprecated
 * and only Polish forms still carry it (reference/README.md Correction: #9222, #9650, #10184, #12259).
 * An active foreign VAT payer also has a verified VAT_EU number (`invoice.features`).
 */
function companyIds(rng: Rng, country: string, status: VatPayerStatus): { ids: CompanyId[]; vatEu: boolean } {
  const vat = status === 'ACTIVE';
  switch (country) {
    case 'CZ': {
      const ico = digits(rng, 8);
      const ids = [{ type: 'CZ_ICO', value: ico }, ...(vat ? [{ type: 'CZ_DIC', value: `CZ${ico}` }, { type: 'VAT_EU', value: `CZ${ico}` }] : [])];
      return { ids, vatEu: vat };
    }
    case 'SK': {
      const ico = digits(rng, 8);
      const dph = `SK${digits(rng, 10)}`;
      const ids = [{ type: 'SK_ICO', value: ico }, ...(vat ? [{ type: 'SK_IC_DPH', value: dph }, { type: 'VAT_EU', value: dph }] : [])];
      return { ids, vatEu: vat };
    }
    case 'HU': {
      const core = hungarianCore(digits(rng, 8));
      const ids = [{ type: 'HU_ADOSZAM', value: `${core}-${vat ? 2 : 1}-${rng.int(10, 44)}` }, ...(vat ? [{ type: 'VAT_EU', value: `HU${core}` }] : [])];
      return { ids, vatEu: vat };
    }
    default:
      return { ids: [{ type: 'PL_NIP', value: randomNip(rng) }], vatEu: false };
  }
}

const ADDITIONAL_SERVICES = [
  { definitionId: 'CARRY_IN', name: 'Wniesienie', pln: 4900 },
  { definitionId: 'ASSEMBLY', name: 'Montaż', pln: 9900 },
  { definitionId: 'GIFT_WRAP', name: 'Pakowanie na prezent', pln: 900 },
] as const;
const DISCOUNT_TYPES = ['COUPON', 'CAMPAIGN', 'UNIT_PERCENTAGE_DISCOUNT', 'BUNDLE'] as const;

/** Every method but "Kurier pobranie" (cash on delivery has its own). */
const PREPAID_METHODS = DELIVERY_METHODS.filter((m) => m.id !== DELIVERY_METHODS[3].id);

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Builds the full checkout form (OpenAPI `CheckoutForm`) of order `index` of one account.
 * Money is summed in minor units of the marketplace's currency, so `summary.totalToPay` equals
 * lines + deposits + additional services + delivery exactly.
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
  // Drawn whether or not it is overridden: a changed form (fulfillment set, buyer cancelled) keeps
  // every other field as the seed made it.
  const seededRevision = rng.hex(8);
  const revision = overrides.revision ?? seededRevision;

  const market = MARKETPLACES[header.marketplace];
  const currency = market.currency;
  const country = market.country;
  const money = (units: number) => ({ amount: formatUnits(units), currency });
  const foreign = FOREIGN[country as keyof typeof FOREIGN];

  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  // Deferred payment (EXTENDED_TERM) is for businesses, who always get an invoice.
  const deferred = header.paymentType === 'EXTENDED_TERM';
  const isCompany = deferred || rng.chance(0.25);
  const companyName = `${rng.pick(COMPANY_WORDS)}${rng.pick(COMPANY_WORDS).toLowerCase()} ${rng.pick(COMPANY_KINDS)}`;
  const guest = rng.chance(0.1);
  const login = guest ? `Client:${rng.int(10_000_000, 99_999_999)}` : `${firstName.slice(0, 3)}${lastName.slice(0, 4)}${rng.int(1, 999)}`;
  const home = address(rng, country);
  const phone = `${foreign?.phone ?? '+48'} ${rng.int(500, 799)} ${rng.int(100, 999)} ${rng.int(100, 999)}`;
  const buyer = {
    id: String(rng.int(10_000_000, 99_999_999)),
    email: `${rng.hex(10)}+${rng.hex(6)}@allegromail.pl`,
    login,
    firstName,
    lastName,
    ...(isCompany ? { companyName } : {}),
    guest,
    phoneNumber: phone,
    address: { street: home.street, city: home.city, postCode: home.postCode, countryCode: country },
    preferences: { language: country === 'PL' ? 'pl-PL' : country === 'CZ' ? 'cs-CZ' : country === 'SK' ? 'sk-SK' : 'hu-HU' },
  };

  // Lines, their deposits and additional services, in minor units of the order's currency:
  // summary.totalToPay includes all of them and delivery (reference/README.md Correction, #11428).
  const lineCount = rng.weighted([[1, 50], [2, 25], [3, 15], [4, 10]] as const);
  let totalUnits = 0;
  const lineItems = Array.from({ length: lineCount }, (_, n) => {
    const offer = makeOffer(seed, accountIndex, rng.int(0, OFFERS_PER_ACCOUNT - 1));
    const quantity = rng.weighted([[1, 70], [2, 20], [3, 10]] as const);
    const discounted = rng.chance(0.1);
    const originalUnits = inCurrency(offer.priceUnits, header.marketplace);
    const priceUnits = discounted ? inCurrency(Math.round(offer.priceUnits * 0.9), header.marketplace) : originalUnits;
    totalUnits += priceUnits * quantity;
    const deposit = rng.chance(0.06) ? inCurrency(50 * rng.int(1, 6), header.marketplace) : 0;
    totalUnits += deposit * quantity;
    const service = rng.chance(0.05) ? rng.pick(ADDITIONAL_SERVICES) : undefined;
    const serviceUnits = service ? inCurrency(service.pln, header.marketplace) : 0;
    totalUnits += serviceUnits;
    return {
      id: rng.uuid(),
      offer: { id: offer.id, name: offer.name, external: { id: offer.sku } },
      quantity,
      originalPrice: money(originalUnits),
      price: money(priceUnits),
      ...(deposit ? { deposit: { price: money(deposit) } } : {}),
      ...(service
        ? { selectedAdditionalServices: [{ definitionId: service.definitionId, name: service.name, price: money(serviceUnits), quantity: 1 }] }
        : {}),
      tax: { rate: offer.vat, subject: 'GOODS', exemption: null },
      boughtAt: iso(times.boughtAt + n),
      ...(discounted ? { discounts: [{ type: rng.pick(DISCOUNT_TYPES) }] } : {}),
    };
  });

  const cod = header.paymentType === 'CASH_ON_DELIVERY';
  const method = cod ? DELIVERY_METHODS[3] : rng.pick(PREPAID_METHODS);
  const deliveryUnits = inCurrency(Math.round(Number(rng.decimal(method.min, method.max, 2)) * 100), header.marketplace);
  totalUnits += deliveryUnits;
  const delivery = {
    address: { firstName, lastName, street: home.street, city: home.city, zipCode: home.postCode, countryCode: country, phoneNumber: phone },
    method: { id: method.id, name: method.name },
    ...(method.pickup
      ? { pickupPoint: { id: `WAW${rng.int(10, 99)}M`, name: `Paczkomat WAW${rng.int(10, 99)}M`, address: { street: home.street, zipCode: home.postCode, city: home.city, countryCode: country } } }
      : {}),
    cost: money(deliveryUnits),
    smart: rng.chance(0.3),
    calculatedNumberOfPackages: 1,
  };

  const readyAt = times.eventAt[2];
  const payment = {
    id: rng.uuid(),
    type: header.paymentType,
    provider: header.paymentType === 'ONLINE' ? rng.pick(['P24', 'PAYU'] as const) : header.paymentType === 'EXTENDED_TERM' ? 'AF' : 'OFFLINE',
    ...(header.paid && readyAt !== null && readyAt !== undefined
      ? { finishedAt: iso(readyAt), paidAmount: money(totalUnits) }
      : {}),
  };

  // An invoice is required exactly when `invoice.required` is true (#12291, #11689); a private
  // buyer who asked for one has no tax id (#12668).
  const invoiceRequired = deferred || (isCompany ? rng.chance(0.8) : rng.chance(0.15));
  const vatPayerStatus = rng.weighted<VatPayerStatus>([['ACTIVE', 85], ['NON_ACTIVE', 10], ['NOT_APPLICABLE', 5]]);
  const tax = isCompany ? companyIds(rng, country, vatPayerStatus) : { ids: [], vatEu: false };
  const nip = tax.ids.find((i) => i.type === 'PL_NIP')?.value;
  const invoice = invoiceRequired
    ? {
        required: true,
        address: {
          street: home.street,
          city: home.city,
          zipCode: home.postCode,
          countryCode: country,
          ...(isCompany
            ? { company: { name: companyName, ids: tax.ids, vatPayerStatus, ...(nip ? { taxId: nip } : {}) } }
            : { naturalPerson: { firstName, lastName } }),
        },
        ...(deferred ? { dueDate: iso(times.boughtAt + 30 * 24 * 3600 * 1000).slice(0, 10) } : {}),
        ...(tax.vatEu ? { features: ['VAT_EU_VERIFIED'] } : {}),
      }
    : { required: false };

  return {
    id,
    ...(rng.chance(0.1) ? { messageToSeller: 'Proszę o staranne zapakowanie.' } : {}),
    buyer,
    payment,
    status: overrides.status ?? header.status,
    fulfillment: { status: overrides.fulfillment ?? header.fulfillment, shipmentSummary: { lineItemsSent: 'NONE' } },
    delivery,
    invoice,
    lineItems,
    surcharges: [],
    note: { text: '' },
    marketplace: { id: header.marketplace },
    summary: { totalToPay: money(totalUnits) },
    updatedAt: iso(overrides.updatedAt ?? times.updatedAt),
    revision,
  };
}
