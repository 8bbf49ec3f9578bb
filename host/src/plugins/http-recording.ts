import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';

/**
 * Recorded HTTP for `plugin dry-run` (issue 14): the exchanges between a plugin and its sandbox,
 * kept in a JSON file, answer a later dry run without the sandbox — or answers copied by hand
 * from a platform's documentation or a real shop, in the same format, run through the plugin
 * before any sandbox exists.
 *
 * ```json
 * { "version": 1,
 *   "credentials": { "storeUrl": "{url}", "consumerKey": "ck_made_up", "consumerSecret": "cs_made_up" },
 *   "exchanges": [
 *     { "request": { "method": "GET", "path": "/wp-json/wc/v3/orders", "query": { "per_page": "100" } },
 *       "response": { "status": 200, "headers": { "x-wp-totalpages": "1" }, "body": [] } } ] }
 * ```
 *
 * `{url}` in credentials, headers and bodies stands for the address the answers are served from.
 * A request is matched by method, path and query (in any order), never by its headers: requests'
 * headers (where sign-ins travel) are not written. The credentials are the sandbox's test
 * sign-ins, which fill the connection's settings on replay; a hand-made recording of a real shop
 * puts made-up values there that pass the settings' checks.
 */
export interface Recording {
  version: 1;
  /** The sandbox's sign-in fields, named like its ready line (its own test values). */
  credentials: Record<string, string>;
  exchanges: RecordedExchange[];
}

export interface RecordedExchange {
  request: { method: string; path: string; query?: Record<string, string> };
  response: { status: number; headers?: Record<string, string>; body?: unknown };
}

/** Response headers worth keeping: the ones plugins read (paging, content type), not hop or auth ones. */
const DROPPED_HEADERS = new Set([
  'connection',
  'content-length',
  'date',
  'keep-alive',
  'set-cookie',
  'transfer-encoding',
  'www-authenticate',
]);

const URL_PLACEHOLDER = '{url}';

function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  return query;
}

const keyOf = (method: string, path: string, query: Record<string, string> = {}) =>
  `${method.toUpperCase()} ${path}?${Object.keys(query)
    .sort()
    .map((name) => `${name}=${query[name]}`)
    .join('&')}`;

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const swap = (text: string, from: string, to: string) => text.split(from).join(to);

/**
 * A proxy in front of a running sandbox that records every exchange; the plugin is pointed at the
 * proxy (the returned sandbox), whose answers name the proxy wherever the sandbox named itself.
 */
export async function recordSandbox(target: RunningSandbox): Promise<{
  sandbox: RunningSandbox;
  recording(): Recording;
  close(): Promise<void>;
}> {
  const exchanges: RecordedExchange[] = [];
  const origin = new URL(target.url).origin;
  let self = '';
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', self);
      const body = await bodyOf(request);
      const headers = Object.fromEntries(
        Object.entries(request.headers)
          .filter(([name]) => name !== 'host' && name !== 'content-length')
          .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]),
      );
      const answer = await fetch(`${origin}${url.pathname}${url.search}`, {
        method: request.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      const text = swap(await answer.text(), origin, self);
      const kept: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!DROPPED_HEADERS.has(name)) kept[name] = swap(value, origin, self);
      });
      let recorded: unknown = text;
      try {
        recorded = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        // not JSON: kept as text
      }
      exchanges.push({
        request: { method: request.method ?? 'GET', path: url.pathname, query: queryOf(url) },
        response: {
          status: answer.status,
          headers: kept,
          ...(recorded === undefined ? {} : { body: recorded }),
        },
      });
      response.writeHead(answer.status, kept);
      response.end(text);
    })().catch((error: unknown) => {
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `the sandbox did not answer: ${(error as Error).message}` }));
    });
  });
  self = await listen(server);
  // The sandbox's address becomes {url}. Its sign-ins are the sandbox's own test values, never a
  // real account's (a dry run only ever talks to the sandbox), so they are kept as they are and
  // still pass the settings' checks when replayed.
  const replacements: [string, string][] = [
    [target.url, URL_PLACEHOLDER],
    [self, URL_PLACEHOLDER],
    [origin, URL_PLACEHOLDER],
  ];
  const placeholder = (text: string) => replacements.reduce((out, [from, to]) => swap(out, from, to), text);
  return {
    sandbox: {
      url: `${self}${target.url.slice(origin.length)}`,
      controlUrl: target.controlUrl,
      credentials: Object.fromEntries(
        Object.entries(target.credentials).map(([name, value]) => [name, swap(value, origin, self)]),
      ),
      close: async () => undefined,
    },
    recording: () => ({
      version: 1,
      credentials: Object.fromEntries(
        Object.entries(target.credentials).map(([name, value]) => [name, placeholder(value)]),
      ),
      exchanges: exchanges.map((e) => JSON.parse(placeholder(JSON.stringify(e))) as RecordedExchange),
    }),
    close: () => close(server),
  };
}

