import { createHash } from 'node:crypto';

/**
 * UPO v4-3 (`faktury/upo/schemy/upo-v4-3.xsd`, examples in `faktury/upo/przyklady/v4-3/kontekst-nip/`):
 * the official receipt for a session (every accepted document) or for one invoice. The XSD fixes
 * `NazwaPodmiotuPrzyjmujacego` to "Ministerstwo Finansów" (the changelog's TE suffix would fail it),
 * so the sandbox writes the fixed value. No XAdES signature (optional in the XSD).
 */
interface UpoInvoice {
  ksefNumber: string | null;
  invoiceNumber: string | null;
  invoicingDate: string;
  acquisitionDate: string | null;
  invoiceHash: string;
  xml: string;
}

const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function document(nip: string, i: UpoInvoice): string {
  const issued = /<P_1>([^<]*)<\/P_1>/.exec(i.xml)?.[1] ?? i.invoicingDate.slice(0, 10);
  return (
    `<Dokument><NipSprzedawcy>${nip}</NipSprzedawcy><NumerKSeFDokumentu>${i.ksefNumber}</NumerKSeFDokumentu>` +
    `<NumerFaktury>${esc(i.invoiceNumber ?? '')}</NumerFaktury><DataWystawieniaFaktury>${issued}</DataWystawieniaFaktury>` +
    `<DataPrzeslaniaDokumentu>${i.invoicingDate}</DataPrzeslaniaDokumentu><DataNadaniaNumeruKSeF>${i.acquisitionDate}</DataNadaniaNumeruKSeF>` +
    `<SkrotDokumentu>${i.invoiceHash}</SkrotDokumentu><TrybWysylki>Online</TrybWysylki></Dokument>`
  );
}

function head(session: string, nip: string): string {
  const authDigest = createHash('sha256').update(`${session}|${nip}`).digest('base64');
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<Potwierdzenie xmlns="http://upo.schematy.mf.gov.pl/KSeF/v4-3">` +
    `<NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów</NazwaPodmiotuPrzyjmujacego>` +
    `<NumerReferencyjnySesji>${session}</NumerReferencyjnySesji>` +
    `<Uwierzytelnienie><IdKontekstu><Nip>${nip}</Nip></IdKontekstu>` +
    `<SkrotDokumentuUwierzytelniajacego>${authDigest}</SkrotDokumentuUwierzytelniajacego></Uwierzytelnienie>`
  );
}

const FORM = '<NazwaStrukturyLogicznej>Schemat_FA(3)_v1-0E.xsd</NazwaStrukturyLogicznej><KodFormularza>FA (3)</KodFormularza>';

export function invoiceUpo(input: { session: string; nip: string; invoice: UpoInvoice }): string {
  return `${head(input.session, input.nip)}${FORM}${document(input.nip, input.invoice)}</Potwierdzenie>\n`;
}

export function sessionUpo(input: { session: string; nip: string; invoices: UpoInvoice[] }): string {
  const n = input.invoices.length;
  return (
    `${head(input.session, input.nip)}<OpisPotwierdzenia><Strona>1</Strona><LiczbaStron>1</LiczbaStron>` +
    `<ZakresDokumentowOd>${n > 0 ? 1 : 0}</ZakresDokumentowOd><ZakresDokumentowDo>${n}</ZakresDokumentowDo>` +
    `<CalkowitaLiczbaDokumentow>${n}</CalkowitaLiczbaDokumentow></OpisPotwierdzenia>${FORM}` +
    `${input.invoices.map((i) => document(input.nip, i)).join('')}</Potwierdzenie>\n`
  );
}
