import { describe, expect, it } from 'vitest';
import { manifestExpressions } from './expressions.ts';
import { sampleManifest } from './testing/sample-manifest.ts';
import { validateManifest } from './validate-manifest.ts';

const pull = () => ({
  request: {
    method: 'GET',
    path: '/wp-json/wc/v3/orders',
    query: { per_page: '100', modified_after: '{cursor}' },
  },
  records: '$',
  id: 'id',
  revision: 'date_modified_gmt',
  mapping: 'invoice',
  pagination: { type: 'pageNumber', param: 'page', totalPagesHeader: 'X-WP-TotalPages' },
  cursor: { field: 'date_modified_gmt', lookbackSeconds: 60, initial: '2020-01-01T00:00:00' },
});

/** The sample manifest whose only job is a pull (no hook), changed by `change`. */
function withPull(change: (job: Record<string, unknown>) => void = () => undefined) {
  const manifest = sampleManifest();
  const job = manifest.jobs![0]! as Record<string, unknown>;
  delete job.hook;
  job.pull = pull();
  change(job);
  return manifest;
}

const issues = (manifest: unknown) =>
  validateManifest(manifest).issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`);

describe('pull jobs (issue 14)', () => {
  it('accepts a job with a pull and no hook, defaults filled', () => {
    const result = validateManifest(withPull());
    expect(result.issues).toEqual([]);
    expect(result.manifest?.jobs[0]?.pull).toMatchObject({
      request: { method: 'GET' },
      pagination: { start: 1, maxPages: 1000 },
      cursor: { format: 'iso', lookbackSeconds: 60 },
    });
  });

  it('refuses a job with both hook and pull', () => {
    expect(issues(withPull((job) => (job.hook = 'syncOrders')))).toEqual([
      "/jobs/0 MANIFEST_FIELD_INVALID: has both 'hook' and 'pull'; a job either calls a hook of the plugin module or describes an HTTP pull the host runs: remove one of them",
    ]);
  });

  it('refuses a job with neither', () => {
    expect(issues(withPull((job) => delete job.pull))).toEqual([
      "/jobs/0 MANIFEST_FIELD_MISSING: has neither 'hook' nor 'pull'; name a hook of the plugin module in 'hook', or describe the HTTP read in 'pull'",
    ]);
  });

  it('refuses a mapping that makes neither orders nor corrections', () => {
    expect(issues(withPull((job) => ((job.pull as { mapping: string }).mapping = 'customer')))).toEqual([
      "/jobs/0/pull/mapping MANIFEST_FIELD_INVALID: names mapping 'customer', which makes customer records; a pull imports orders (a mapping with target 'invoice') or corrections (target 'correction')",
    ]);
  });

  it('refuses an unknown mapping, naming the declared ones', () => {
    expect(issues(withPull((job) => ((job.pull as { mapping: string }).mapping = 'invoices')))).toEqual([
      "/jobs/0/pull/mapping MANIFEST_REFERENCE_UNKNOWN: names mapping 'invoices', which is not declared in mappings; use one of: 'invoice', 'invoiceLine', 'customer'",
    ]);
  });

  it('refuses a secret setting in the request query', () => {
    const manifest = withPull((job) => {
      (job.pull as { request: { query: Record<string, string> } }).request.query.key = '{settings.apiKey}';
    });
    expect(issues(manifest)).toEqual([
      "/jobs/0/pull/request/query/key MANIFEST_SECRET_LEAK: uses secret setting 'apiKey' (writeOnly) in a pull request's path, query or body, which are written to logs and error messages; a secret may only go to the marketplace in an api.headers template (or be read in a hook with ctx.secrets): remove it here",
    ]);
  });

  it('checks the other placeholders: unknown settings and config, and {cursor} without a cursor', () => {
    const manifest = withPull((job) => {
      const p = job.pull as { request: { path: string }; cursor?: unknown };
      p.request.path = '/{settings.shop}/{SHOP_URL}/orders';
      delete p.cursor;
    });
    expect(issues(manifest)).toEqual([
      "/jobs/0/pull/request/path MANIFEST_SETTING_REFERENCE: uses {settings.shop}, but settings has no property 'shop'; use one of: 'autoGenerateInvoices', 'syncFrequencyMinutes', 'defaultVatRate', 'apiKey'",
      "/jobs/0/pull/request/path MANIFEST_CONFIG_REFERENCE: uses {SHOP_URL}, which is not declared in config; declare it there or use one of: 'SAMPLE_CLIENT_ID', 'SAMPLE_CLIENT_SECRET', 'SAMPLE_REDIRECT_URI', 'SAMPLE_AUTH_URL', 'SAMPLE_API_URL'",
      "/jobs/0/pull/request/query/modified_after MANIFEST_FIELD_INVALID: uses {cursor}, but the pull has no 'cursor'; add pull.cursor (the field whose highest value is kept) or remove {cursor}",
    ]);
  });

  it('lists its JSONata expressions, so the host compiles them when it loads the plugin', () => {
    const result = validateManifest(withPull());
    const pulls = manifestExpressions(result.sections).filter((e) => e.pointer.startsWith('/jobs/'));
    expect(pulls.map((e) => `${e.pointer} ${e.source}`)).toEqual([
      '/jobs/0/pull/records $',
      '/jobs/0/pull/id id',
      '/jobs/0/pull/revision date_modified_gmt',
      '/jobs/0/pull/cursor/field date_modified_gmt',
    ]);
  });
});
