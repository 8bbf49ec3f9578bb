import type { ClearanceDocument, IssuedDocumentBody } from '@mch/plugin-sdk';

/**
 * FA(3) — the structured invoice KSeF takes — from the host's frozen document. Element names,
 * order and types follow the official XSD (`xsd/FA/schemat_FA(3)_v1-0E.xsd`, namespace
 * `http://crd.gov.pl/wzor/2025/06/25/13775/`); the document is validated against it before it is
 * sent (xsd.ts). Corrections are `RodzajFaktury` KOR with `DaneFaKorygowanej` naming the corrected
 * invoice and its KSeF number (`NrKSeF` + `NrKSeFFaKorygowanej`), or `NrKSeFN` when it was issued
 * outside KSeF (reference/README.md "What an invoice must state", art. 106j).
 */

export const FA3_NAMESPACE = 'http://crd.gov.pl/wzor/2025/06/25/13775/';

const escape = (value: string) =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 has no place for most control characters.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

const clip = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);

const el = (name: string, value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? '' : `<${name}>${escape(String(value))}</${name}>`;

/** A decimal as TKwotowy (2 places) / TKwotowy2 / TIlosci allow: no leading zeros, no trailing dot. */
export function decimal(value: string, places: number): string {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`"${value}" is not a number`);
  const fixed = n.toFixed(places);
  const trimmed = places > 2 ? fixed.replace(/(\.\d*?[1-9])0+$|\.0+$/, '$1') : fixed;
  return trimmed === '-0.00' || trimmed === '-0' ? trimmed.slice(1) : trimmed;
}

const amount = (value: string) => decimal(value, 2);

/** The FA(3) rate code (TStawkaPodatku) of a frozen rate, and the P_13_x/P_14_x pair it sums into. */
function rateOf(doc: IssuedDocumentBody, vatRate: string): { code: string | null; xii: string | null; sum: string } {
  const rate = Number(vatRate);
  if (doc.seller.vatStatus === 'exempt') return { code: 'zw', xii: null, sum: '7' };
  // OSS distance sales: the buyer's country's rate (P_12_XII), summed in P_13_5 / P_14_5.
  if (doc.oss) return { code: null, xii: decimal(vatRate, 6), sum: '5' };
  if (rate === 23 || rate === 22) return { code: String(rate), xii: null, sum: '1' };
  if (rate === 8 || rate === 7) return { code: String(rate), xii: null, sum: '2' };
  if (rate === 5) return { code: '5', xii: null, sum: '3' };
  if (rate === 4 || rate === 3) return { code: String(rate), xii: null, sum: '4' };
  if (rate === 0) return { code: '0 KR', xii: null, sum: '6_1' };
  throw new Error(`VAT rate ${vatRate} % has no FA(3) code; Polish rates are 23, 8, 5 and 0 %`);
}

function address(a: Partial<IssuedDocumentBody['seller']['address']> | null | undefined): string {
  if (!a?.country) return '';
  const line2 = [a.postalCode, a.city].filter(Boolean).join(' ');
  return `<Adres>${el('KodKraju', a.country)}${el('AdresL1', clip(a.street || a.city || '-', 512))}${el('AdresL2', clip(line2, 512))}</Adres>`;
}

const EU = new Set(
  'AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PT RO SE SI SK XI'.split(' '),
);

/** Podmiot2/DaneIdentyfikacyjne: NIP, an EU VAT number, another tax id, or none (a consumer). */
function buyerIdentity(doc: IssuedDocumentBody): string {
  const name = el('Nazwa', clip(doc.buyer.companyName || doc.buyer.name || '-', 512));
  const nip = doc.buyer.taxIds.find((t) => /^(PL_)?NIP$/i.test(t.type) || (t.type !== 'VAT_EU' && /^(PL)?\d{10}$/.test(t.value.replace(/[\s-]/g, ''))));
  if (doc.buyer.kind === 'business' && nip) {
    const digits = nip.value.replace(/\D/g, '').slice(-10);
    if (digits.length === 10) return `${el('NIP', digits)}${name}`;
  }
  const vatEu = doc.buyer.taxIds.find((t) => /^[A-Z]{2}/.test(t.value.replace(/\s/g, '')) && (t.type === 'VAT_EU' || EU.has(t.value.slice(0, 2).toUpperCase())));
  if (doc.buyer.kind === 'business' && vatEu) {
    const value = vatEu.value.replace(/\s/g, '').toUpperCase();
    const country = value.slice(0, 2) === 'GR' ? 'EL' : value.slice(0, 2);
    if (EU.has(country) && country !== 'PL') return `${el('KodUE', country)}${el('NrVatUE', value.slice(2))}${name}`;
  }
  const other = doc.buyer.taxIds[0];
  if (doc.buyer.kind === 'business' && other) {
    const country = doc.buyer.address?.country;
    return `${country ? el('KodKraju', country) : ''}${el('NrID', clip(other.value.replace(/\s/g, ''), 50))}${name}`;
  }
  return `${el('BrakID', 1)}${name}`;
}

export interface Fa3Options {
  /** When the XML was made (DataWytworzeniaFa). */
  now?: Date;
  systemInfo?: string;
}

