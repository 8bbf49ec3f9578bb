/**
 * eMAG dates are "YYYY-mm-dd HH:ii:ss" in Romanian local time (API doc "Order fields": date,
 * modified; campaign examples carry `"timezone": "Europe/Bucharest"`). The sandbox writes and
 * reads them in that zone, so a client that treats them as UTC is off by 2–3 hours here too.
 */
export const EMAG_TIME_ZONE = 'Europe/Bucharest';

const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: EMAG_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function fields(ms: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of formatter.formatToParts(new Date(ms))) out[part.type] = part.value;
  return out;
}

/** Offset of Bucharest from UTC at instant `ms`, in milliseconds (+2 h or +3 h). */
function offsetAt(ms: number): number {
  const f = fields(ms);
  const asUtc = Date.UTC(
    Number(f.year),
    Number(f.month) - 1,
    Number(f.day),
    Number(f.hour),
    Number(f.minute),
    Number(f.second),
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}

// Intl is slow (~10 µs a call) and every order prints several dates, while the offset only
// changes twice a year: cache it per UTC hour (DST switches happen on the hour).
const offsets = new Map<number, number>();
function cachedOffset(ms: number): number {
  const hour = Math.floor(ms / 3_600_000);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    if (offsets.size > 50_000) offsets.clear();
    offset = offsetAt(hour * 3_600_000);
    offsets.set(hour, offset);
  }
  return offset;
}

export function formatDate(ms: number): string {
  return new Date(ms + cachedOffset(ms)).toISOString().slice(0, 19).replace('T', ' ');
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Milliseconds of an eMAG (Bucharest) date string, or undefined when it is not one. */
export function parseDate(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(wall)) return undefined;
  // Wall time → instant: subtract the offset, then re-check it at the result (DST edges).
  let ms = wall - offsetAt(wall);
  ms = wall - offsetAt(ms);
  return ms;
}

/** One calendar month after `ms` (the "maximum 1 month difference" of the order filters). */
export function oneMonthAfter(ms: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.getTime();
}
