import type { Pagination } from '@mch/schemas';

/** Where a pull stands: pages read so far and what the next request carries. */
export interface PagePosition {
  /** Pages read so far (0 before the first). */
  read: number;
  /** Records read so far. */
  records: number;
  /** Query parameters the next request adds (page number, offset, cursor). */
  query: Record<string, string>;
  /** Absolute URL of the next request (linkHeader, nextUrl); the query is then in it. */
  url?: string;
}

/** What one answer says about what comes next, read by the runner (headers, JSONata fields). */
export interface PageSignals {
  /** Records on this page. */
  count: number;
  totalPages?: number | undefined;
  totalCount?: number | undefined;
  /** `cursor`: the next cursor from the body. */
  nextCursor?: string | undefined;
  /** `nextUrl`, `linkHeader` and `hook`: the next page's absolute URL. */
  nextUrl?: string | undefined;
  /** `hook`: query parameters of the next request, over the first request's. */
  nextQuery?: Record<string, string> | undefined;
  /** `hook`: the hook said this was the last page. */
  done?: boolean;
}

export type NextPage = { done: true } | { done: false; position: PagePosition };

/** The position of the first request. */
export function firstPage(pagination: Pagination | undefined): PagePosition {
  const query: Record<string, string> = {};
  if (pagination?.type === 'pageNumber') {
    query[pagination.param] = String(pagination.start);
    if (pagination.size) query[pagination.size.param] = String(pagination.size.value);
  } else if (pagination?.type === 'offset') {
    query[pagination.param] = String(pagination.start);
    query[pagination.limit.param] = String(pagination.limit.value);
  }
  return { read: 0, records: 0, query };
}

/**
 * After a page: stop (empty page, short page, totals reached, no next link or cursor) or the next
 * position. Reaching `maxPages` with more to read is the caller's error to raise (`MaxPagesError`).
 */
export function nextPage(
  pagination: Pagination | undefined,
  position: PagePosition,
  signals: PageSignals,
): NextPage {
  const read = position.read + 1;
  const records = position.records + signals.count;
  if (!pagination || signals.count === 0) return { done: true };
  const at = { read, records };
  switch (pagination.type) {
    case 'pageNumber': {
      if (pagination.size && signals.count < pagination.size.value) return { done: true };
      if (signals.totalPages !== undefined && read >= signals.totalPages) return { done: true };
      if (signals.totalCount !== undefined && records >= signals.totalCount) return { done: true };
      const number = pagination.start + read;
      return {
        done: false,
        position: { ...at, query: { ...position.query, [pagination.param]: String(number) } },
      };
    }
    case 'offset': {
      if (signals.count < pagination.limit.value) return { done: true };
      if (signals.totalCount !== undefined && records >= signals.totalCount) return { done: true };
      const offset = pagination.start + records;
      return {
        done: false,
        position: { ...at, query: { ...position.query, [pagination.param]: String(offset) } },
      };
    }
    case 'cursor':
      if (!signals.nextCursor) return { done: true };
      return {
        done: false,
        position: { ...at, query: { ...position.query, [pagination.param]: signals.nextCursor } },
      };
    case 'linkHeader':
    case 'nextUrl':
      if (!signals.nextUrl) return { done: true };
      return { done: false, position: { ...at, query: {}, url: signals.nextUrl } };
    case 'hook':
      if (signals.done) return { done: true };
      if (signals.nextUrl) return { done: false, position: { ...at, query: {}, url: signals.nextUrl } };
      if (signals.nextQuery) return { done: false, position: { ...at, query: signals.nextQuery } };
      return { done: true };
  }
}

/**
 * The `rel="next"` target of an RFC 8288 Link header, resolved against the URL of the request it
 * answered (https://www.rfc-editor.org/rfc/rfc8288#section-3).
 */
export function nextLink(header: string | undefined, requestUrl: string): string | undefined {
  if (!header) return undefined;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return new URL(match[1] ?? '', requestUrl).toString();
  }
  return undefined;
}
