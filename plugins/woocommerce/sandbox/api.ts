import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { instantOf, parseRestDate, parts, type ParsedQueryDate } from './dates.ts';
import { ORDER_STATUSES, type Order, type Refund, type Store } from './store.ts';

/** WordPress error body: `{code, message, data: {status, …}}` (WP_REST_Server::error_to_response). */
export function wpError(code: string, message: string, status: number, extra: Record<string, unknown> = {}) {
  return { code, message, data: { status, ...extra } };
}

export interface ApiOptions {
  store: Store;
  consumerKey: string;
  consumerSecret: string;
  /** The store's public URL (for `Link` headers, rest_url()). */
  storeUrl: () => string;
  now: () => number;
  onRequest: (entry: { method: string; path: string; query: Record<string, string> }) => void;
}

const NS = '/wp-json/wc/v3';

/**
 * Parameter validation as WordPress does it before the controller runs (rest_validate_request_arg
 * → rest_validate_value_from_schema, wp-includes/rest-api.php): every failing parameter is listed
 * in one 400 `rest_invalid_param` "Invalid parameter(s): a, b" with `params` (messages) and
 * `details` (codes).
 */
class InvalidParams {
  params: Record<string, string> = {};
  details: Record<string, { code: string; message: string; data: null }> = {};
  add(name: string, code: string, message: string) {
    this.params[name] = message;
    this.details[name] = { code, message, data: null };
  }
  get empty() {
    return Object.keys(this.params).length === 0;
  }
  body() {
    return wpError(
      'rest_invalid_param',
      `Invalid parameter(s): ${Object.keys(this.params).join(', ')}`,
      400,
      {
        params: this.params,
        details: this.details,
      },
    );
  }
}

/** wp_sprintf_l: "a and b", "a, b, and c". */
function listWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  if (words.length === 2) return `${words[0]} and ${words[1]}`;
  return `${words.slice(0, -1).join(', ')}, and ${words[words.length - 1]}`;
}

/** The raw query as PHP sees it: last value wins, `key[]` / `key[n]` collect a list. */
function readQuery(url: string): {
  flat: Record<string, string>;
  lists: Record<string, string[]>;
  order: [string, string][];
} {
  const search = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const flat: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const order: [string, string][] = [];
  for (const [k, v] of new URLSearchParams(search)) {
    // PHP's parse_str: `key[]` and `key[0]` both build a list.
    const list = /^(.+)\[(\d*)\]$/.exec(k);
    order.push([list ? `${list[1]}[]` : k, v]);
    if (list) (lists[list[1]!] ??= []).push(v);
    else flat[k] = v;
  }
  return { flat, lists, order };
}

interface ListQuery {
  page: number;
  perPage: number;
  offset: number | null;
  order: 'asc' | 'desc';
  orderby: string;
  include: number[];
  exclude: number[];
  parent: number[];
  parentExclude: number[];
  statuses: string[] | 'any';
  customer: number | null;
  product: number | null;
  dp: number;
  datesAreGmt: boolean;
  after: ParsedQueryDate | null;
  before: ParsedQueryDate | null;
  modifiedAfter: ParsedQueryDate | null;
  modifiedBefore: ParsedQueryDate | null;
  search: string;
  createdVia: string[];
}

const INT = /^-?\d+$/;

/**
 * WC_REST_CRUD_Controller::get_collection_params + WC_REST_Orders_V2_Controller /
 * WC_REST_Orders_Controller::get_collection_params (status as an array, created_via) and
 * WC_REST_Order_Refunds_V2_Controller (no status/customer/product). Defaults: page 1, per_page 10
 * (1…100), order desc, orderby date, status any, dates_are_gmt false, dp = price decimals (2).
 */
