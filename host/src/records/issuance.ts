import type { SqlPool } from '../db/orm.ts';
import { ExchangeRateError, ExchangeRates, type RateQuote } from '../invoicing/exchange-rates.ts';
import type { FrozenSeller, FrozenTemplate } from '../invoicing/frozen-document.ts';
import {
  type CompanyIdentityRow,
  frozenSeller,
  type IdentityIssue,
  identityIssues,
} from '../invoicing/seller-identity.ts';
import { checkBuyerVatId } from '../invoicing/tax-ids.ts';
import { EU_COUNTRIES, isReverseCharge, ratesOn, taxCountry } from '../invoicing/vat-rates.ts';
import { sumLines } from '../invoicing/money.ts';
import type { InvoiceDraft } from './invoice-draft.ts';
import { ImportSetupError } from './invoice-sql.ts';

/**
 * Whether an order may be invoiced now, decided before its transaction (the exchange rate may
 * need a request to the central bank): the company's identity is complete, every line's VAT
 * rate is valid in the country of taxation on the sale date, and a foreign-currency invoice
 * has its rate. An order that may not is held (`held_invoices`) with the reason, nothing issued.
 */

export type HoldReason = 'company_incomplete' | 'vat_rate' | 'exchange_rate';

export interface Issuer {
  companyId: string;
  identity: CompanyIdentityRow;
  usesOss: boolean;
  issues: IdentityIssue[];
  /** Present when the identity is complete. */
  seller: FrozenSeller | null;
  /** The template the integration's setting picks, frozen into every document issued now; null: none. */
  template: FrozenTemplate | null;
  /** Whether the integration had held orders when the issuer was read (release them first). */
  hasHeld: boolean;
}

export type Issuance =
  | {
      ok: true;
      tax: { country: string; oss: boolean };
      rate: RateQuote | null;
      /** An intra-EU B2B supply: issued without VAT, the buyer accounts for it (`reverseChargeDraft`). */
      reverseCharge?: boolean;
    }
  | { ok: false; reason: HoldReason; message: string };

/** The company the integration's invoices are issued by, read now. */
export async function loadIssuer(
  pool: Pick<SqlPool, 'query'>,
  options: {
    tenantId: string;
    integrationId: string;
    companyId: string | undefined;
    /** The plugin's setting that picks the invoice template (`x-host-choices: "invoiceTemplates"`). */
    templateSetting?: string | undefined;
  },
): Promise<Issuer> {
  const { rows } = await pool.query<{
    id: string;
    name: string;
    legal_name: string | null;
    tax_id: string | null;
    registration_number: string | null;
    address: Record<string, string> | null;
    country: string;
    vat_status: string;
    bank_account: string | null;
    uses_oss: boolean;
    has_held: boolean;
  }>(
    `select c.id, c.name, c.legal_name, c.tax_id, c.registration_number, c.address, c.country, c.vat_status,
            c.bank_account, c.uses_oss,
            exists (select 1 from held_invoices h where h.integration_id = $3) as has_held
       from companies c
      where c.tenant_id = $1 and ($2::uuid is null or c.id = $2::uuid)
      order by (c.id = (select company_id from integrations where id = $3)) is true desc, c.is_default desc, c.created_at
      limit 1`,
    [options.tenantId, options.companyId ?? null, options.integrationId],
  );
  const row = rows[0];
  if (!row) {
    throw new ImportSetupError(
      options.companyId
        ? `company ${options.companyId} does not belong to this tenant; pick one of the tenant's companies`
        : 'the tenant has no company to issue invoices from; add one under Settings → Company',
    );
  }
  const identity: CompanyIdentityRow = {
    name: row.name,
    legalName: row.legal_name,
    taxId: row.tax_id,
    registrationNumber: row.registration_number,
    address: row.address,
    country: row.country,
    vatStatus: row.vat_status,
    bankAccount: row.bank_account,
  };
  const issues = identityIssues(identity);
  return {
    companyId: row.id,
    identity,
    usesOss: row.uses_oss,
    issues,
    seller: issues.length === 0 ? frozenSeller(identity) : null,
    template: options.templateSetting
      ? await frozenTemplate(pool, { ...options, templateSetting: options.templateSetting })
      : null,
    hasHeld: row.has_held,
  };
}

/**
 * The template the integration's setting picks, as it is now, for freezing into the documents
 * about to be issued; its logo is copied (once per content) into `invoice_logos`, which is never
 * updated, so the document keeps printing it whatever happens to the template later.
 */
async function frozenTemplate(
  pool: Pick<SqlPool, 'query'>,
  options: { tenantId: string; integrationId: string; templateSetting: string },
): Promise<FrozenTemplate | null> {
  const { rows } = await pool.query<{
    id: string;
    name: string;
    layout: string;
    footer_note: string | null;
    second_language: string | null;
    logo_sha256: string | null;
  }>(
    `with t as (
       select t.id, t.name, t.layout, t.footer_note, t.second_language, t.logo, t.logo_type,
              case when t.logo is null then null else encode(sha256(t.logo), 'hex') end as logo_sha256
         from integrations g join invoice_templates t on t.tenant_id = g.tenant_id and t.id::text = g.settings ->> $3
        where g.id = $2 and g.tenant_id = $1),
     kept as (
       insert into invoice_logos (tenant_id, sha256, logo_type, logo, created_at)
       select $1, logo_sha256, logo_type, logo, now() from t where logo_sha256 is not null
       on conflict do nothing)
     select id, name, layout, footer_note, second_language, logo_sha256 from t`,
    [options.tenantId, options.integrationId, options.templateSetting],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    layout: row.layout,
    footerNote: row.footer_note,
    secondLanguage: row.second_language,
    logoSha256: row.logo_sha256,
  };
}

