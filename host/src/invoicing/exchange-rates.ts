import type { SqlPool } from '../db/orm.ts';
import type { FrozenExchangeRate } from './frozen-document.ts';

/**
 * Central banks' exchange rates for invoices in a currency other than the seller's
 * (shared/reference/README.md "E-invoicing"): PLN at the NBP table A mid rate, RON at the BNR
 * reference rate, of the last business day before the tax point (PL VAT act art. 31a; RO Codul
 * fiscal art. 290). Answers are kept in `exchange_rates`: a row is the table applied and
 * `covers_until`, the last day before a tax point it is known to be the latest table for, so a
 * cached answer is never a table that a later one superseded.
 *
 * NBP: `GET {NBP_API_URL}/api/exchangerates/rates/a/{code}/{from}/{to}/?format=json` →
 * `{table, currency, code, rates:[{no, effectiveDate, mid}]}`, 404 when the range holds no table
 * (weekends, holidays) or the currency is not in table A. BNR: `GET
 * {BNR_RATES_URL}/files/xml/years/nbrfxrates{yyyy}.xml` → `<Cube date="…"><Rate currency="EUR">4.9771</Rate>`,
 * some rates per `multiplier` units (HUF 100).
 */

export class ExchangeRateError extends Error {
  override name = 'ExchangeRateError';
}

export const NATIONAL_CURRENCY: Readonly<Record<string, { currency: string; source: 'NBP' | 'BNR' }>> = {
  PL: { currency: 'PLN', source: 'NBP' },
  RO: { currency: 'RON', source: 'BNR' },
};

/** How far back a table is looked for: the longest run of days without one is a week (PL Christmas). */
const LOOKBACK_DAYS = 10;
/** A day's rate never changes once published; an answer is reused for a while without asking the database. */
const ANSWER_MEMO_MS = 10 * 60_000;
const FAILURE_MEMO_MS = 30_000;

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export type RateQuote = Omit<FrozenExchangeRate, 'vatNational'>;

export interface ExchangeRatesOptions {
  pool: Pick<SqlPool, 'query'>;
  nbpUrl?: string;
  bnrUrl?: string;
  timeoutMs?: number;
}

export class ExchangeRates {
  readonly #pool: Pick<SqlPool, 'query'>;
  readonly #nbp: string;
  readonly #bnr: string;
  readonly #timeoutMs: number;
  /** BNR yearly archives fetched by this process, per year (a day's answer is cached in the DB). */
  readonly #bnrYears = new Map<number, Promise<Map<string, Map<string, string>>>>();
  readonly #recent = new Map<string, { at: number; failed: boolean; answer: Promise<RateQuote | null> }>();

