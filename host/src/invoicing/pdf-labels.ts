import type { DocumentLanguage, RenderableExchangeRate } from './pdf-document.ts';

/**
 * Invoice labels per document language: the terms Polish (art. 106e VAT Act), Romanian (Codul
 * fiscal art. 319), Hungarian (Áfa tv. 169. §) and Bulgarian (ЗДДС чл. 114) invoices use.
 */
export interface InvoiceLabels {
  invoice: string;
  correction: string;
  number: string;
  issueDate: string;
  saleDate: string;
  seller: string;
  buyer: string;
  taxId: string;
  registrationNumber: string;
  columns: {
    position: string;
    name: string;
    quantity: string;
    unit: string;
    unitNet: string;
    vatRate: string;
    net: string;
    vat: string;
    gross: string;
  };
  vatSummary: string;
  rate: string;
  total: string;
  amountDue: string;
  paymentMethod: string;
  dueDate: string;
  bankAccount: string;
  paid: string;
  orderNumber: string;
  currency: string;
  cancelled: string;
  clearanceNumber: string;
  /** The unit printed for a line without one. */
  piece: string;
  paymentMethods: Record<string, string>;
  /** The statement of the exchange rate (rate, source, table, date) of a foreign-currency invoice. */
  exchangeRate(rate: RenderableExchangeRate, currency: string): string;
  /** "VAT in PLN: 42.57". */
  vatNational(currency: string, amount: string): string;
  /** The legal mention of a reverse-charged intra-EU B2B supply (Directive 2006/112/EC art. 226 pt 11a). */
  reverseCharge: string;
  /** The mention of VAT charged at the buyer's country's rates under the One-Stop-Shop scheme. */
  oss(country: string): string;
}

const table = (r: RenderableExchangeRate, word: string) => (r.table ? `, ${word} ${r.table}` : '');

