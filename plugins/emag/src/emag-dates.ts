/**
 * eMAG writes dates as `YYYY-mm-dd HH:ii:ss` in its own (Bucharest) wall-clock time (API doc
 * "Order filters"). Cursors stay in that form: the arithmetic below treats them as plain
 * wall-clock values, so no time zone is ever converted.
 */
export function shiftEmagDate(date: string, deltaMs: number): string {
  const ms = Date.parse(`${date.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw new Error(`not an eMAG date: ${date}`);
  return new Date(ms + deltaMs).toISOString().slice(0, 19).replace('T', ' ');
}

/** The later of two eMAG dates (the format sorts as text). */
export function laterEmagDate(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
