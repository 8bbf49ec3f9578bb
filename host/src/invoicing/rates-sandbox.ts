import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local NBP and BNR, for tests and demo mode: the two public services the exchange rates come
 * from, answering as they do (shared/reference/README.md "E-invoicing"):
 * - NBP Web API (https://api.nbp.pl/en.html): `GET /api/exchangerates/rates/a/{code}/{date}/` and
 *   `…/{startDate}/{endDate}/` → JSON `{table:"A", currency, code, rates:[{no, effectiveDate, mid}]}`;
 *   "404 NotFound - Not Found - Brak danych" when the range holds no table (tables are published
 *   on Polish business days only) or the code is not in table A; "400 BadRequest - Przekroczony
 *   limit 367 dni / Limit of 367 days has been exceeded" beyond 367 days. Table numbers are
 *   `{n}/A/NBP/{yyyy}`, n counting the year's tables.
 * - BNR (https://www.bnr.ro/nbrfxrates.xml, yearly `files/xml/years/nbrfxrates{yyyy}.xml`):
 *   `<DataSet><Body><Cube date="…"><Rate currency="EUR">…</Rate><Rate currency="HUF" multiplier="100">…`,
 *   one Cube per Romanian business day.
 * Rates are made up (a stable base per currency with a small daily drift), published up to today.
 */

const BASE_PLN: Record<string, number> = {
  EUR: 4.25,
  USD: 3.7,
  CZK: 0.1712,
  HUF: 0.011,
  RON: 0.8417,
  BGN: 2.1731,
  GBP: 4.95,
  CHF: 4.55,
};
const BASE_RON: Record<string, number> = {
  EUR: 5.09,
  USD: 4.39,
  CZK: 0.2045,
  HUF: 1.3253 /* per 100 */,
  PLN: 1.1911,
  BGN: 2.6025,
  GBP: 5.87,
  CHF: 5.45,
};

const fixed = (year: number, days: string[]) => days.map((d) => `${year}-${d}`);

/** Western (Gregorian) Easter Sunday, Meeus/Jones/Butcher. */
function westernEaster(y: number): string {
  const a = y % 19,
    b = Math.floor(y / 100),
    c = y % 100,
    d = Math.floor(b / 4),
    e = b % 4;
  const f = Math.floor((b + 8) / 25),
    g = Math.floor((b - f + 1) / 3),
    h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4),
    k = c % 4,
    l = (32 + 2 * e + 2 * i - h - k) % 7,
    m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31),
    day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Orthodox Easter Sunday (Julian computus, shifted 13 days to the Gregorian calendar). */
function orthodoxEaster(y: number): string {
  const a = y % 4,
    b = y % 7,
    c = y % 19,
    d = (19 * c + 15) % 30,
    e = (2 * a + 4 * b - d + 34) % 7;
  const month = Math.floor((d + e + 114) / 31),
    day = ((d + e + 114) % 31) + 1;
  return shift(`${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, 13);
}

function shift(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Public holidays (PL: ustawa o dniach wolnych od pracy; RO: Codul muncii art. 139). */
export function holidays(country: 'PL' | 'RO', year: number): Set<string> {
  if (country === 'PL') {
    const easter = westernEaster(year);
    return new Set([
      ...fixed(year, ['01-01', '01-06', '05-01', '05-03', '08-15', '11-01', '11-11', '12-25', '12-26']),
      ...(year >= 2025 ? [`${year}-12-24`] : []),
      shift(easter, 1),
      shift(easter, 60),
    ]);
  }
  const easter = orthodoxEaster(year);
  return new Set([
    ...fixed(year, [
      '01-01',
      '01-02',
      '01-06',
      '01-07',
      '01-24',
      '05-01',
      '06-01',
      '08-15',
      '11-30',
      '12-01',
      '12-25',
      '12-26',
    ]),
    shift(easter, -2),
    easter,
    shift(easter, 1),
    shift(easter, 49),
    shift(easter, 50),
  ]);
}

export function isBusinessDay(country: 'PL' | 'RO', date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day !== 0 && day !== 6 && !holidays(country, Number(date.slice(0, 4))).has(date);
}

/** The made-up rate of `code` on `date` (4 significant decimals as the banks publish). */
export function sandboxRate(base: number, date: string): number {
  const n = Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const value = base * (1 + 0.01 * Math.sin(n / 7));
  return Number(value.toFixed(value < 0.1 ? 6 : 4));
}

function tableNumber(date: string): number {
  let n = 0;
  for (let d = `${date.slice(0, 4)}-01-01`; d <= date; d = shift(d, 1)) if (isBusinessDay('PL', d)) n++;
  return n;
}

export interface RunningRatesSandbox {
  url: string;
  /** Requests served, for tests that check the cache. */
  requests: string[];
  close(): Promise<void>;
  /** Lets the process exit while the sandbox still listens (a sandbox shared by a test process). */
  unref(): void;
}

export async function startRatesSandbox(
  options: { port?: number; today?: () => string } = {},
): Promise<RunningRatesSandbox> {
  const today = options.today ?? (() => new Date().toISOString().slice(0, 10));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(path);
    const text = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const nbp =
      /^\/api\/exchangerates\/rates\/a\/([a-zA-Z]{3})\/(\d{4}-\d{2}-\d{2})\/(?:(\d{4}-\d{2}-\d{2})\/)?$/.exec(
        path,
      );
    if (nbp) {
      const code = nbp[1]!.toUpperCase();
      const from = nbp[2]!;
      const to = nbp[3] ?? from;
      if (to < from) return text(400, '400 BadRequest - Błędny zakres dat / Invalid date range');
      if (Date.parse(to) - Date.parse(from) > 366 * 86_400_000)
        return text(400, '400 BadRequest - Przekroczony limit 367 dni / Limit of 367 days has been exceeded');
      const base = BASE_PLN[code];
      const rates = [];
      for (let d = from; d <= to && d <= today() && base !== undefined; d = shift(d, 1)) {
        if (!isBusinessDay('PL', d)) continue;
        rates.push({
          no: `${String(tableNumber(d)).padStart(3, '0')}/A/NBP/${d.slice(0, 4)}`,
          effectiveDate: d,
          mid: sandboxRate(base, d),
        });
      }
      if (rates.length === 0) return text(404, '404 NotFound - Not Found - Brak danych');
      return text(
        200,
        JSON.stringify({ table: 'A', currency: code, code, rates }),
        'application/json; charset=utf-8',
      );
    }
    const bnr = /^\/files\/xml\/years\/nbrfxrates(\d{4})\.xml$/.exec(path);
    if (bnr || path === '/nbrfxrates.xml') {
      const year = bnr ? Number(bnr[1]) : Number(today().slice(0, 4));
      const end = `${year}-12-31` < today() ? `${year}-12-31` : today();
      const cubes: string[] = [];
      for (let d = `${year}-01-01`; d <= end; d = shift(d, 1)) {
        if (!isBusinessDay('RO', d)) continue;
        const rates = Object.entries(BASE_RON).map(([code, base]) =>
          code === 'HUF'
            ? `<Rate currency="HUF" multiplier="100">${sandboxRate(base, d).toFixed(4)}</Rate>`
            : `<Rate currency="${code}">${sandboxRate(base, d).toFixed(4)}</Rate>`,
        );
        cubes.push(`<Cube date="${d}">${rates.join('')}</Cube>`);
      }
      if (cubes.length === 0 && bnr) return text(404, 'Not Found');
      const body = bnr || cubes.length === 0 ? cubes : [cubes.at(-1)!];
      return text(
        200,
        `<?xml version="1.0" encoding="utf-8"?><DataSet xmlns="http://www.bnr.ro/xsd"><Header><Publisher>National Bank of Romania</Publisher></Header><Body><Subject>Reference rates</Subject><OrigCurrency>RON</OrigCurrency>${body.join('')}</Body></DataSet>`,
        'text/xml; charset=utf-8',
      );
    }
    text(404, 'Not Found');
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    unref: () => void server.unref(),
  };
}
