/**
 * Tax identifiers of the sellers' countries with their check digits, and IBANs. Each check
 * answers `null` when the value is valid, else a sentence saying what is wrong. Algorithms:
 * PL NIP (Rozporządzenie MF z 1995 r., weights 6 5 7 2 3 4 5 6 7 mod 11); RO CUI/CIF (key
 * 753217532, ×10 mod 11); HU adószám (törzsszám weights 9 7 3 1, mod 10); BG EIK/BULSTAT (9
 * digits: weights 1–8, then 3–10; 13 digits: 2 7 3 5, then 4 9 5 7); IBAN ISO 13616 (mod 97).
 */

const digits = (s: string) => [...s].map(Number);

function weighted(ds: readonly number[], weights: readonly number[]): number {
  return weights.reduce((sum, w, i) => sum + w * ds[i]!, 0);
}

/** The tax id with separators and an optional country prefix removed. */
export function normaliseTaxId(country: string, value: string): string {
  const compact = value.replace(/[\s.\-/]/g, '').toUpperCase();
  return compact.startsWith(country.toUpperCase()) ? compact.slice(2) : compact;
}

export function checkPolishNip(value: string): string | null {
  const v = normaliseTaxId('PL', value);
  if (!/^\d{10}$/.test(v)) return 'a Polish NIP has 10 digits (e.g. 526-000-12-46)';
  const ds = digits(v);
  const check = weighted(ds, [6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11;
  return check === 10 || check !== ds[9] ? 'this NIP fails its check digit; check it for a typo' : null;
}

export function checkRomanianCui(value: string): string | null {
  const v = normaliseTaxId('RO', value);
  if (!/^\d{2,10}$/.test(v)) return 'a Romanian CUI/CIF has 2 to 10 digits, optionally after "RO"';
  const ds = digits(v.slice(0, -1).padStart(9, '0'));
  let check = (weighted(ds, [7, 5, 3, 2, 1, 7, 5, 3, 2]) * 10) % 11;
  if (check === 10) check = 0;
  return check !== Number(v.at(-1)) ? 'this CUI/CIF fails its check digit; check it for a typo' : null;
}

export function checkHungarianTaxNumber(value: string): string | null {
  const compact = value.replace(/\s/g, '').toUpperCase();
  const m = /^(?:HU)?(\d{8})(?:-?(\d)-?(\d{2}))?$/.exec(compact);
  if (!m) return 'a Hungarian adószám is 8-1-2 digits (12345676-2-41), or HU and 8 digits';
  const ds = digits(m[1]!);
  const check = (10 - (weighted(ds, [9, 7, 3, 1, 9, 7, 3]) % 10)) % 10;
  if (check !== ds[7]) return 'this adószám fails its check digit; check it for a typo';
  if (m[2] !== undefined && !['1', '2', '3', '4', '5'].includes(m[2]))
    return 'the VAT code (9th digit) of an adószám is 1 to 5';
  return null;
}

export function checkBulgarianEik(value: string): string | null {
  const v = normaliseTaxId('BG', value);
  if (!/^(\d{9}|\d{13})$/.test(v)) return 'a Bulgarian EIK/BULSTAT has 9 or 13 digits, optionally after "BG"';
  const ds = digits(v);
  const mod = (w1: number[], w2: number[], at: number, from = 0) => {
    const part = ds.slice(from);
    let c = weighted(part, w1) % 11;
    if (c === 10) c = weighted(part, w2) % 11;
    return (c === 10 ? 0 : c) === ds[at];
  };
  if (!mod([1, 2, 3, 4, 5, 6, 7, 8], [3, 4, 5, 6, 7, 8, 9, 10], 8))
    return 'this EIK fails its check digit; check it for a typo';
  if (v.length === 13 && !mod([2, 7, 3, 5], [4, 9, 5, 7], 12, 8))
    return 'this 13-digit EIK fails its check digit; check it for a typo';
  return null;
}

/** The seller's tax id checked for its country; countries without a check here need 4–20 characters. */
export function checkTaxId(country: string, value: string): string | null {
  switch (country.toUpperCase()) {
    case 'PL':
      return checkPolishNip(value);
    case 'RO':
      return checkRomanianCui(value);
    case 'HU':
      return checkHungarianTaxNumber(value);
    case 'BG':
      return checkBulgarianEik(value);
    default:
      return /^[A-Z0-9]{4,20}$/i.test(value.replace(/[\s.\-/]/g, ''))
        ? null
        : 'a tax id has 4 to 20 letters and digits';
  }
}

const IBAN_LENGTHS: Record<string, number> = {
  AT: 20,
  BE: 16,
  BG: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IT: 27,
  LT: 20,
  LU: 20,
  LV: 21,
  MT: 31,
  NL: 18,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
};

/** An IBAN (spaces allowed): country, length and the mod-97 check. */
export function checkIban(value: string): string | null {
  const v = value.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(v))
    return 'an IBAN starts with a country code and 2 check digits (PL61 1090 1014 0000 0712 1981 2874)';
  const length = IBAN_LENGTHS[v.slice(0, 2)];
  if (length !== undefined && v.length !== length)
    return `an IBAN of ${v.slice(0, 2)} has ${length} characters, this one ${v.length}`;
  const rearranged = v.slice(4) + v.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const n = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of n) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1 ? null : 'this IBAN fails its check digits; check it for a typo';
}

/**
 * Whether a buyer's tax id, as the marketplace gave it, is a VAT id of `country` (an EU member
 * state): an optional prefix must be that country's (Greece writes `EL`), PL/RO/HU/BG ids must
 * pass their check digits, others need the 2–13 letters and digits of a VAT number (VIES format).
 * Null when it is; else what is wrong.
 */
export function checkBuyerVatId(country: string, value: string): string | null {
  const upper = country.toUpperCase();
  const compact = value.replace(/[\s.\-/]/g, '').toUpperCase();
  const prefix = /^[A-Z]{2}/.exec(compact)?.[0];
  const vatPrefix = upper === 'GR' ? 'EL' : upper;
  if (prefix && prefix !== vatPrefix && /^[A-Z]{2}\d/.test(compact))
    return `it starts with ${prefix}, not with ${vatPrefix} of the buyer's country`;
  if (['PL', 'RO', 'HU', 'BG'].includes(upper)) return checkTaxId(upper, value);
  const body = prefix === vatPrefix ? compact.slice(2) : compact;
  return /^[0-9A-Z]{2,13}$/.test(body)
    ? null
    : 'a VAT number has 2 to 13 letters and digits after its country code';
}
