import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryableError, type Logger } from '@mch/plugin-sdk';
import { createPluginHttp, type CreatePluginHttpOptions } from './plugin-http.ts';
import type { RateLimiter, RateRule } from './rate-limiter.ts';

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

describe('ctx.http: timeouts, cancellation and rate groups', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      // /hang never answers; anything else answers at once.
      if (request.url?.includes('/hang/')) return;
      if (request.url?.includes('/budget/')) {
        // An API reporting its budget: 1 left of the window, which starts again in 2 seconds.
        response.writeHead(200, { 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '2' });
        return response.end('[]');
      }
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const http = (overrides: Partial<CreatePluginHttpOptions> = {}) =>
    createPluginHttp({
      baseUrl: `${base}/api`,
      defaultHeaders: {},
      authorizer: { headers: async () => ({}), recover: async () => false },
      limiter: {
        acquire: async () => undefined,
        pause: async () => undefined,
      } as unknown as RateLimiter,
      rateLimits: [],
      rateContext: { pluginId: 'p', accountKey: 'a', clientKey: 'c', config: {} },
      log: silent,
      signal: new AbortController().signal,
      retryDelayScale: 0.01,
      ...overrides,
    });

  it('a request that gets no answer in time fails as retryable; a GET is tried 4 times, a POST once', async () => {
    seen.length = 0;
    const get = http().request({ path: '/hang/get', timeoutMs: 50 });
    await expect(get).rejects.toThrow(RetryableError);
    await expect(get).rejects.toThrow(
      'The marketplace did not answer in time; nothing is known to have been done.',
    );
    expect(seen.filter((s) => s === 'GET /api/hang/get')).toHaveLength(4);
    const post = http().request({ method: 'POST', path: '/hang/post', json: {}, timeoutMs: 50 });
    await expect(post).rejects.toThrow('did not answer in time');
    expect(seen.filter((s) => s === 'POST /api/hang/post')).toHaveLength(1);
  });

  it("the run's signal cancels a request in flight with the run's reason", async () => {
    const run = new AbortController();
    const request = http({ signal: run.signal }).request({ path: '/hang/cancelled' });
    setTimeout(() => run.abort(new Error('the run was stopped')), 30);
    await expect(request).rejects.toThrow('the run was stopped');
  });

  it('an answer read in time is not cut by the timeout afterwards (the timer is cleared)', async () => {
    const response = await http().request({ path: '/fine', timeoutMs: 30 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(response.body).toBe('ok');
  });

  it('an API key in the query goes on every URL sent (after a query already there), never into an error', async () => {
    seen.length = 0;
    const client = http({
      authorizer: {
        headers: async () => ({}),
        recover: async () => false,
        query: async () => ({ api_key: 'k3y/secret' }),
      },
    });
    await client.request({ path: '/fine', query: { page: 2 } });
    await client.request({ path: `${base}/fine/next?cursor=abc` });
    expect(seen).toEqual([
      'GET /api/fine?page=2&api_key=k3y%2Fsecret',
      'GET /fine/next?cursor=abc&api_key=k3y%2Fsecret',
    ]);
    // A URL fetch cannot even parse is quoted in its error: the key is not.
    const broken = client.request({ method: 'POST', path: 'http://127.0.0.1:99999/x', json: {} });
    await expect(broken).rejects.toThrow('The marketplace could not be reached');
    const error = (await broken.catch((e: unknown) => e)) as Error;
    expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toMatch(/k3y/);
    expect(error.message).toContain('api_key=[hidden]');
  });

  it('rate groups match the path of absolute URLs (query and host left out)', async () => {
    const acquired: string[] = [];
    const client = http({
      limiter: {
        acquire: async (rule: RateRule) => void acquired.push(rule.key),
        pause: async () => undefined,
      } as unknown as RateLimiter,
      rateLimits: [
        {
          group: 'files',
          match: { regex: ['^/files/[^/]+$'] },
          limit: 5,
          per: 1,
          spacing: 'even',
          scope: 'account',
        },
        { group: 'api', limit: 1, per: 1, spacing: 'even', scope: 'account' },
      ],
    });
    await client.request({ path: `${base}/files/a1?sig=x#frag` });
    await client.request({ path: '/orders', query: { page: 2 } });
    expect(acquired).toHaveLength(2);
    expect(acquired[0]).toContain('files');
    expect(acquired[1]).toContain('api');
  });

  it('an answer reporting the budget nearly spent pauses the group (in every process) until the reset', async () => {
    const pauses: [string, number][] = [];
    const client = http({
      limiter: {
        acquire: async () => undefined,
        pause: async (key: string, ms: number) => void pauses.push([key, ms]),
      } as unknown as RateLimiter,
      rateLimits: [
        {
          group: 'api',
          limit: 10,
          per: 1,
          spacing: 'even',
          scope: 'account',
          fromHeaders: { remaining: 'X-RateLimit-Remaining', reset: 'X-RateLimit-Reset', keep: 1 },
        },
      ],
    });
    const response = await client.request({ path: '/budget/orders' });
    expect(response.status).toBe(200);
    expect(pauses).toEqual([['p:api:account:a', 2000]]);
    // A group that does not read the headers never pauses on them.
    pauses.length = 0;
    await http({
      limiter: {
        acquire: async () => undefined,
        pause: async (key: string, ms: number) => void pauses.push([key, ms]),
      } as unknown as RateLimiter,
      rateLimits: [{ group: 'api', limit: 10, per: 1, spacing: 'even', scope: 'account' }],
    }).request({ path: '/budget/orders' });
    expect(pauses).toEqual([]);
  });
});