function parseListQuery(url: string, kind: 'orders' | 'refunds'): ListQuery | InvalidParams {
  const { flat, lists } = readQuery(url);
  const bad = new InvalidParams();
  const integer = (name: string, def: number | null, min?: number, max?: number): number | null => {
    const raw = flat[name];
    if (raw === undefined) return def;
    if (!INT.test(raw.trim())) {
      bad.add(name, 'rest_invalid_type', `${name} is not of type integer.`);
      return def;
    }
    const n = Number(raw);
    if (min !== undefined && max !== undefined && (n < min || n > max)) {
      bad.add(
        name,
        'rest_out_of_bounds',
        `${name} must be between ${min} (inclusive) and ${max} (inclusive)`,
      );
    } else if (min !== undefined && n < min) {
      bad.add(name, 'rest_out_of_bounds', `${name} must be greater than or equal to ${min}`);
    }
    // sanitize_callback absint
    return Math.abs(n);
  };
  const idList = (name: string): number[] => {
    const values =
      lists[name] ?? (flat[name] !== undefined ? flat[name].split(/[\s,]+/).filter(Boolean) : []);
    const out: number[] = [];
    values.forEach((v, i) => {
      if (!INT.test(v)) bad.add(name, 'rest_invalid_type', `${name}[${i}] is not of type integer.`);
      else out.push(Math.abs(Number(v)));
    });
    return out;
  };
  const stringList = (name: string): string[] =>
    lists[name] ?? (flat[name] !== undefined ? flat[name].split(/[\s,]+/).filter(Boolean) : []);
  const date = (name: string): ParsedQueryDate | null => {
    const raw = flat[name];
    if (raw === undefined) return null;
    const parsed = parseRestDate(raw);
    if (!parsed) bad.add(name, 'rest_invalid_date', 'Invalid date.');
    return parsed;
  };
  const enumOf = <T extends string>(name: string, allowed: readonly T[], def: T): T => {
    const raw = flat[name];
    if (raw === undefined) return def;
    if (!(allowed as readonly string[]).includes(raw)) {
      bad.add(name, 'rest_not_in_enum', `${name} is not one of ${listWords([...allowed])}.`);
      return def;
    }
    return raw as T;
  };
  let datesAreGmt = false;
  if (flat.dates_are_gmt !== undefined) {
    // rest_is_boolean / rest_sanitize_boolean
    const v = flat.dates_are_gmt.toLowerCase();
    if (['true', '1'].includes(v)) datesAreGmt = true;
    else if (['false', '0', ''].includes(v)) datesAreGmt = false;
    else bad.add('dates_are_gmt', 'rest_invalid_type', 'dates_are_gmt is not of type boolean.');
  }
  let statuses: string[] | 'any' = 'any';
  let customer: number | null = null;
  let product: number | null = null;
  let createdVia: string[] = [];
  if (kind === 'orders') {
    const allowed = ['any', 'trash', ...ORDER_STATUSES];
    const raw = stringList('status');
    raw.forEach((s, i) => {
      if (!allowed.includes(s))
        bad.add('status', 'rest_not_in_enum', `status[${i}] is not one of ${listWords(allowed)}.`);
    });
    // WC_REST_Orders_Controller::prepare_objects_query: 'any' anywhere in the list short-circuits.
    if (raw.length > 0 && !raw.includes('any')) statuses = raw;
    customer = integer('customer', null);
    product = integer('product', null);
    createdVia = stringList('created_via');
  }
  const query: ListQuery = {
    page: integer('page', 1, 1) ?? 1,
    perPage: integer('per_page', 10, 1, 100) ?? 10,
    offset: integer('offset', null),
    order: enumOf('order', ['asc', 'desc'] as const, 'desc'),
    orderby: enumOf('orderby', ['date', 'id', 'include', 'title', 'slug', 'modified'] as const, 'date'),
    include: idList('include'),
    exclude: idList('exclude'),
    parent: idList('parent'),
    parentExclude: idList('parent_exclude'),
    statuses,
    customer,
    product,
    dp: integer('dp', 2) ?? 2,
    datesAreGmt,
    after: date('after'),
    before: date('before'),
    modifiedAfter: date('modified_after'),
    modifiedBefore: date('modified_before'),
    search: flat.search ?? '',
    createdVia,
  };
  return bad.empty ? query : bad;
}

/**
 * The instant a date filter compares against. With HPOS (the default storage since WooCommerce
 * 8.2) the orders query compares the GMT columns (`date_created_gmt`, `date_updated_gmt`):
 * - `dates_are_gmt` false (default): the local column is mapped to GMT by
 *   OrdersTableQuery::map_gmt_and_post_keys_to_hpos_keys → get_gmt_from_date(wc_string_to_datetime())
 *   — a value WITHOUT a zone is read in the SITE's timezone (an offset in it is honoured);
 * - `dates_are_gmt` true: the GMT column is compared with WP_Date_Query::build_mysql_datetime(),
 *   which reads a zone-less value as it is (UTC), but CONVERTS a value that carries an offset to the
 *   site's wall time (`date_create($d, wp_timezone())->setTimezone(wp_timezone())`) and compares
 *   that with the GMT column — so "…Z" is off by the site's UTC offset.
 */
