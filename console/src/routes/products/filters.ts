// The products list's search lives in the URL, so the page's `load` reads what it names.

export const PAGE = 50;
export type LinkState = '' | 'linked' | 'conflict' | 'unlinked';
const LINK_STATES: readonly LinkState[] = ['linked', 'conflict', 'unlinked'];

/** The search as the URL holds it (the form's values). */
export function filtersOf(params: URLSearchParams): { q: string; linkState: LinkState; offset: number } {
  const link = params.get('link') ?? '';
  return {
    q: params.get('q') ?? '',
    linkState: LINK_STATES.find((state) => state === link) ?? '',
    offset: Number(params.get('offset') ?? 0) || 0,
  };
}

/** The `products.list` query for the URL's search. */
export function queryOf(params: URLSearchParams) {
  const { q, linkState, offset } = filtersOf(params);
  return {
    ...(q.trim() ? { q: q.trim() } : {}),
    ...(linkState ? { linkState } : {}),
    limit: PAGE,
    offset,
  };
}