export const LABELS: Record<DocumentLanguage, InvoiceLabels> = {
  pl: {
    invoice: 'Faktura VAT',
    correction: 'Faktura korygująca',
    number: 'Nr',
    issueDate: 'Data wystawienia',
    saleDate: 'Data sprzedaży',
    seller: 'Sprzedawca',
    buyer: 'Nabywca',
    taxId: 'NIP',
    registrationNumber: 'KRS',
    columns: {
      position: 'Lp.',
      name: 'Nazwa',
      quantity: 'Ilość',
      unit: 'J.m.',
      unitNet: 'Cena netto',
      vatRate: 'VAT %',
      net: 'Netto',
      vat: 'VAT',
      gross: 'Brutto',
    },
    vatSummary: 'Podsumowanie VAT',
    rate: 'Stawka',
    total: 'Razem',
    amountDue: 'Do zapłaty',
    paymentMethod: 'Sposób płatności',
    dueDate: 'Termin płatności',
    bankAccount: 'Nr konta',
    paid: 'Zapłacono',
    orderNumber: 'Nr zamówienia',
    currency: 'Waluta',
    cancelled: 'ANULOWANA',
    clearanceNumber: 'Numer KSeF',
    piece: 'szt.',
    paymentMethods: {
      transfer: 'przelew',
      card: 'karta płatnicza',
      cash: 'gotówka',
      cod: 'za pobraniem',
      online: 'płatność online',
    },
    exchangeRate: (r, c) =>
      `Kurs ${c}/${r.nationalCurrency}: ${r.rate} (${r.source}${table(r, 'tabela')} z dnia ${r.date})`,
    vatNational: (c, a) => `Kwota VAT w ${c}: ${a}`,
    reverseCharge:
      'Odwrotne obciążenie — podatek VAT rozlicza nabywca (art. 138 i 196 dyrektywy 2006/112/WE)',
    oss: (country) => `Procedura OSS — VAT według stawek kraju nabywcy (${country})`,
  },
  ro: {
    invoice: 'Factură',
    correction: 'Factură de corecție',
    number: 'Nr.',
    issueDate: 'Data emiterii',
    saleDate: 'Data livrării',
    seller: 'Furnizor',
    buyer: 'Cumpărător',
    taxId: 'CIF',
    registrationNumber: 'Nr. Reg. Com.',
    columns: {
      position: 'Nr.',
      name: 'Denumire',
      quantity: 'Cant.',
      unit: 'U.M.',
      unitNet: 'Preț unitar',
      vatRate: 'TVA %',
      net: 'Valoare',
      vat: 'TVA',
      gross: 'Total',
    },
    vatSummary: 'Sinteză TVA',
    rate: 'Cotă',
    total: 'Total',
    amountDue: 'Total de plată',
    paymentMethod: 'Modalitate de plată',
    dueDate: 'Data scadenței',
    bankAccount: 'IBAN',
    paid: 'Plătit',
    orderNumber: 'Nr. comandă',
    currency: 'Monedă',
    cancelled: 'ANULATĂ',
    clearanceNumber: 'Index e-Factura',
    piece: 'buc.',
    paymentMethods: {
      transfer: 'ordin de plată',
      card: 'card',
      cash: 'numerar',
      cod: 'ramburs',
      online: 'plată online',
    },
    exchangeRate: (r, c) =>
      `Curs ${c}/${r.nationalCurrency}: ${r.rate} (${r.source}${table(r, 'tabel')} din ${r.date})`,
    vatNational: (c, a) => `TVA în ${c}: ${a}`,
    reverseCharge:
      'Taxare inversă — TVA se datorează de beneficiar (art. 138 și 196 din Directiva 2006/112/CE)',
    oss: (country) => `Regim OSS — TVA la cotele țării cumpărătorului (${country})`,
  },
  hu: {
    invoice: 'Számla',
    correction: 'Helyesbítő számla',
    number: 'Sorszám',
    issueDate: 'Kiállítás dátuma',
    saleDate: 'Teljesítés dátuma',
    seller: 'Eladó',
    buyer: 'Vevő',
    taxId: 'Adószám',
    registrationNumber: 'Cégjegyzékszám',
    columns: {
      position: 'Ssz.',
      name: 'Megnevezés',
      quantity: 'Menny.',
      unit: 'Me.',
      unitNet: 'Nettó egységár',
      vatRate: 'ÁFA %',
      net: 'Nettó',
      vat: 'ÁFA',
      gross: 'Bruttó',
    },
    vatSummary: 'ÁFA összesítő',
    rate: 'Kulcs',
    total: 'Összesen',
    amountDue: 'Fizetendő',
    paymentMethod: 'Fizetési mód',
    dueDate: 'Fizetési határidő',
    bankAccount: 'Bankszámlaszám',
    paid: 'Fizetve',
    orderNumber: 'Rendelésszám',
    currency: 'Pénznem',
    cancelled: 'SZTORNÓZVA',
    clearanceNumber: 'NAV azonosító',
    piece: 'db',
    paymentMethods: {
      transfer: 'átutalás',
      card: 'bankkártya',
      cash: 'készpénz',
      cod: 'utánvét',
      online: 'online fizetés',
    },
    exchangeRate: (r, c) =>
      `Árfolyam ${c}/${r.nationalCurrency}: ${r.rate} (${r.source}${table(r, 'táblázat')}, ${r.date})`,
    vatNational: (c, a) => `ÁFA összege ${c}: ${a}`,
    reverseCharge: 'Fordított adózás — az adót a vevő fizeti (2006/112/EK irányelv 138. és 196. cikk)',
    oss: (country) => `OSS eljárás — áfa a vevő országának kulcsai szerint (${country})`,
  },
  bg: {
    invoice: 'Фактура',
    correction: 'Кредитно известие',
    number: '№',
    issueDate: 'Дата на издаване',
    saleDate: 'Дата на данъчно събитие',
    seller: 'Доставчик',
    buyer: 'Получател',
    taxId: 'ДДС №',
    registrationNumber: 'ЕИК',
    columns: {
      position: '№',
      name: 'Наименование',
      quantity: 'Кол.',
      unit: 'Мярка',
      unitNet: 'Ед. цена',
      vatRate: 'ДДС %',
      net: 'Стойност',
      vat: 'ДДС',
      gross: 'Общо',
    },
    vatSummary: 'ДДС по ставки',
    rate: 'Ставка',
    total: 'Общо',
    amountDue: 'Сума за плащане',
    paymentMethod: 'Начин на плащане',
    dueDate: 'Срок за плащане',
    bankAccount: 'IBAN',
    paid: 'Платено',
    orderNumber: 'Поръчка №',
    currency: 'Валута',
    cancelled: 'АНУЛИРАНА',
    clearanceNumber: 'Идентификатор',
    piece: 'бр.',
    paymentMethods: {
      transfer: 'банков превод',
      card: 'карта',
      cash: 'в брой',
      cod: 'наложен платеж',
      online: 'онлайн плащане',
    },
    exchangeRate: (r, c) =>
      `Курс ${c}/${r.nationalCurrency}: ${r.rate} (${r.source}${table(r, 'таблица')}, ${r.date})`,
    vatNational: (c, a) => `ДДС в ${c}: ${a}`,
    reverseCharge:
      'Обратно начисляване — ДДС се начислява от получателя (чл. 138 и 196 от Директива 2006/112/ЕО)',
    oss: (country) => `Режим OSS — ДДС по ставките на държавата на получателя (${country})`,
  },
  en: {
    invoice: 'Invoice',
    correction: 'Correction invoice',
    number: 'No.',
    issueDate: 'Issue date',
    saleDate: 'Sale date',
    seller: 'Seller',
    buyer: 'Buyer',
    taxId: 'Tax id',
    registrationNumber: 'Reg. no.',
    columns: {
      position: 'No',
      name: 'Name',
      quantity: 'Qty',
      unit: 'Unit',
      unitNet: 'Unit net',
      vatRate: 'VAT %',
      net: 'Net',
      vat: 'VAT',
      gross: 'Gross',
    },
    vatSummary: 'VAT summary',
    rate: 'Rate',
    total: 'Total',
    amountDue: 'Amount due',
    paymentMethod: 'Payment method',
    dueDate: 'Due date',
    bankAccount: 'Bank account',
    paid: 'Paid',
    orderNumber: 'Order number',
    currency: 'Currency',
    cancelled: 'CANCELLED',
    clearanceNumber: 'Clearance number',
    piece: 'pcs',
    paymentMethods: {
      transfer: 'bank transfer',
      card: 'card',
      cash: 'cash',
      cod: 'cash on delivery',
      online: 'online payment',
    },
    exchangeRate: (r, c) =>
      `Exchange rate ${c}/${r.nationalCurrency}: ${r.rate} (${r.source}${table(r, 'table')} of ${r.date})`,
    vatNational: (c, a) => `VAT in ${c}: ${a}`,
    reverseCharge:
      'Reverse charge — VAT to be accounted for by the recipient (Articles 138 and 196 of Directive 2006/112/EC)',
    oss: (country) => `OSS scheme — VAT at the rates of the buyer's country (${country})`,
  },
};

/**
 * The labels of a document in `first`, with `second`'s beside them when given ("Faktura VAT /
 * Invoice"); values (amounts, statements) stay in the first language.
 */
export function labelsFor(first: DocumentLanguage, second?: DocumentLanguage | null) {
  const a = LABELS[first];
  const b = second && second !== first ? LABELS[second] : undefined;
  const both = (pick: (l: InvoiceLabels) => string) => (b ? `${pick(a)} / ${pick(b)}` : pick(a));
  return { primary: a, both };
}
