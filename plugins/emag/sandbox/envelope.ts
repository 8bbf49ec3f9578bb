/**
 * eMAG's response envelope (API doc 1.3 "Response"): always JSON with isError, messages and
 * results; logical errors come back as HTTP 200 with isError:true.
 */
export interface Envelope {
  isError: boolean;
  messages: string[];
  results: unknown;
}

export const ok = (results: unknown = []): Envelope => ({ isError: false, messages: [], results });
export const fail = (...messages: string[]): Envelope => ({ isError: true, messages, results: [] });

/** A value as an integer, accepting the numeric strings form encoding produces. */
export function toInt(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** A flag as PHP reads it from form or JSON: true, 1, "1", "true". */
export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

/** "a single value or a list of values" (order filters `status`, `payment_mode_id`). */
export function toIntList(value: unknown): number[] | undefined {
  const items = Array.isArray(value) ? value : [value];
  const out: number[] = [];
  for (const item of items) {
    const n = toInt(item);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Save actions take a list of entities; a single object is treated as a list of one. */
export function asEntityList(data: unknown): Record<string, unknown>[] | undefined {
  if (Array.isArray(data)) return data.every(isRecord) ? data : undefined;
  if (isRecord(data)) return [data];
  return undefined;
}

/** Paging shared by every read (API doc 1.3 "Pagination and filters"). */
export function paging(
  filters: Record<string, unknown>,
): { page: number; perPage: number } | { error: string } {
  const page = filters.currentPage === undefined ? 1 : toInt(filters.currentPage);
  const perPage = filters.itemsPerPage === undefined ? 100 : toInt(filters.itemsPerPage);
  if (page === undefined || page < 1 || page > 65535)
    return { error: 'currentPage must be an integer between 1 and 65535' };
  if (perPage === undefined || perPage < 1 || perPage > 100)
    return { error: 'itemsPerPage must be an integer between 1 and 100' };
  return { page, perPage };
}