/** A recording file that cannot be replayed, with what is wrong where. */
export class RecordingError extends Error {
  override name = 'RecordingError';
}

/** Checks a recording read from a file; says what is wrong where. */
export function parseRecording(value: unknown, file: string): Recording {
  const fail = (what: string): never => {
    throw new RecordingError(
      `${file} is not a recording: ${what}. Make one with plugin dry-run DIR --record FILE.`,
    );
  };
  if (!value || typeof value !== 'object') fail('it is not a JSON object');
  const recording = value as Partial<Recording>;
  if (recording.version !== 1) fail('"version" must be 1');
  if (!recording.credentials || typeof recording.credentials !== 'object')
    fail('"credentials" must be an object of the sandbox\'s sign-in fields');
  if (!Array.isArray(recording.exchanges)) fail('"exchanges" must be a list');
  for (const [i, exchange] of recording.exchanges!.entries()) {
    if (typeof exchange?.request?.method !== 'string' || typeof exchange.request.path !== 'string')
      fail(`exchanges[${i}].request needs "method" and "path"`);
    if (!Number.isInteger(exchange.response?.status)) fail(`exchanges[${i}].response needs a "status"`);
  }
  return recording as Recording;
}

/**
 * Serves a recording in place of the sandbox: each request gets the recorded answer for its
 * method, path and query (several answers to the same request are given in turn, the last one
 * again after); one with none gets a 404 saying so, and is listed by `unmatched()`.
 */
export async function replayRecording(recording: Recording): Promise<{
  sandbox: RunningSandbox;
  unmatched(): string[];
  close(): Promise<void>;
}> {
  const answers = new Map<string, RecordedExchange['response'][]>();
  let self = '';
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', self);
    const key = keyOf(request.method ?? 'GET', url.pathname, queryOf(url));
    const queue = answers.get(key);
    request.resume();
    if (!queue || queue.length === 0) {
      missed.push(key);
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: `no recorded answer for ${key}; record it with plugin dry-run DIR --record FILE`,
        }),
      );
      return;
    }
    const answer = queue.length > 1 ? queue.shift()! : queue[0]!;
    const text =
      answer.body === undefined
        ? ''
        : typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body);
    const headers: Record<string, string> = {
      ...(typeof answer.body === 'object' && answer.body !== null
        ? { 'content-type': 'application/json' }
        : {}),
      ...answer.headers,
    };
    response.writeHead(answer.status, headers);
    response.end(text);
  });
  const missed: string[] = [];
  self = await listen(server);
  const filled = JSON.parse(swap(JSON.stringify(recording), URL_PLACEHOLDER, self)) as Recording;
  for (const { request, response } of filled.exchanges) {
    const key = keyOf(request.method, request.path, request.query);
    answers.set(key, [...(answers.get(key) ?? []), response]);
  }
  return {
    sandbox: {
      url: self,
      controlUrl: `${self}/__sandbox`,
      credentials: filled.credentials,
      close: async () => undefined,
    },
    unmatched: () => [...missed],
    close: () => close(server),
  };
}
