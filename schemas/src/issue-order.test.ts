import { describe, expect, it } from 'vitest';
import type { ManifestIssue } from './errors.ts';
import { sortIssuesByDocument } from './issue-order.ts';

const at = (pointer: string): ManifestIssue => ({
  code: 'MANIFEST_FIELD_INVALID',
  pointer,
  message: pointer,
});

describe('sortIssuesByDocument', () => {
  it('follows key order as written and array indexes, missing fields last among siblings', () => {
    const document = {
      version: '1',
      jobs: [{ hook: 'a', interval: { setting: 'x' } }, { hook: 'b' }],
      settings: {},
    };
    const sorted = sortIssuesByDocument(
      [
        at('/settings'),
        at('/jobs/1/hook'),
        at('/name'),
        at('/jobs/0/interval/setting'),
        at(''),
        at('/version'),
        at('/jobs/0/hook'),
      ],
      document,
    );
    expect(sorted.map((issue) => issue.pointer)).toEqual([
      '',
      '/version',
      '/jobs/0/hook',
      '/jobs/0/interval/setting',
      '/jobs/1/hook',
      '/settings',
      '/name',
    ]);
  });
});
