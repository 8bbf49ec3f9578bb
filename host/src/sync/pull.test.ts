import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  type Logger,
  type PluginContext,
  type PullPageInput,
  type RecordInput,
} from '@mch/plugin-sdk';
import { PullSchema } from '@mch/schemas';
import { createPluginHttp } from '../runtime/plugin-http.ts';
import type { RateLimiter } from '../runtime/rate-limiter.ts';
import { pullCursorKey, runPull } from './pull.ts';

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

/**
 * runPull over real HTTP (ctx.http as the host builds it) for the pagination kinds the
 * integration test (host/test/pull-streams.test.ts, pageNumber) does not drive. The store and
 * records are in memory: what they receive is what is asserted.
 */
describe('runPull', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.url ?? '');
      const url = new URL(request.url ?? '/', base);
      const json = (body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(200, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(body));
      };
      const page = Number(url.searchParams.get('page') ?? 1);
      const item = (n: number) => ({ id: n, updated: 1000 + n });
      if (url.pathname === '/api/cursor') {
        const after = url.searchParams.get('after');
        if (!after) return json({ items: [item(1), item(2)], next: 'c2' });
        if (after === 'c2') return json({ items: [item(3)], next: '' });
      }
      if (url.pathname === '/api/linked')
        return json(
          [item(page)],
          page < 3
            ? { link: `</api/linked?page=${page + 1}>; rel="next", </api/linked?page=3>; rel="last"` }
            : {},
        );
      if (url.pathname === '/api/next-url')
        return json({ data: [item(page)], next: page < 2 ? `${base}/api/next-url?page=${page + 1}` : null });
      if (url.pathname === '/api/elsewhere')
        return json({ data: [item(1)], next: 'https://other.example/steal' });
      if (url.pathname === '/api/packed') {
        // An answer a JSONata line cannot read: records as one JSON string, the next page's token
        // in a header that must be echoed back with a page counter.
        const token = url.searchParams.get('token');
        if (!token) return json({ packed: JSON.stringify([item(1), item(2)]) }, { 'x-continue': 'k1' });
        if (token === 'k1' && url.searchParams.get('n') === '2')
          return json({ packed: JSON.stringify([item(3)]) });
      }
      if (url.pathname === '/api/endless') return json([item(page)], { 'x-total-pages': '99' });
      if (url.pathname === '/api/refused') {
        response.writeHead(403, { 'content-type': 'application/json' });
        return response.end('{"message":"no scope orders:read"}');
      }
      response.writeHead(404);
      response.end('unexpected');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const run = async (
    pull: unknown,
    stored: Record<string, unknown> = {},
    hooks: Record<string, (input: PullPageInput) => unknown> = {},
  ) => {
    const store = new Map(Object.entries(stored));
    const imported: RecordInput[] = [];
    const ctx = {
      config: {},
      settings: {},
      http: createPluginHttp({
        baseUrl: `${base}/api`,
        defaultHeaders: {},
        authorizer: { headers: async () => ({}), recover: async () => false },
        limiter: { acquire: async () => undefined, pause: async () => undefined } as unknown as RateLimiter,
        rateLimits: [],
        rateContext: { pluginId: 'p', accountKey: 'a', clientKey: 'c', config: {} },
        log: silent,
        signal: new AbortController().signal,
        retryDelayScale: 0.01,
      }),
      store: {
        get: async (key: string) => store.get(key),
        set: async (key: string, value: unknown) => void store.set(key, value),
        delete: async (key: string) => void store.delete(key),
      },
      records: {
        upsertMany: async (_kind: string, batch: readonly RecordInput[]) => {
          imported.push(...batch);
          return batch.map(() => ({ status: 'created', hostId: 'h' }));
        },
      },
    } as unknown as PluginContext;
    const promise = runPull({
      ctx,
      jobId: 'sync',
      pull: PullSchema.parse(pull),
      baseUrl: `${base}/api`,
      callHook: async (name, input) => hooks[name]!(input),
    });
    return { promise, imported, store };
  };
  const basic = { id: 'id', revision: '$string(updated)', mapping: 'invoice' };

  it('cursor pagination sends the next cursor and keeps the highest number minus the lookback', async () => {
    seen.length = 0;
    const { promise, imported, store } = await run({
      ...basic,
      request: { path: '/cursor' },
      records: 'items',
      pagination: { type: 'cursor', param: 'after', field: 'next' },
      cursor: { field: 'updated', format: 'number', lookbackSeconds: 1 },
    });
    expect(await promise).toEqual({ counts: { pages: 2 } });
    expect(seen).toEqual(['/api/cursor', '/api/cursor?after=c2']);
    expect(imported.map((r) => r.externalId)).toEqual(['1', '2', '3']);
    expect(store.get(pullCursorKey('sync'))).toBe(1002);
  });

  it('hands one part to a hook and keeps the rest declarative: records unpacked and the next page asked by code', async () => {
    seen.length = 0;
    const calls: PullPageInput[] = [];
    const { promise, imported, store } = await run(
      {
        ...basic,
        request: { path: '/packed' },
        records: { hook: 'unpack' },
        pagination: { type: 'hook', hook: 'nextPage' },
        cursor: { field: 'updated', format: 'number' },
      },
      {},
      {
        unpack: (input) => JSON.parse((input.body as { packed: string }).packed) as unknown[],
        nextPage: (input) => {
          calls.push(input);
          const token = input.headers['x-continue'];
          return token ? { query: { token, n: String(input.page + 1) } } : null;
        },
      },
    );
    expect(await promise).toEqual({ counts: { pages: 2 } });
    expect(seen).toEqual(['/api/packed', '/api/packed?token=k1&n=2']);
    expect(imported.map((r) => r.externalId)).toEqual(['1', '2', '3']);
    expect(calls.map((c) => [c.page, c.records, c.url])).toEqual([
      [1, 2, `${base}/api/packed`],
      [2, 1, `${base}/api/packed`],
    ]);
    // The cursor, ids and revisions stay the manifest's.
    expect(store.get(pullCursorKey('sync'))).toBe(1003);
  });

  it('refuses what a part hook gives when it is not what the format needs, naming the hook', async () => {
    const records = await run(
      { ...basic, request: { path: '/packed' }, records: { hook: 'unpack' } },
      {},
      {
        unpack: () => ({ not: 'a list' }),
      },
    );
    await expect(records.promise).rejects.toThrow(
      `Hook 'unpack' gave {"not":"a list"} for page 1 of GET /packed; a records hook returns the page's records as a list (an empty list when there are none).`,
    );
    const pages = await run(
      {
        ...basic,
        request: { path: '/linked' },
        records: '$',
        pagination: { type: 'hook', hook: 'nextPage' },
      },
      {},
      { nextPage: () => 'page 2' },
    );
    await expect(pages.promise).rejects.toThrow(
      `Hook 'nextPage' gave "page 2"; a pagination hook returns { query: {…} }, { url: "…" } or null after the last page.`,
    );
  });

  it('linkHeader follows rel="next" (relative links resolved) to the last page', async () => {
    seen.length = 0;
    const { promise, imported } = await run({
      ...basic,
      request: { path: '/linked' },
      records: '$',
      pagination: { type: 'linkHeader' },
    });
    expect(await promise).toEqual({ counts: { pages: 3 } });
    expect(seen).toEqual(['/api/linked', '/api/linked?page=2', '/api/linked?page=3']);
    expect(imported).toHaveLength(3);
  });

  it('nextUrl follows the body URL; one on another origin is refused (credentials go to the API only)', async () => {
    const { promise, imported } = await run({
      ...basic,
      request: { path: '/next-url' },
      records: 'data',
      pagination: { type: 'nextUrl', field: 'next' },
    });
    expect(await promise).toEqual({ counts: { pages: 2 } });
    expect(imported).toHaveLength(2);
    const away = await run({
      ...basic,
      request: { path: '/elsewhere' },
      records: 'data',
      pagination: { type: 'nextUrl', field: 'next' },
    });
    await expect(away.promise).rejects.toThrow(
      `The marketplace's next page (page 1 of GET /elsewhere) is at https://other.example, not at the API's ${base}; the host sends the account's credentials to the API only, so it stopped. Check api.baseUrl and pull.pagination in the manifest.`,
    );
  });

  it('stops at maxPages with an error, and leaves the cursor where it was', async () => {
    const { promise, imported, store } = await run(
      {
        ...basic,
        request: { path: '/endless' },
        records: '$',
        pagination: { type: 'pageNumber', param: 'page', totalPagesHeader: 'X-Total-Pages', maxPages: 3 },
        cursor: { field: 'updated', format: 'number' },
      },
      { [pullCursorKey('sync')]: 5 },
    );
    await expect(promise).rejects.toThrow(
      "Job 'sync' read 3 pages (pull.pagination.maxPages) and the marketplace still had more; the cursor was not moved. Raise maxPages in the manifest, or narrow the request (a cursor, a smaller date range).",
    );
    expect(imported).toHaveLength(3);
    expect(store.get(pullCursorKey('sync'))).toBe(5);
  });

  it('a 4xx other than 408/425/429 is not retried: the request or the settings need changing', async () => {
    const { promise } = await run({ ...basic, request: { path: '/refused' }, records: '$' });
    await expect(promise).rejects.toThrow(ConfigError);
    await expect(promise).rejects.toThrow(
      'The marketplace refused page 1 of GET /refused with 403 ({"message":"no scope orders:read"}); check the job\'s pull.request in the manifest and the connection\'s settings.',
    );
  });

  it('a record without an id stops the run, naming the expression', async () => {
    const { promise } = await run({ ...basic, id: 'orderId', request: { path: '/linked' }, records: '$' });
    await expect(promise).rejects.toThrow(
      'The id of record 1 of page 1 of GET /linked is missing: pull.id ("orderId") must give a non-empty string or a number; fix it in the manifest.',
    );
  });
});
