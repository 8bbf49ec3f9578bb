import jsonata from 'jsonata';
import {
  ConfigError,
  RetryableError,
  type HttpResponse,
  type JobOutput,
  type PluginContext,
  type PullPageInput,
  type RecordInput,
} from '@mch/plugin-sdk';
import { renderTemplate, type Pull } from '@mch/schemas';
import { cursorNumber, highest, nextCursor, type CursorValue } from './pull-cursor.ts';
import { firstPage, nextLink, nextPage, type PagePosition, type PageSignals } from './pull-pages.ts';

/** Store key of a pull job's cursor: by job id, so it survives plugin upgrades. */
export function pullCursorKey(jobId: string): string {
  return `pull:${jobId}:cursor`;
}

type Expression = ReturnType<typeof jsonata>;

/** Statuses worth another attempt later; other 4xx need someone to change the manifest or settings. */
const TRANSIENT = new Set([408, 425]);

/**
 * Runs a manifest `pull` job (issue 14): requests through `ctx.http` (auth, rate limits, retries,
 * 429s as for hooks), page after page, records picked with JSONata and put through the manifest
 * mapping with `ctx.records.upsertMany`. The cursor moves only when every page was read and
 * imported, so a run that fails half-way starts again from the same place.
 */
export async function runPull(options: {
  ctx: PluginContext;
  jobId: string;
  pull: Pull;
  /** The manifest's `api.baseUrl`, rendered: next-page URLs must stay on its origin. */
  baseUrl: string;
  /** Calls a hook of the plugin module: a part of the pull handed to code (`{ "hook": name }`). */
  callHook?: (name: string, input: PullPageInput) => Promise<unknown>;
}): Promise<JobOutput> {
  const { ctx, jobId, pull, baseUrl } = options;
  const callHook = async (name: string, input: PullPageInput): Promise<unknown> => {
    if (!options.callHook)
      throw new ConfigError(
        `Job '${jobId}' names hook '${name}', but no plugin module is loaded to call it.`,
      );
    return options.callHook(name, input);
  };
  const compiled = new Map<string, Expression>();
  const evaluate = async (source: string, input: unknown): Promise<unknown> => {
    let expression = compiled.get(source);
    if (!expression) compiled.set(source, (expression = jsonata(source)));
    return await expression.evaluate(input);
  };
  const key = pullCursorKey(jobId);
  const stored = pull.cursor ? await ctx.store.get<CursorValue>(key) : undefined;
  const from = stored ?? pull.cursor?.initial;
  const values = {
    config: ctx.config,
    settings: ctx.settings,
    values: from === undefined ? {} : { cursor: String(from) },
  };
  const path = renderTemplate(pull.request.path, values);
  const query: Record<string, string> = {};
  for (const [name, template] of Object.entries(pull.request.query ?? {}))
    if (!(template === '{cursor}' && from === undefined)) query[name] = renderTemplate(template, values);
  const body = pull.request.body
    ? Object.fromEntries(Object.entries(pull.request.body).map(([k, v]) => [k, renderTemplate(v, values)]))
    : undefined;
  if (!baseUrl)
    throw new ConfigError(`Job '${jobId}' pulls over HTTP but the manifest has no api.baseUrl; add it.`);
  const origin = new URL(baseUrl).origin;
  const firstUrl = baseUrl.replace(/\/$/, '') + (path.startsWith('/') ? '' : '/') + path;

  let position: PagePosition = firstPage(pull.pagination);
  const cursorValues: unknown[] = [];
  const maxPages = pull.pagination?.maxPages ?? 1;
  for (;;) {
    const page = position.read + 1;
    const where = `page ${page} of ${pull.request.method} ${path}`;
    const response = await ctx.http.request({
      method: pull.request.method,
      path: position.url ?? path,
      ...(position.url ? {} : { query: { ...query, ...position.query } }),
      ...(body ? { json: body } : {}),
      // A pull only reads, POST included: the host may send it again after a 5xx.
      idempotent: true,
    });
    failOnStatus(response, where);
    const parsed = response.json();
    const requestUrl = position.url ?? firstUrl;
    const answer: PullPageInput = { body: parsed, headers: response.headers, page, url: requestUrl };
    const records =
      typeof pull.records === 'string'
        ? toList(await evaluate(pull.records, parsed))
        : hookRecords(await callHook(pull.records.hook, answer), pull.records.hook, where);
    const batch: RecordInput[] = [];
    for (const [index, record] of records.entries()) {
      const id = await evaluate(pull.id, record);
      const revision = await evaluate(pull.revision, record);
      batch.push({
        externalId: scalar(id, { what: 'id', source: pull.id, where: `record ${index + 1} of ${where}` }),
        revision: scalar(revision, {
          what: 'revision',
          source: pull.revision,
          where: `record ${index + 1} of ${where}`,
        }),
        data: record,
      });
      if (pull.cursor) {
        const value = await evaluate(pull.cursor.field, record);
        if (value !== undefined && value !== null) cursorNumber(pull.cursor, value);
        cursorValues.push(value);
      }
    }
    await ctx.records.upsertMany(pull.mapping, batch);
    const signals =
      pull.pagination?.type === 'hook'
        ? hookSignals(
            await callHook(pull.pagination.hook, { ...answer, records: records.length }),
            pull.pagination.hook,
            records.length,
          )
        : await readSignals({ pull, response, parsed, count: records.length, requestUrl, evaluate });
    if (signals.nextUrl !== undefined) {
      signals.nextUrl = new URL(signals.nextUrl, requestUrl).toString();
      if (new URL(signals.nextUrl).origin !== origin)
        throw new ConfigError(
          `The marketplace's next page (${where}) is at ${new URL(signals.nextUrl).origin}, not at the API's ${origin}; the host sends the account's credentials to the API only, so it stopped. Check api.baseUrl and pull.pagination in the manifest.`,
        );
    }
    const next = nextPage(pull.pagination, position, signals);
    if (next.done) break;
    if (next.position.read >= maxPages)
      throw new ConfigError(
        `Job '${jobId}' read ${maxPages} pages (pull.pagination.maxPages) and the marketplace still had more; the cursor was not moved. Raise maxPages in the manifest, or narrow the request (a cursor, a smaller date range).`,
      );
    position = next.position;
  }
  if (pull.cursor) {
    const seen = highest(pull.cursor, cursorValues);
    const next = nextCursor({ cursor: pull.cursor, seen, stored });
    if (next !== undefined && next !== stored) await ctx.store.set(key, next);
  }
  return { counts: { pages: position.read + 1 } };
}

