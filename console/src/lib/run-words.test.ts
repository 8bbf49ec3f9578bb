import { describe, expect, it } from 'vitest';
import { countsText, progressText, triggerText } from './run-words.ts';

describe('a run in words (issue 13)', () => {
  it('says what started a run the host started itself, never "started by hand"', () => {
    expect(triggerText({ trigger: 'follow_up', follows: 'invoices were issued' })).toBe(
      'after invoices were issued',
    );
    expect(triggerText({ trigger: 'follow_up', follows: null })).toBe('after another run');
    expect(triggerText({ trigger: 'manual' })).toBe('started by hand');
    expect(triggerText({ trigger: 'schedule' })).toBe('on schedule');
  });

  it('gives every skip with its reason, and the outcomes once each', () => {
    expect(
      countsText({
        trigger: 'schedule',
        counts: { orders: 300, created: 229, unchanged: 7, skipped: 64 },
        skipped: { 'not paid yet': 40, 'the buyer did not ask for an invoice': 24 },
      }),
    ).toBe(
      'Orders 300; 229 created, 7 unchanged, 64 skipped: 40 not paid yet, 24 the buyer did not ask for an invoice',
    );
    expect(countsText({ trigger: 'schedule', counts: { uploaded: 3 } })).toBe('Uploaded 3');
    expect(countsText({ trigger: 'schedule', counts: {} })).toBe('—');
  });

  it('never shows more done than the total', () => {
    expect(progressText({ done: 400, total: 300 })).toBe('300 of 300 (100%)');
    expect(progressText({ done: 150, total: 300 })).toBe('150 of 300 (50%)');
    expect(progressText({ done: 12, total: null })).toBe('12 done');
  });
});