  constructor(options: ExchangeRatesOptions) {
    this.#pool = options.pool;
    this.#nbp = (options.nbpUrl ?? process.env.NBP_API_URL ?? 'https://api.nbp.pl').replace(/\/$/, '');
    this.#bnr = (options.bnrUrl ?? process.env.BNR_RATES_URL ?? 'https://www.bnr.ro').replace(/\/$/, '');
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  /**
   * The rate to state on an invoice in `currency` of a seller in `sellerCountry` whose tax point
   * is `taxPoint`; null when no conversion is needed (same currency). Throws {@link ExchangeRateError}
   * with a message saying what is missing.
   */
  quote(options: { sellerCountry: string; currency: string; taxPoint: string }): Promise<RateQuote | null> {
    // One question per (bank, currency, day) at a time: a page of orders of one day asks once.
    // A failure is remembered briefly, so a page does not wait for an unreachable bank per order.
    const key = `${options.sellerCountry.toUpperCase()}|${options.currency.toUpperCase()}|${options.taxPoint}`;
    const now = Date.now();
    const memo = this.#recent.get(key);
    if (memo && now - memo.at < (memo.failed ? FAILURE_MEMO_MS : ANSWER_MEMO_MS)) return memo.answer;
    const entry: { at: number; failed: boolean; answer: Promise<RateQuote | null> } = {
      at: now,
      failed: false,
      answer: this.#quote(options),
    };
    entry.answer.catch(() => {
      entry.failed = true;
      entry.at = Date.now();
    });
    if (this.#recent.size > 10_000) this.#recent.clear();
    this.#recent.set(key, entry);
    return entry.answer;
  }

  async #quote(options: {
    sellerCountry: string;
    currency: string;
    taxPoint: string;
  }): Promise<RateQuote | null> {
    const national = NATIONAL_CURRENCY[options.sellerCountry.toUpperCase()];
    const currency = options.currency.toUpperCase();
    if (!national) {
      throw new ExchangeRateError(
        `invoices in ${currency} need a national-currency rate, and none is known for sellers in ${options.sellerCountry} (NBP for PL, BNR for RO)`,
      );
    }
    if (currency === national.currency) return null;
    const last = addDays(options.taxPoint, -1);
    const cached = await this.#pool.query<{ rate: string; table_no: string; date: string }>(
      `select rate::text as rate, table_no, date from exchange_rates
        where source = $1 and currency = $2 and date <= $3 and covers_until >= $3
        order by date desc limit 1`,
      [national.source, currency, last],
    );
    const hit = cached.rows[0];
    if (hit) return toQuote(national, hit);
    const found =
      national.source === 'NBP' ? await this.#fromNbp(currency, last) : await this.#fromBnr(currency, last);
    await this.#pool.query(
      `insert into exchange_rates (source, currency, date, rate, table_no, covers_until, fetched_at)
       values ($1, $2, $3, $4, $5, $6, now())
       on conflict (source, currency, date) do update
         set covers_until = greatest(exchange_rates.covers_until, excluded.covers_until)`,
      [national.source, currency, found.date, found.rate, found.table_no, last],
    );
    return toQuote(national, found);
  }

  async #get(url: string): Promise<Response> {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      throw new ExchangeRateError(
        `${url} did not answer (${(error as Error).message}); the invoice waits and is retried on the next run`,
      );
    }
  }

  async #fromNbp(currency: string, last: string): Promise<{ rate: string; table_no: string; date: string }> {
    const from = addDays(last, -LOOKBACK_DAYS);
    const url = `${this.#nbp}/api/exchangerates/rates/a/${currency.toLowerCase()}/${from}/${last}/?format=json`;
    const response = await this.#get(url);
    if (response.status === 404) {
      throw new ExchangeRateError(
        NBP_TABLE_A.has(currency)
          ? `NBP published no table A rate for ${currency} between ${from} and ${last}; the invoice waits until the rate is available`
          : `${currency} is not in NBP table A: no PLN rate can be stated for it; invoice such orders in a table A currency`,
      );
    }
    if (!response.ok)
      throw new ExchangeRateError(`NBP answered ${response.status} for ${url}; retried on the next run`);
    const body = (await response.json()) as { rates?: { no: string; effectiveDate: string; mid: number }[] };
    const latest = body.rates?.filter((r) => r.effectiveDate <= last).at(-1);
    if (!latest) throw new ExchangeRateError(`NBP's answer for ${currency} up to ${last} holds no rate`);
    return { rate: String(latest.mid), table_no: latest.no, date: latest.effectiveDate };
  }

  async #fromBnr(currency: string, last: string): Promise<{ rate: string; table_no: string; date: string }> {
    const year = Number(last.slice(0, 4));
    const from = addDays(last, -LOOKBACK_DAYS);
    const days = new Map<string, Map<string, string>>();
    for (const y of year === Number(from.slice(0, 4)) ? [year] : [year - 1, year]) {
      for (const [date, rates] of await this.#bnrYear(y)) days.set(date, rates);
    }
    const dates = [...days.keys()].filter((d) => d >= from && d <= last).sort();
    if (dates.length === 0)
      throw new ExchangeRateError(
        `BNR published no rates between ${from} and ${last}; the invoice waits until it does`,
      );
    const date = dates.at(-1)!;
    const rate = days.get(date)!.get(currency);
    if (rate === undefined)
      throw new ExchangeRateError(
        `${currency} is not among BNR's reference rates: no RON rate can be stated for it`,
      );
    return { rate, table_no: `BNR ${date}`, date };
  }

  #bnrYear(year: number): Promise<Map<string, Map<string, string>>> {
    let pending = this.#bnrYears.get(year);
    if (!pending) {
      pending = (async () => {
        const url = `${this.#bnr}/files/xml/years/nbrfxrates${year}.xml`;
        const response = await this.#get(url);
        if (!response.ok)
          throw new ExchangeRateError(`BNR answered ${response.status} for ${url}; retried on the next run`);
        return parseBnr(await response.text());
      })();
      this.#bnrYears.set(year, pending);
      // A failure or the current year (still growing) is not kept for long.
      const forget = () => setTimeout(() => this.#bnrYears.delete(year), 60_000).unref();
      pending.then(
        () => (year >= new Date().getUTCFullYear() ? forget() : undefined),
        () => this.#bnrYears.delete(year),
      );
    }
    return pending;
  }
}

/** BNR's XML: `<Cube date="YYYY-MM-DD">` with `<Rate currency="X" [multiplier="N"]>value</Rate>`. */
export function parseBnr(xml: string): Map<string, Map<string, string>> {
  const days = new Map<string, Map<string, string>>();
  for (const cube of xml.matchAll(/<Cube\s+date="(\d{4}-\d{2}-\d{2})"\s*>([\s\S]*?)<\/Cube>/g)) {
    const rates = new Map<string, string>();
    for (const r of cube[2]!.matchAll(
      /<Rate\s+currency="([A-Z]{3})"(?:\s+multiplier="(\d+)")?\s*>([\d.]+)<\/Rate>/g,
    )) {
      const multiplier = Number(r[2] ?? '1');
      rates.set(r[1]!, multiplier === 1 ? r[3]! : String(Number((Number(r[3]) / multiplier).toFixed(8))));
    }
    days.set(cube[1]!, rates);
  }
  return days;
}

function toQuote(
  national: { currency: string; source: 'NBP' | 'BNR' },
  row: { rate: string; table_no: string; date: string },
): RateQuote {
  return {
    rate: String(Number(row.rate)),
    source: national.source,
    table: row.table_no,
    date: row.date,
    nationalCurrency: national.currency,
  };
}

/** NBP table A currencies (https://api.nbp.pl/api/exchangerates/tables/a/, 2025). */
export const NBP_TABLE_A: ReadonlySet<string> = new Set(
  'THB USD AUD HKD CAD NZD SGD EUR HUF CHF GBP UAH JPY CZK DKK ISK NOK SEK RON BGN TRY ILS CLP PHP MXN ZAR BRL MYR IDR INR KRW CNY XDR'.split(
    ' ',
  ),
);