/** 5xx (after ctx.http's own retries), 408 and 425 are retried with the job's policy; other 4xx are not. */
function failOnStatus(response: HttpResponse, where: string): void {
  const { status } = response;
  if (status >= 200 && status < 300) return;
  if (status >= 500 || TRANSIENT.has(status))
    throw new RetryableError(
      `The marketplace answered ${status} to ${where}; the run will be tried again from the same cursor.`,
    );
  throw new ConfigError(
    `The marketplace refused ${where} with ${status} (${response.body.slice(0, 200)}); check the job's pull.request in the manifest and the connection's settings.`,
  );
}

function hookRecords(value: unknown, hook: string, where: string): unknown[] {
  if (Array.isArray(value)) return value as unknown[];
  throw new ConfigError(
    `Hook '${hook}' gave ${value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 100)} for ${where}; a records hook returns the page's records as a list (an empty list when there are none).`,
  );
}

/** The next request a pagination hook asked for, as the signals every kind gives. */
function hookSignals(value: unknown, hook: string, count: number): PageSignals {
  if (value === null || value === undefined) return { count, done: true };
  if (typeof value === 'object' && 'url' in value && typeof value.url === 'string')
    return { count, nextUrl: value.url };
  if (typeof value === 'object' && 'query' in value && value.query && typeof value.query === 'object') {
    const query = Object.fromEntries(Object.entries(value.query).map(([k, v]) => [k, String(v)]));
    return { count, nextQuery: query };
  }
  throw new ConfigError(
    `Hook '${hook}' gave ${JSON.stringify(value).slice(0, 100)}; a pagination hook returns { query: {…} }, { url: "…" } or null after the last page.`,
  );
}

function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? Array.from(value as unknown[]) : [value];
}

function scalar(value: unknown, options: { what: string; source: string; where: string }): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new ConfigError(
    `The ${options.what} of ${options.where} is ${value === undefined ? 'missing' : JSON.stringify(value)}: pull.${options.what} (${JSON.stringify(options.source)}) must give a non-empty string or a number; fix it in the manifest.`,
  );
}

async function readSignals(options: {
  pull: Pull;
  response: HttpResponse;
  parsed: unknown;
  count: number;
  requestUrl: string;
  evaluate: (source: string, input: unknown) => Promise<unknown>;
}): Promise<PageSignals> {
  const { pull, response, parsed, count, evaluate } = options;
  const signals: PageSignals = { count };
  const header = (name: string) => response.headers[name.toLowerCase()];
  const number = (value: unknown) => {
    const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : Number.NaN;
    return Number.isFinite(n) ? n : undefined;
  };
  const text = (value: unknown) =>
    typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
  const pagination = pull.pagination;
  switch (pagination?.type) {
    case undefined:
      break;
    case 'pageNumber':
      if (pagination.totalPagesHeader) signals.totalPages = number(header(pagination.totalPagesHeader));
      if (pagination.totalPagesField)
        signals.totalPages = number(await evaluate(pagination.totalPagesField, parsed));
      if (pagination.totalCountHeader) signals.totalCount = number(header(pagination.totalCountHeader));
      break;
    case 'offset':
      if (pagination.totalCountHeader) signals.totalCount = number(header(pagination.totalCountHeader));
      if (pagination.totalCountField)
        signals.totalCount = number(await evaluate(pagination.totalCountField, parsed));
      break;
    case 'cursor':
      signals.nextCursor = text(await evaluate(pagination.field, parsed));
      break;
    case 'nextUrl':
      signals.nextUrl = text(await evaluate(pagination.field, parsed));
      break;
    case 'linkHeader':
      signals.nextUrl = nextLink(header('link'), options.requestUrl);
      break;
    case 'hook':
      break; // the runner asks the hook (hookSignals)
  }
  return signals;
}
