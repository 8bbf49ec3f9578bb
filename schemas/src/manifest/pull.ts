import { z } from 'zod';
import { hookName, localId, nonEmpty, template } from '../patterns.ts';

/**
 * A job described as an HTTP pull instead of a hook (issue 14): the host sends the request through
 * `ctx.http` (auth, rate limits, retries), follows the pages, picks the records out of each answer
 * with JSONata, puts them through a manifest mapping with `ctx.records.upsertMany`, and keeps an
 * incremental cursor per integration.
 */

const expression = nonEmpty.describe('A JSONata expression.');
const maxPages = z
  .number()
  .int()
  .min(1)
  .max(100_000)
  .default(1000)
  .describe('Safety cap: a run that would read more pages than this stops with an error.');

export const PullRequestSchema = z.strictObject({
  method: z.enum(['GET', 'POST']).default('GET'),
  path: template.describe(
    'Path under api.baseUrl; may use {settings.name} (not secret), {CONFIG_VAR} and {cursor}.',
  ),
  query: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      'Query parameters (templates). A parameter whose value is exactly "{cursor}" is left out while there is no cursor yet.',
    ),
  body: z
    .record(z.string(), z.string())
    .optional()
    .describe('JSON body of a POST: an object of templates, like query.'),
});

const SizeSchema = z.strictObject({
  param: nonEmpty.describe('Query parameter of the page size, e.g. "per_page".'),
  value: z.number().int().min(1).describe('Page size sent; a shorter page is the last one.'),
});

export const PaginationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('pageNumber'),
    param: nonEmpty.describe('Query parameter of the page number, e.g. "page".'),
    start: z.number().int().min(0).default(1).describe('Number of the first page.'),
    size: SizeSchema.optional(),
    totalPagesHeader: nonEmpty.optional().describe('Response header giving the number of pages.'),
    totalPagesField: expression.optional().describe('JSONata over the body giving the number of pages.'),
    totalCountHeader: nonEmpty.optional().describe('Response header giving the number of records.'),
    maxPages,
  }),
  z.strictObject({
    type: z.literal('offset'),
    param: nonEmpty.describe('Query parameter of the offset, e.g. "offset".'),
    limit: SizeSchema.describe('Query parameter and value of the page size; a shorter page is the last one.'),
    start: z.number().int().min(0).default(0),
    totalCountHeader: nonEmpty.optional().describe('Response header giving the number of records.'),
    totalCountField: expression.optional().describe('JSONata over the body giving the number of records.'),
    maxPages,
  }),
  z.strictObject({
    type: z.literal('cursor'),
    param: nonEmpty.describe('Query parameter the next page cursor is sent in.'),
    field: expression.describe('JSONata over the body giving the next cursor; none or empty: last page.'),
    maxPages,
  }),
  z.strictObject({
    type: z.literal('linkHeader'),
    maxPages,
  }),
  z.strictObject({
    type: z.literal('hook'),
    hook: hookName.describe(
      "Hook of the plugin module given each answer ({ body, headers, page, url, records }) that returns the next request: { query } (added to the first request's), { url } (on the API's origin), or null after the last page.",
    ),
    maxPages,
  }),
  z.strictObject({
    type: z.literal('nextUrl'),
    field: expression.describe(
      'JSONata over the body giving the absolute URL of the next page; none: last page.',
    ),
    maxPages,
  }),
]);

export const PullCursorSchema = z.strictObject({
  field: expression.describe('JSONata per record giving its modification time (or number).'),
  format: z
    .enum(['iso', 'number'])
    .default('iso')
    .describe('How values compare: as ISO 8601 timestamps (no zone means UTC) or as numbers.'),
  lookbackSeconds: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Overlap: the stored cursor is the highest value seen minus this (seconds; for "number", subtracted as is).',
    ),
  initial: z.string().optional().describe('{cursor} before the first successful run.'),
});

export const PullSchema = z.strictObject({
  request: PullRequestSchema,
  records: z
    .union([
      expression,
      z.strictObject({
        hook: hookName.describe(
          'Hook of the plugin module given each answer ({ body, headers, page, url }) that returns its records.',
        ),
      }),
    ])
    .describe(
      'JSONata over the parsed JSON body giving the list of records ("$" for the body itself), or { "hook": name } when picking them needs code.',
    ),
  id: expression.describe("JSONata per record giving the record's id."),
  revision: expression.describe(
    "JSONata per record giving the record's revision (e.g. its modification time).",
  ),
  mapping: localId.describe('Name of the mapping (in mappings) the records go through.'),
  pagination: PaginationSchema.optional().describe('How to get the next page; absent: one request.'),
  cursor: PullCursorSchema.optional().describe(
    'Incremental read: the highest value seen is kept per integration.',
  ),
});

export type Pull = z.infer<typeof PullSchema>;
export type Pagination = z.infer<typeof PaginationSchema>;
export type PullCursor = z.infer<typeof PullCursorSchema>;
