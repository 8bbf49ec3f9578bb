/**
 * Dates the way WordPress/WooCommerce show and read them.
 * - Responses: `date_x` is the site's local wall time and `date_x_gmt` UTC, both without a zone,
 *   "2026-12-01T10:00:00" (wc_rest_prepare_date_response(), includes/wc-rest-functions.php).
 * - The site's timezone is a store setting (Settings > General > Timezone, wp_timezone()).
 */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function parts(ms: number, timeZone: string): Record<string, number> {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** "YYYY-MM-DDTHH:MM:SS" of an instant in a timezone ('UTC' for the _gmt fields). */
export function wallTime(ms: number, timeZone: string): string {
  const d = Math.floor(ms / 1000) * 1000;
  if (timeZone === 'UTC') return new Date(d).toISOString().slice(0, 19);
  const p = parts(d, timeZone);
  return `${p.year}-${pad(p.month!)}-${pad(p.day!)}T${pad(p.hour!)}:${pad(p.minute!)}:${pad(p.second!)}`;
}

/** Offset of the timezone at an instant, in ms (local − UTC). */
function offsetAt(ms: number, timeZone: string): number {
  const p = parts(ms, timeZone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant of a wall time in a timezone (PHP date_create($s, $tz) for a string without a zone). */
export function wallToInstant(
  wall: { y: number; mo: number; d: number; h: number; mi: number; s: number; frac: number },
  timeZone: string,
): number {
  const naive = Date.UTC(wall.y, wall.mo - 1, wall.d, wall.h, wall.mi, wall.s) + wall.frac;
  if (timeZone === 'UTC') return naive;
  let guess = naive - offsetAt(naive, timeZone);
  guess = naive - offsetAt(guess, timeZone);
  return guess;
}

/**
 * rest_parse_date()'s pattern (wp-includes/rest-api.php): what a `date-time` query parameter
 * (`after`, `before`, `modified_after`, `modified_before`) must look like, or the request is refused
 * with `rest_invalid_param` / "Invalid date.".
 */
const REST_DATE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

export interface ParsedQueryDate {
  wall: { y: number; mo: number; d: number; h: number; mi: number; s: number; frac: number };
  /** Minutes east of UTC when the string carries a zone; null when it has none. */
  offsetMinutes: number | null;
}

export function parseRestDate(value: string): ParsedQueryDate | null {
  const m = REST_DATE.exec(value);
  if (!m) return null;
  const wall = {
    y: Number(m[1]),
    mo: Number(m[2]),
    d: Number(m[3]),
    h: Number(m[4]),
    mi: Number(m[5]),
    s: Number(m[6]),
    frac: m[7] ? Math.floor(Number(m[7]) * 1000) : 0,
  };
  if (wall.mo < 1 || wall.mo > 12 || wall.d < 1 || wall.d > 31 || wall.h > 23 || wall.mi > 59 || wall.s > 59)
    return null;
  let offsetMinutes: number | null = null;
  const zone = m[8];
  if (zone === 'Z') offsetMinutes = 0;
  else if (zone) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  return { wall, offsetMinutes };
}

/** The instant a parsed date names, reading a zone-less value in `zoneIfNone`. */
export function instantOf(date: ParsedQueryDate, zoneIfNone: string): number {
  if (date.offsetMinutes === null) return wallToInstant(date.wall, zoneIfNone);
  return wallToInstant(date.wall, 'UTC') - date.offsetMinutes * 60_000;
}
