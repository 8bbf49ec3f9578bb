import type { InvoiceQuery } from '$lib/api-types.ts';
import { CLEARANCE_CHOICES } from '$lib/clearance.ts';

// The invoice workspace's search lives in the URL, so a filtered view can be linked (an alert
// opens `/invoices?clearance=due`) and the page's `load` reads what the URL names.

export const PAGE = 50;

type Sort = NonNullable<InvoiceQuery['sort']>;
type Status = NonNullable<InvoiceQuery['status']>;
type Clearance = NonNullable<InvoiceQuery['clearance']>;

export const SORTS: { value: Sort; label: string }[] = [
  { value: '-created', label: 'Newest first' },
  { value: 'created', label: 'Oldest first' },
  { value: '-issueDate', label: 'Issue date, latest first' },
  { value: 'issueDate', label: 'Issue date, earliest first' },
  { value: 'number', label: 'Number, A to Z' },
  { value: '-number', label: 'Number, Z to A' },
  { value: '-total', label: 'Total, highest first' },
  { value: 'total', label: 'Total, lowest first' },
];
export const STATUSES: { value: Status; label: string }[] = [
  { value: 'issued', label: 'Issued' },
  { value: 'paid', label: 'Paid' },
  { value: 'cancelled', label: 'Cancelled' },
];
export const TYPES = [
  { value: 'invoice', label: 'Invoices' },
  { value: 'correction', label: 'Corrections' },
] as const;
export const CURRENCIES = ['PLN', 'EUR', 'RON', 'HUF', 'BGN', 'CZK', 'USD', 'GBP'];

/** The URL parameters the workspace reads, in the order the form shows them. */
export const FILTER_NAMES = [
  'q',
  'integrationId',
  'type',
  'status',
  'clearance',
  'currency',
  'from',
  'to',
  'sort',
] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const pick = <T extends string>(value: string, allowed: readonly { value: T }[]): T | '' =>
  allowed.find((choice) => choice.value === value)?.value ?? '';

/** The search as the URL holds it (the form's values); unknown values read as "any". */
export function filtersOf(params: URLSearchParams) {
  const get = (name: string) => params.get(name)?.trim() ?? '';
  const date = (name: string) => (DATE.test(get(name)) ? get(name) : '');
  return {
    q: get('q'),
    integrationId: get('integrationId'),
    type: pick(get('type'), TYPES),
    status: pick(get('status'), STATUSES),
    clearance: pick<Clearance>(get('clearance'), CLEARANCE_CHOICES),
    currency: /^[A-Za-z]{3}$/.test(get('currency')) ? get('currency').toUpperCase() : '',
    from: date('from'),
    to: date('to'),
    sort: pick(get('sort'), SORTS) || '-created',
    offset: Math.max(0, Math.floor(Number(get('offset')) || 0)),
  };
}
export type Filters = ReturnType<typeof filtersOf>;

/** The filters that narrow the list (no paging), as the list and the CSV export take them. */
function given(filters: Filters) {
  const { offset: _offset, sort, ...rest } = filters;
  const out: Partial<Record<FilterName, string>> = {};
  for (const [name, value] of Object.entries(rest)) if (value) out[name as FilterName] = value;
  if (sort !== '-created') out.sort = sort;
  return out;
}

/** The `invoices.list` query for the URL's search. */
export function queryOf(params: URLSearchParams): InvoiceQuery {
  const filters = filtersOf(params);
  return { ...(given(filters) as InvoiceQuery), limit: PAGE, offset: filters.offset };
}

/** The CSV export of the same invoices (all pages): the REST list with the same filters. */
export function csvHref(filters: Filters): string {
  const search = new URLSearchParams(given(filters)).toString();
  return `/api/v1/invoices.csv${search ? `?${search}` : ''}`;
}

/** Whether anything narrows the list (the empty state then says so). */
export function narrowed(filters: Filters): boolean {
  const { sort: _sort, ...rest } = given(filters);
  return Object.keys(rest).length > 0;
}
