import { describe, expect, it } from 'vitest';
import {
  deriveIntegration,
  disabledReason,
  jobHealth,
  jobPolicies,
  jobReason,
  withoutRetryPromise,
  type JobState,
} from './job-health.ts';

const policies = jobPolicies([
  { id: 'sync-orders', title: 'Sync orders', disableAfterFailures: 5 },
  { id: 'upload-invoices', title: 'Upload invoices' },
]);
const at = (iso: string) => new Date(iso);
const state = (over: Partial<JobState> & Pick<JobState, 'jobId' | 'title'>): JobState => ({
  consecutiveFailures: 0,
  failedRuns: 0,
  retryPending: false,
  lastRunAt: at('2026-12-05T10:00:00Z'),
  lastSuccessAt: at('2026-12-05T10:00:00Z'),
  lastFailureAt: null,
  lastError: null,
  ...over,
});

describe('health per job', () => {
  it('names the state of one job in words, with what happens next', () => {
    expect(jobHealth(undefined)).toBe('not_run');
    expect(jobReason(undefined, policies[1]!)).toBe('Upload invoices has not run yet.');
    const retrying = state({ jobId: 'sync-orders', title: 'Sync orders', retryPending: true });
    expect(jobHealth(retrying)).toBe('retrying');
    expect(jobReason(retrying, policies[0]!)).toBe('Sync orders failed and is being tried again.');
    const failing = state({ jobId: 'sync-orders', title: 'Sync orders', consecutiveFailures: 2 });
    expect(jobReason(failing, policies[0]!)).toMatch(
      /^Sync orders failed twice in a row .* after 5 failed runs in a row the account is switched off\.$/,
    );
  });

  it('derives the integration from its worst job; a working job does not hide a failing one', () => {
    const orders = state({
      jobId: 'sync-orders',
      title: 'Sync orders',
      consecutiveFailures: 3,
      lastSuccessAt: at('2026-12-05T08:00:00Z'),
      lastFailureAt: at('2026-12-05T10:00:00Z'),
      lastError: 'Allegro did not answer.',
    });
    const upload = state({ jobId: 'upload-invoices', title: 'Upload invoices' });
    const derived = deriveIntegration([upload, orders], policies);
    expect(derived).toMatchObject({
      failing: true,
      consecutiveFailures: 3,
      lastError: 'Sync orders: Allegro did not answer.',
      lastSuccessAt: at('2026-12-05T08:00:00Z'),
    });
    expect(derived.reason).toMatch(/^Sync orders failed 3 times in a row/);
    expect(deriveIntegration([upload], policies)).toMatchObject({
      failing: false,
      consecutiveFailures: 0,
      lastError: null,
      reason: null,
    });
  });
});

describe('why an integration was switched off (issue 13)', () => {
  it('does not promise a retry that a switched-off integration never makes', () => {
    const reason = disabledReason({
      title: 'Sync orders',
      failures: 5,
      error: 'eMAG order/read answered HTTP 503; will retry',
    });
    expect(reason).not.toMatch(/retry/i);
    expect(reason).toBe(
      'Switched off because Sync orders had 5 consecutive failed syncs. Last error: eMAG order/read answered HTTP 503.',
    );
  });

  it('keeps every other word of the error', () => {
    expect(withoutRetryPromise('ANAF e-Factura is not answering (the upload: HTTP 503); will retry.')).toBe(
      'ANAF e-Factura is not answering (the upload: HTTP 503).',
    );
    expect(withoutRetryPromise('The marketplace did not answer in time.')).toBe(
      'The marketplace did not answer in time.',
    );
    expect(
      withoutRetryPromise('Allegro refused the refund; it will be retried later. Check the order.'),
    ).toBe('Allegro refused the refund. Check the order.');
  });
});
