import type { CountryCode } from './platforms.ts';
import type { OrderContext } from './order-generator.ts';
import { POOLS } from './people.ts';
import type { Rng } from '@mch/plugin-sdk/sandbox-kit';
import { mix } from './hash.ts';

/**
 * The `customer` object of an order (API doc "Customer fields in order details"):
 * a private person most of the time, a company with its tax id and trade-register
 * number otherwise, in the formats each country uses.
 */
export function buyer(ctx: OrderContext, rng: Rng, created: string): Record<string, unknown> {
  const country = ctx.account.platform.country;
  const pool = POOLS[country];
  const first = rng.pick(pool.firstNames);
  const last = rng.pick(pool.lastNames);
  const name = country === 'HU' ? `${last} ${first.name}` : `${first.name} ${last}`;
  const [suburb, city, postal] = rng.pick(pool.places);
  const street = `${rng.pick(pool.streets)} ${rng.int(1, 180)}`;
  const postalCode = `${postal}${String(rng.int(0, 9999)).padStart(4, '0')}`.slice(
    0,
    country === 'RO' ? 6 : 4,
  );
  const phone = `${pool.phonePrefix}${String(rng.int(10_000_000, 99_999_999))}`;
  const isCompany = rng.chance(0.2);
  const company = isCompany
    ? `${rng.pick(pool.companyWords)} ${rng.pick(pool.companyWords)} ${pool.companySuffix}`
    : name;
  const ids = isCompany ? companyIds(country, rng) : { code: '', registration_number: '' };
  const customerId = (mix(ctx.accountSeed ^ 0x3c6ef372, ctx.index) % 2_000_000_000) + 1;
  const locality = String(rng.int(1, 14000));
  return {
    id: customerId,
    mkt_id: customerId,
    name,
    email: `${(mix(customerId, 99) >>> 0).toString(16)}@emag-${country.toLowerCase()}.marketplace`,
    company,
    gender: first.gender,
    code: ids.code,
    registration_number: ids.registration_number,
    bank: isCompany ? rng.pick(pool.banks) : '',
    iban: isCompany ? iban(country, rng) : '',
    fax: '',
    legal_entity: isCompany ? 1 : 0,
    is_vat_payer: isCompany && rng.chance(0.8) ? 1 : 0,
    phone_1: phone,
    phone_2: '',
    phone_3: '',
    billing_name: isCompany ? company : name,
    billing_phone: phone,
    billing_country: country,
    billing_suburb: suburb,
    billing_city: city,
    billing_locality_id: locality,
    billing_street: street,
    billing_postal_code: postalCode,
    shipping_country: country,
    shipping_suburb: suburb,
    shipping_city: city,
    shipping_locality_id: locality,
    shipping_street: street,
    shipping_postal_code: postalCode,
    shipping_contact: name,
    shipping_phone: phone,
    created,
    modified: created,
  };
}

/** Company identifiers: RO CUI + "J40/…" register number, BG EIK, HU adószám + cégjegyzékszám. */
function companyIds(country: CountryCode, rng: Rng): { code: string; registration_number: string } {
  switch (country) {
    case 'RO': {
      const cui = String(rng.int(1_000_000, 49_999_999));
      return {
        code: `RO${cui}`,
        registration_number: `J${rng.int(1, 52)}/${rng.int(100, 9999)}/${rng.int(1995, 2024)}`,
      };
    }
    case 'BG': {
      const eik = bulgarianEik(String(rng.int(100_000_000, 299_999_999)));
      return { code: `BG${eik}`, registration_number: eik };
    }
    case 'HU':
      return {
        code: `${hungarianCore(String(rng.int(10_000_000, 29_999_999)))}-${rng.int(1, 5)}-${String(rng.int(2, 44)).padStart(2, '0')}`,
        registration_number: `${String(rng.int(1, 20)).padStart(2, '0')}-09-${rng.int(100_000, 999_999)}`,
      };
  }
}

const weighted = (ds: string, weights: number[]) => weights.reduce((sum, w, i) => sum + w * Number(ds[i]), 0);

/**
 * A 9-digit EIK whose last digit is its check digit (weights 1–8 mod 11, else 3–10 mod 11, 10 → 0;
 * Naredba on the BULSTAT register), as every real one has: 8 drawn digits kept.
 */
function bulgarianEik(drawn: string): string {
  let check = weighted(drawn, [1, 2, 3, 4, 5, 6, 7, 8]) % 11;
  if (check === 10) check = weighted(drawn, [3, 4, 5, 6, 7, 8, 9, 10]) % 11;
  return `${drawn.slice(0, 8)}${check === 10 ? 0 : check}`;
}

/** A Hungarian törzsszám whose 8th digit is its check digit (weights 9 7 3 1 9 7 3, mod 10). */
function hungarianCore(drawn: string): string {
  return `${drawn.slice(0, 7)}${(10 - (weighted(drawn, [9, 7, 3, 1, 9, 7, 3]) % 10)) % 10}`;
}

function iban(country: CountryCode, rng: Rng): string {
  const digits = () => String(rng.int(10_000_000, 99_999_999));
  switch (country) {
    case 'RO':
      return `RO${rng.int(10, 99)}BTRL${digits()}${digits()}`;
    case 'BG':
      return `BG${rng.int(10, 99)}UNCR${digits()}${digits().slice(0, 6)}`;
    case 'HU':
      return `HU${rng.int(10, 99)}${digits()}${digits()}${digits()}`;
  }
}
