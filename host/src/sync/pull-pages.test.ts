import { PaginationSchema, type Pagination } from '@mch/schemas';
import { describe, expect, it } from 'vitest';
import { firstPage, nextLink, nextPage, type PagePosition, type PageSignals } from './pull-pages.ts';

const parse = (input: unknown): Pagination => PaginationSchema.parse(input);

/** Walks pages as the runner does; `answer` says what page n (1-based) contained. */
function walk(pagination: Pagination, answer: (n: number, at: PagePosition) => PageSignals): PagePosition[] {
  const seen: PagePosition[] = [];
  let position = firstPage(pagination);
  for (let n = 1; n < 100; n++) {
    seen.push(position);
    const next = nextPage(pagination, position, answer(n, position));
    if (next.done) return seen;
    position = next.position;
  }
  throw new Error('did not stop');
}

describe('pull pagination', () => {
  it('pageNumber stops at the total pages header: 250 records in pages of 100 are 3 requests', () => {
    const pagination = parse({ type: 'pageNumber', param: 'page', totalPagesHeader: 'X-WP-TotalPages' });
    const pages = walk(pagination, (n) => ({ count: n < 3 ? 100 : 50, totalPages: 3 }));
    expect(pages.map((p) => p.query)).toEqual([{ page: '1' }, { page: '2' }, { page: '3' }]);
  });

  it('pageNumber with a size sends it and stops at a short page; without totals, at an empty page', () => {
    const sized = parse({ type: 'pageNumber', param: 'p', start: 0, size: { param: 'n', value: 10 } });
    expect(walk(sized, (n) => ({ count: n === 2 ? 4 : 10 })).map((p) => p.query)).toEqual([
      { p: '0', n: '10' },
      { p: '1', n: '10' },
    ]);
    const bare = parse({ type: 'pageNumber', param: 'page' });
    expect(walk(bare, (n) => ({ count: n <= 2 ? 5 : 0 }))).toHaveLength(3);
  });

  it('pageNumber stops when the total count is reached', () => {
    const pagination = parse({
      type: 'pageNumber',
      param: 'page',
      size: { param: 'per_page', value: 100 },
      totalCountHeader: 'X-WP-Total',
    });
    expect(walk(pagination, () => ({ count: 100, totalCount: 200 }))).toHaveLength(2);
  });

  it('offset moves by the records read and stops at a short page or the total', () => {
    const pagination = parse({ type: 'offset', param: 'offset', limit: { param: 'limit', value: 50 } });
    const pages = walk(pagination, (n) => ({ count: n < 3 ? 50 : 20 }));
    expect(pages.map((p) => p.query)).toEqual([
      { offset: '0', limit: '50' },
      { offset: '50', limit: '50' },
      { offset: '100', limit: '50' },
    ]);
    expect(walk(pagination, () => ({ count: 50, totalCount: 100 }))).toHaveLength(2);
  });

  it('cursor sends the next cursor and stops when there is none', () => {
    const pagination = parse({ type: 'cursor', param: 'after', field: 'next' });
    const pages = walk(pagination, (n) => ({ count: 10, nextCursor: n < 3 ? `c${n}` : undefined }));
    expect(pages.map((p) => p.query)).toEqual([{}, { after: 'c1' }, { after: 'c2' }]);
  });

  it('linkHeader and nextUrl follow the URL and stop without one, or at an empty page', () => {
    for (const type of ['linkHeader', 'nextUrl'] as const) {
      const pagination = parse(type === 'nextUrl' ? { type, field: 'next' } : { type });
      const pages = walk(pagination, (n) => ({
        count: 1,
        nextUrl: n < 2 ? 'https://api.example/x?page=2' : undefined,
      }));
      expect(pages.map((p) => p.url)).toEqual([undefined, 'https://api.example/x?page=2']);
      expect(walk(pagination, () => ({ count: 0, nextUrl: 'https://api.example/more' }))).toHaveLength(1);
    }
  });

  it('counts pages read, for the maxPages cap', () => {
    const pagination = parse({ type: 'pageNumber', param: 'page', maxPages: 2 });
    const next = nextPage(pagination, firstPage(pagination), { count: 5 });
    expect(next).toMatchObject({ done: false, position: { read: 1, records: 5 } });
  });

  it('reads the rel="next" target of an RFC 8288 Link header, relative ones against the request', () => {
    const header =
      '<https://api.example/o?page=1>; rel="prev", <https://api.example/o?page=3>; rel="next", <https://api.example/o?page=9>; rel=last';
    expect(nextLink(header, 'https://api.example/o?page=2')).toBe('https://api.example/o?page=3');
    expect(nextLink('</o?page=4>; rel="next last"', 'https://api.example/o?page=3')).toBe(
      'https://api.example/o?page=4',
    );
    expect(nextLink('<https://api.example/o?page=1>; rel="prev"', 'https://api.example/')).toBeUndefined();
    expect(nextLink(undefined, 'https://api.example/')).toBeUndefined();
  });
});
