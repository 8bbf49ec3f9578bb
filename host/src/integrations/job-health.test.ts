import { describe, expect, it } from 'vitest';
import { deriveIntegration, jobHealth, jobPolicies, jobReason, type JobState } from './job-health.ts';

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
