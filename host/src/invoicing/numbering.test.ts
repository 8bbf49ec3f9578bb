import { describe, expect, it } from 'vitest';
import { formatInvoiceNumber } from './numbering.ts';

describe('formatInvoiceNumber', () => {
  it('fills every token', () => {
    expect(
      formatInvoiceNumber({ pattern: '{code}/{yyyy}/{n}', code: 'FV', issueDate: '2026-03-07', n: 12 }),
    ).toBe('FV/2026/12');
    expect(
      formatInvoiceNumber({
        pattern: '{code}-{yy}{mm}{dd}-{n:6}',
        code: 'A',
        issueDate: '2026-03-07T10:00:00Z',
        n: 42,
      }),
    ).toBe('A-260307-000042');
    expect(
      formatInvoiceNumber({ pattern: '{n:3}/{mm}/{yyyy}', code: 'X', issueDate: '2026-12-31', n: 1234 }),
    ).toBe('1234/12/2026');
  });
  it('leaves unknown braces alone', () => {
    expect(
      formatInvoiceNumber({ pattern: '{code}/{foo}/{n}', code: 'FV', issueDate: '2026-01-01', n: 1 }),
    ).toBe('FV/{foo}/1');
  });
});