function boundary(date: ParsedQueryDate, datesAreGmt: boolean, timezone: string): number {
  if (!datesAreGmt) return instantOf(date, timezone);
  if (date.offsetMinutes === null) return instantOf(date, 'UTC');
  const instant = instantOf(date, 'UTC');
  const wall = parts(instant, timezone);
  return Date.UTC(wall.year!, wall.month! - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/**
 * WP_Date_Query: `after` / `before` are EXCLUSIVE (`inclusive` defaults to false: `>` and `<`),
 * compared at whole seconds (the columns are DATETIME).
 */
function dateFilter(q: ListQuery, timezone: string) {
  const sec = (ms: number) => Math.floor(ms / 1000);
  const b = (d: ParsedQueryDate | null) => (d ? sec(boundary(d, q.datesAreGmt, timezone)) : null);
  const after = b(q.after);
  const before = b(q.before);
  const mAfter = b(q.modifiedAfter);
  const mBefore = b(q.modifiedBefore);
  return (created: number, modified: number) =>
    (after === null || sec(created) > after) &&
    (before === null || sec(created) < before) &&
    (mAfter === null || sec(modified) > mAfter) &&
    (mBefore === null || sec(modified) < mBefore);
}

function sortAndPage<T extends { id: number }>(
  rows: T[],
  q: ListQuery,
  dateOf: (row: T) => number,
  modifiedOf: (row: T) => number,
): { page: T[]; total: number; pages: number } {
  const dir = q.order === 'asc' ? 1 : -1;
  const sorted = [...rows];
  // prepare_objects_query: 'date'/'modified' get ' ID' appended ("for consistency with pagination");
  // OrdersTableQuery::sanitize_order_orderby maps date → date_created_gmt, modified →
  // date_updated_gmt, id → id; title/slug are not order columns and are dropped (no ORDER BY).
  if (q.orderby === 'include' && q.include.length)
    sorted.sort((a, b) => q.include.indexOf(a.id) - q.include.indexOf(b.id));
  else if (q.orderby === 'id') sorted.sort((a, b) => dir * (a.id - b.id));
  else if (q.orderby === 'modified')
    sorted.sort(
      (a, b) => dir * (Math.floor(modifiedOf(a) / 1000) - Math.floor(modifiedOf(b) / 1000) || a.id - b.id),
    );
  else if (q.orderby === 'date')
    sorted.sort((a, b) => dir * (Math.floor(dateOf(a) / 1000) - Math.floor(dateOf(b) / 1000) || a.id - b.id));
  else sorted.sort((a, b) => a.id - b.id);
  const total = sorted.length;
  // OrdersTableQuery::process_limit: `offset` wins over `page`.
  const start = q.offset !== null ? q.offset : (q.page - 1) * q.perPage;
  return { page: sorted.slice(start, start + q.perPage), total, pages: Math.ceil(total / q.perPage) };
}

/**
 * WC_REST_CRUD_Controller::get_items: `X-WP-Total`, `X-WP-TotalPages`, and a `Link` header with
 * `prev` (page > 1, capped at the last page) and `next` (while pages remain), built with
 * add_query_arg() over the request's own query. A page past the end is a 200 with `[]` and the
 * real totals (get_objects recounts without LIMIT) — not an error.
 */
function pagingHeaders(
  reply: FastifyReply,
  url: string,
  base: string,
  q: ListQuery,
  total: number,
  pages: number,
): void {
  reply.header('X-WP-Total', String(total));
  reply.header('X-WP-TotalPages', String(pages));
  const { order } = readQuery(url);
  // add_query_arg(): values go in undecoded-as-received (build_query() does not urlencode), an
  // existing `page` keeps its place, otherwise it is appended.
  // A `key[]` list comes back as `key[0]=…&key[1]=…` (wp_parse_str + _http_build_query).
  const withPage = (page: number) => {
    const seen = new Map<string, string[]>();
    for (const [k, v] of order) {
      const list = k.endsWith('[]');
      const name = list ? k.slice(0, -2) : k;
      if (list) seen.set(name, [...(seen.get(name) ?? []), v]);
      else seen.set(name, [v]);
    }
    const lists = new Set(order.filter(([k]) => k.endsWith('[]')).map(([k]) => k.slice(0, -2)));
    seen.set('page', [String(page)]);
    const parts = [...seen].flatMap(([k, vs]) =>
      lists.has(k) ? vs.map((v, i) => `${k}[${i}]=${v}`) : [`${k}=${vs[0]}`],
    );
    return `${base}?${parts.join('&')}`;
  };
  const links: string[] = [];
  // Capped at max_pages as WooCommerce does — which gives page=0 when nothing matches.
  if (q.page > 1) links.push(`<${withPage(Math.min(q.page - 1, pages))}>; rel="prev"`);
  if (pages > q.page) links.push(`<${withPage(q.page + 1)}>; rel="next"`);
  if (links.length) reply.header('Link', links.join(', '));
}

export function registerApi(app: FastifyInstance, options: ApiOptions): void {
  const { store } = options;

  /**
   * WC_REST_Authentication::perform_basic_authentication (includes/class-wc-rest-authentication.php):
   * - `consumer_key` + `consumer_secret` in the query string are used FIRST (both non-empty), else
   *   HTTP Basic (PHP_AUTH_USER / PHP_AUTH_PW, both non-empty);
   * - an unknown key sets no error: the request stays anonymous and the controller's permission
   *   check answers 401 `woocommerce_rest_cannot_view` ("Sorry, you cannot list resources." /
   *   "Sorry, you cannot view this resource.") — the same as no credentials at all;
   * - a known key with a wrong secret → 401 `woocommerce_rest_authentication_error`
   *   "Consumer secret is invalid.".
   * ("Consumer key is invalid." exists only on the OAuth 1.0a path.) Real WooCommerce takes
   * Basic/query keys only over HTTPS (is_ssl(); plain HTTP needs OAuth 1.0a); the sandbox listens
   * on plain HTTP and accepts them as if it were HTTPS.
   */
  function authenticate(request: FastifyRequest, reply: FastifyReply, listing: boolean): boolean {
    let key = '';
    let secret = '';
    const { flat } = readQuery(request.url);
    if (flat.consumer_key && flat.consumer_secret) {
      key = flat.consumer_key;
      secret = flat.consumer_secret;
    }
    const header = request.headers.authorization;
    if (!key && header?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0 && colon < decoded.length - 1) {
        key = decoded.slice(0, colon);
        secret = decoded.slice(colon + 1);
      }
    }
    if (!key || !secret || key !== options.consumerKey) {
      void reply
        .code(401)
        .send(
          wpError(
            'woocommerce_rest_cannot_view',
            listing ? 'Sorry, you cannot list resources.' : 'Sorry, you cannot view this resource.',
            401,
          ),
        );
      return false;
    }
    if (secret !== options.consumerSecret) {
      // send_unauthorized_headers(): an authentication error on the basic_auth path adds this header.
      void reply
        .code(401)
        .header(
          'WWW-Authenticate',
          'Basic realm="WooCommerce API. Use a consumer key in the username field and a consumer secret in the password field."',
        )
        .send(wpError('woocommerce_rest_authentication_error', 'Consumer secret is invalid.', 401));
      return false;
    }
    return true;
  }

  const record = (request: FastifyRequest) => {
    const { flat, lists } = readQuery(request.url);
    const query: Record<string, string> = { ...flat };
    for (const [k, v] of Object.entries(lists)) query[`${k}[]`] = v.join(',');
    options.onRequest({ method: request.method, path: request.url.split('?')[0]!, query });
  };

  const tz = () => store.settings.timezone;

  app.get(`${NS}/orders`, async (request, reply) => {
    record(request);
    if (!authenticate(request, reply, true)) return reply;
    const q = parseListQuery(request.url, 'orders');
    if (q instanceof InvalidParams) return reply.code(400).send(q.body());
    const inDates = dateFilter(q, tz());
    const search = q.search.toLowerCase();
    const rows = store.all().filter((o: Order) => {
      // status=any: every registered order status except trash (and the checkout-draft placeholder).
      if (
        q.statuses === 'any' ? ['trash', 'checkout-draft'].includes(o.status) : !q.statuses.includes(o.status)
      )
        return false;
      if (q.include.length && !q.include.includes(o.id)) return false;
      if (q.exclude.includes(o.id)) return false;
      if (q.parent.length && !q.parent.includes(0)) return false;
      if (q.parentExclude.includes(0)) return false;
      if (q.customer !== null && o.customerId !== q.customer) return false;
      if (q.product !== null && !o.items.some((i) => i.type === 'line_item' && i.productId === q.product))
        return false;
      if (q.createdVia.length && !q.createdVia.includes('checkout')) return false;
      if (
        search &&
        !JSON.stringify([o.id, o.billing, o.shipping, o.items.map((i) => i.name)])
          .toLowerCase()
          .includes(search)
      )
        return false;
      return inDates(o.createdAt, o.modifiedAt);
    });
    const { page, total, pages } = sortAndPage(
      rows,
      q,
      (o) => o.createdAt,
      (o) => o.modifiedAt,
    );
    pagingHeaders(reply, request.url, `${options.storeUrl()}${NS}/orders`, q, total, pages);
    return page.map((o) => store.renderOrder(o, q.dp));
  });

  app.get<{ Params: { id: string } }>(`${NS}/orders/:id`, async (request, reply) => {
    if (!/^\d+$/.test(request.params.id)) return noRoute(request, reply);
    record(request);
    if (!authenticate(request, reply, false)) return reply;
    const { flat } = readQuery(request.url);
    // The single-item route declares no `dp` argument, so nothing validates it; prepare_object_for_response
    // applies absint() ('abc' → 0).
    const dp = flat.dp !== undefined ? Math.abs(Number.parseInt(flat.dp, 10)) || 0 : 2;
    const order = store.get(Number(request.params.id));
    // WC_REST_CRUD_Controller::get_item: "woocommerce_rest_{post_type}_invalid_id" / "Invalid ID.".
    if (!order)
      return reply.code(404).send(wpError('woocommerce_rest_shop_order_invalid_id', 'Invalid ID.', 404));
    return store.renderOrder(order, dp);
  });

  const listRefunds = (
    rows: Refund[],
    request: FastifyRequest,
    reply: FastifyReply,
    base: string,
    withParent: boolean,
  ) => {
    const q = parseListQuery(request.url, 'refunds');
    if (q instanceof InvalidParams) return reply.code(400).send(q.body());
    const inDates = dateFilter(q, tz());
    const filtered = rows.filter((r) => {
      if (q.include.length && !q.include.includes(r.id)) return false;
      if (q.exclude.includes(r.id)) return false;
      if (q.parentExclude.includes(r.parentId)) return false;
      // A refund is never modified after it is created: date_modified = date_created.
      return inDates(r.createdAt, r.createdAt);
    });
    const { page, total, pages } = sortAndPage(
      filtered,
      q,
      (r) => r.createdAt,
      (r) => r.createdAt,
    );
    pagingHeaders(reply, request.url, base, q, total, pages);
    return page.map((r) => store.renderRefund(r, q.dp, withParent));
  };

  /**
   * GET /wc/v3/refunds (WC_REST_Refunds_Controller, WooCommerce 9.0+): every refund, with
   * `parent_id`. Its prepare_objects_query() unsets post_parent__in, so the inherited `parent`
   * parameter does not filter (parent_exclude does).
   */
  app.get(`${NS}/refunds`, async (request, reply) => {
    record(request);
    if (!authenticate(request, reply, true)) return reply;
    return listRefunds(store.refunds(), request, reply, `${options.storeUrl()}${NS}/refunds`, true);
  });

  /** GET /wc/v3/orders/:id/refunds (WC_REST_Order_Refunds_V2_Controller: post_parent__in = [order_id]). */
  app.get<{ Params: { id: string } }>(`${NS}/orders/:id/refunds`, async (request, reply) => {
    if (!/^\d+$/.test(request.params.id)) return noRoute(request, reply);
    record(request);
    if (!authenticate(request, reply, true)) return reply;
    const id = Number(request.params.id);
    return listRefunds(
      store.refundsOf(id),
      request,
      reply,
      `${options.storeUrl()}${NS}/orders/${id}/refunds`,
      false,
    );
  });

  app.get<{ Params: { id: string; refundId: string } }>(
    `${NS}/orders/:id/refunds/:refundId`,
    async (request, reply) => {
      if (!/^\d+$/.test(request.params.id) || !/^\d+$/.test(request.params.refundId))
        return noRoute(request, reply);
      record(request);
      if (!authenticate(request, reply, false)) return reply;
      const order = store.get(Number(request.params.id));
      if (!order)
        return reply.code(404).send(wpError('woocommerce_rest_invalid_order_id', 'Invalid order ID.', 404));
      const refund = store.refunds().find((r) => r.id === Number(request.params.refundId));
      if (!refund)
        return reply
          .code(404)
          .send(wpError('woocommerce_rest_shop_order_refund_invalid_id', 'Invalid ID.', 404));
      if (refund.parentId !== order.id) {
        return reply
          .code(404)
          .send(wpError('woocommerce_rest_invalid_order_refund_id', 'Invalid order refund ID.', 404));
      }
      return store.renderRefund(refund, 2, false);
    },
  );

  /** WP_REST_Server::dispatch: no matching route → 404 `rest_no_route`. */
  function noRoute(request: FastifyRequest, reply: FastifyReply) {
    record(request);
    return reply
      .code(404)
      .send(wpError('rest_no_route', 'No route was found matching the URL and request method.', 404));
  }

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/wp-json')) return noRoute(request, reply);
    return reply
      .code(404)
      .type('text/html')
      .send('<!doctype html><title>Page not found</title><h1>Nie znaleziono strony</h1>');
  });
}
