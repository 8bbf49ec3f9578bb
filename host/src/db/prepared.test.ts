import { describe, expect, it } from 'vitest';
import { prepared } from './prepared.ts';

describe('prepared', () => {
  it('names one text the same way every time, and two texts differently', () => {
    const a = prepared('select $1::int', [1]);
    expect(prepared('select $1::int', [2])).toEqual({ name: a.name, text: 'select $1::int', values: [2] });
    expect(prepared('select $1::text', ['x']).name).not.toBe(a.name);
    // PostgreSQL truncates identifiers past 63 bytes: two names must never collide that way.
    expect(a.name).toMatch(/^mch_[0-9a-f]{24}$/);
  });
});