const ratesByPool = new WeakMap<object, ExchangeRates>();

/** One rates client per database (its cache is the database's `exchange_rates`). */
export function exchangeRatesFor(pool: Pick<SqlPool, 'query'>): ExchangeRates {
  let rates = ratesByPool.get(pool);
  if (!rates) {
    rates = new ExchangeRates({ pool });
    ratesByPool.set(pool, rates);
  }
  return rates;
}

const fmtRate = (r: string) => String(Number(r));

export async function checkIssuance(
  issuer: Issuer,
  draft: InvoiceDraft,
  rates: ExchangeRates,
): Promise<Issuance> {
  if (!issuer.seller) {
    return {
      ok: false,
      reason: 'company_incomplete',
      message: `order ${draft.externalId} awaits company details: ${issuer.issues.map((i) => `${i.field} — ${i.message}`).join(' ')}`,
    };
  }
  const buyer = draft.customer;
  const sellerCountry = issuer.seller.address.country;
  const buyerIsBusiness = Boolean(buyer?.companyName || buyer?.taxId);
  const buyerCountry = buyerCountryOf(buyer);
  const vatIdIssue =
    buyer?.taxId && buyerCountry && EU_COUNTRIES.has(buyerCountry)
      ? checkBuyerVatId(buyerCountry, buyer.taxId)
      : 'no tax id';
  const reverseCharge = isReverseCharge({
    sellerCountry,
    sellerRegistered: issuer.seller.vatStatus === 'registered',
    buyerCountry,
    buyerIsBusiness,
    // The marketplace says the buyer is not VAT-registered: its id is no VAT id.
    buyerVatIdIssue:
      buyer?.vatRegistered === false ? 'the marketplace says the buyer is not VAT-registered' : vatIdIssue,
  });
  const tax = reverseCharge
    ? { country: sellerCountry.toUpperCase(), oss: false }
    : taxCountry({
        sellerCountry,
        buyerCountry,
        buyerIsConsumer: !buyerIsBusiness,
        usesOss: issuer.usesOss,
      });
  const valid = issuer.seller.vatStatus === 'exempt' ? ['0.00'] : ratesOn(tax.country, draft.saleDate);
  if (valid && !reverseCharge) {
    for (const line of draft.lines) {
      if (valid.includes(line.vatRate)) continue;
      // A business abroad whose tax id is not a valid VAT id is taxed as any buyer: say why.
      const why =
        buyerIsBusiness && buyerCountry && buyerCountry !== sellerCountry.toUpperCase() && buyer?.taxId
          ? ` The buyer's tax id ${buyer.taxId} is not a valid VAT id of ${buyerCountry} (${buyer.vatRegistered === false ? 'the marketplace says the buyer is not VAT-registered' : vatIdIssue}), so the sale is not reverse-charged.`
          : '';
      return {
        ok: false,
        reason: 'vat_rate',
        message:
          `order ${draft.externalId}, line ${line.position} "${line.name}": VAT ${fmtRate(line.vatRate)} % is not valid in ${tax.country} on ${draft.saleDate}` +
          `${tax.oss ? ' (OSS: the buyer’s country)' : ''}${issuer.seller.vatStatus === 'exempt' ? ' for a VAT-exempt seller' : ''}; valid rates: ${valid.map(fmtRate).join(', ')} %.${why} ` +
          'Correct the rate on the marketplace or the integration’s default VAT rate; nothing was issued for this order.',
      };
    }
  }
  try {
    const rate = await rates.quote({
      sellerCountry: issuer.seller.address.country,
      currency: draft.currency,
      taxPoint: draft.saleDate,
    });
    return reverseCharge ? { ok: true, tax, rate, reverseCharge } : { ok: true, tax, rate };
  } catch (error) {
    if (!(error instanceof ExchangeRateError)) throw error;
    return {
      ok: false,
      reason: 'exchange_rate',
      message: `order ${draft.externalId} (${draft.currency}, sale date ${draft.saleDate}): ${error.message}`,
    };
  }
}

/** The buyer's country: its address's, else its VAT id's prefix (`EL` is Greece). */
function buyerCountryOf(buyer: InvoiceDraft['customer']): string | null {
  const fromAddress = buyer?.address?.countryCode?.toUpperCase();
  if (fromAddress) return fromAddress;
  const prefix = /^([A-Z]{2})\d/.exec(buyer?.taxId?.replace(/\s/g, '').toUpperCase() ?? '')?.[1];
  if (!prefix) return null;
  return prefix === 'EL' ? 'GR' : prefix;
}

/**
 * The draft of a reverse-charged sale: every line without VAT (rate 0, VAT 0), the buyer accounts
 * for it in its own country. What the marketplace says the buyer pays stays the amount due: with
 * gross prices (Allegro) the line's gross is its net; with net prices (eMAG) its net is its gross.
 * Totals are summed again.
 */
export function reverseChargeDraft(draft: InvoiceDraft): InvoiceDraft {
  const gross = draft.priceMode === 'gross';
  const lines = draft.lines.map((l) => ({
    ...l,
    vatRate: '0.00',
    vat: '0.00',
    net: gross ? l.gross : l.net,
    gross: gross ? l.gross : l.net,
    unitNet: gross ? l.unitGross : l.unitNet,
    unitGross: gross ? l.unitGross : l.unitNet,
  }));
  return { ...draft, lines, totals: sumLines(lines) };
}