/** The FA(3) XML of a document handed over by the host. */
export function buildFa3(input: ClearanceDocument, options: Fa3Options = {}): string {
  const doc = input.document;
  const foreign = doc.currency !== 'PLN';
  const rate = doc.exchangeRate;
  if (foreign && !rate) throw new Error(`a ${doc.currency} invoice states no exchange rate to PLN`);

  // P_13_x / P_14_x / P_14_xW per rate group, in the XSD's order.
  const sums = new Map<string, { net: number; vat: number; vatW: number }>();
  for (const s of doc.vatSummary) {
    const { sum } = rateOf(doc, s.vatRate);
    const acc = sums.get(sum) ?? { net: 0, vat: 0, vatW: 0 };
    acc.net += Number(s.net);
    acc.vat += Number(s.vat);
    acc.vatW += Number(s.vatNational ?? (rate ? (Number(s.vat) * Number(rate.rate)).toFixed(2) : s.vat));
    sums.set(sum, acc);
  }
  const money = (n: number) => amount(n.toFixed(2));
  let totals = '';
  for (const group of ['1', '2', '3', '4']) {
    const s = sums.get(group);
    if (!s) continue;
    totals += `${el(`P_13_${group}`, money(s.net))}${el(`P_14_${group}`, money(s.vat))}${foreign ? el(`P_14_${group}W`, money(s.vatW)) : ''}`;
  }
  const oss = sums.get('5');
  if (oss) totals += `${el('P_13_5', money(oss.net))}${el('P_14_5', money(oss.vat))}`;
  for (const group of ['6_1', '7']) {
    const s = sums.get(group);
    if (s) totals += el(`P_13_${group}`, money(s.net));
  }

  const exempt = doc.seller.vatStatus === 'exempt';
  const annotations =
    '<Adnotacje><P_16>2</P_16><P_17>2</P_17><P_18>2</P_18><P_18A>2</P_18A>' +
    (exempt
      ? '<Zwolnienie><P_19>1</P_19><P_19A>Art. 113 ust. 1 ustawy o VAT</P_19A></Zwolnienie>'
      : '<Zwolnienie><P_19N>1</P_19N></Zwolnienie>') +
    '<NoweSrodkiTransportu><P_22N>1</P_22N></NoweSrodkiTransportu><P_23>2</P_23>' +
    '<PMarzy><P_PMarzyN>1</P_PMarzyN></PMarzy></Adnotacje>';

  let correction = '';
  if (doc.type === 'correction') {
    const corrected = input.corrected;
    if (!corrected) throw new Error('a correction names no corrected invoice');
    correction =
      `${el('PrzyczynaKorekty', 'Korekta faktury')}<DaneFaKorygowanej>` +
      `${el('DataWystFaKorygowanej', corrected.issueDate)}${el('NrFaKorygowanej', corrected.number)}` +
      (corrected.clearanceNumber
        ? `<NrKSeF>1</NrKSeF>${el('NrKSeFFaKorygowanej', corrected.clearanceNumber)}`
        : '<NrKSeFN>1</NrKSeFN>') +
      '</DaneFaKorygowanej>';
  }

  const lines = doc.lines
    .map((line) => {
      const r = rateOf(doc, line.vatRate);
      return (
        `<FaWiersz>${el('NrWierszaFa', line.position)}${el('P_7', clip(line.name, 512))}` +
        `${line.sku ? el('Indeks', clip(line.sku, 50)) : ''}${el('P_8A', line.unit === 'pcs' ? 'szt.' : clip(line.unit, 256))}` +
        `${el('P_8B', decimal(line.quantity, 6))}${el('P_9A', decimal(line.unitNet, 8))}${el('P_11', amount(line.net))}` +
        `${el('P_12', r.code)}${el('P_12_XII', r.xii)}${foreign && rate ? el('KursWaluty', decimal(rate.rate, 6)) : ''}</FaWiersz>`
      );
    })
    .join('');

  const now = (options.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const seller = doc.seller;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Faktura xmlns="${FA3_NAMESPACE}">` +
    `<Naglowek><KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza>` +
    `<WariantFormularza>3</WariantFormularza>${el('DataWytworzeniaFa', now)}${el('SystemInfo', options.systemInfo ?? 'Marketplace connector host')}</Naglowek>` +
    `<Podmiot1><DaneIdentyfikacyjne>${el('NIP', seller.taxId.replace(/\D/g, '').slice(-10))}${el('Nazwa', clip(seller.legalName, 512))}</DaneIdentyfikacyjne>${address(seller.address)}</Podmiot1>` +
    `<Podmiot2><DaneIdentyfikacyjne>${buyerIdentity(doc)}</DaneIdentyfikacyjne>${address(doc.buyer.address)}<JST>2</JST><GV>2</GV></Podmiot2>` +
    `<Fa>${el('KodWaluty', doc.currency)}${el('P_1', doc.issueDate)}${el('P_2', doc.number)}` +
    `${doc.saleDate && doc.saleDate !== doc.issueDate ? el('P_6', doc.saleDate) : ''}` +
    `${totals}${el('P_15', amount(doc.totals.gross))}${annotations}` +
    `${el('RodzajFaktury', doc.type === 'correction' ? 'KOR' : 'VAT')}${correction}${lines}</Fa></Faktura>\n`
  );
}
