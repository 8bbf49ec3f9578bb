import { validateManifest } from '@mch/schemas';
import { sampleManifest } from '@mch/schemas/testing/sample-manifest';
import { describe, expect, it } from 'vitest';
import { checkExpressions } from './expression-checks.ts';
import { hookReferences } from './module-checks.ts';

describe('pull job expressions (issue 14)', () => {
  it('refuses a JSONata syntax error in pull.records at load, saying where and what to do', () => {
    const manifest = sampleManifest();
    const job = manifest.jobs![0]! as Record<string, unknown>;
    delete job.hook;
    job.pull = {
      request: { path: '/orders' },
      records: 'orders[status = "paid"',
      id: 'id',
      revision: 'updatedAt',
      mapping: 'invoice',
    };
    const { sections, issues } = validateManifest(manifest);
    expect(issues).toEqual([]);
    expect(checkExpressions(sections)).toEqual([
      {
        code: 'MANIFEST_EXPRESSION_INVALID',
        pointer: '/jobs/0/pull/records',
        message:
          'is not a valid JSONata expression: Expected "]" before end of expression at character 22 of "orders[status = \\"paid\\""; fix the expression (see https://docs.jsonata.org)',
      },
    ]);
  });
});

describe('pull parts handed to hooks (issue 14)', () => {
  it('names the records and pagination hooks for the module check, and compiles no expression for them', () => {
    const manifest = sampleManifest();
    const job = manifest.jobs![0]! as Record<string, unknown>;
    delete job.hook;
    job.pull = {
      request: { path: '/orders' },
      records: { hook: 'unpack' },
      id: 'id',
      revision: 'updatedAt',
      mapping: 'invoice',
      pagination: { type: 'hook', hook: 'nextPage' },
    };
    const { sections, issues } = validateManifest(manifest);
    expect(issues).toEqual([]);
    expect(checkExpressions(sections)).toEqual([]);
    expect(hookReferences(sections).filter((ref) => ref.pointer.startsWith('/jobs/0'))).toEqual([
      { pointer: '/jobs/0/pull/records/hook', name: 'unpack' },
      { pointer: '/jobs/0/pull/pagination/hook', name: 'nextPage' },
    ]);
  });
});
