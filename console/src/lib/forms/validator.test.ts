import type { Config, FormValue, Schema } from '@sjsf/form';
import { describe, expect, it } from 'vitest';
import { createFormValidator } from './validator.ts';

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['username', 'syncFrequencyMinutes'],
  additionalProperties: false,
  $defs: { frequency: { type: 'integer', minimum: 5, maximum: 1440 } },
  properties: {
    username: { type: 'string', title: 'API username', minLength: 3 },
    syncFrequencyMinutes: { $ref: '#/$defs/frequency', title: 'Sync frequency' },
    invoiceEmail: { type: 'string', format: 'email' },
    mode: { enum: ['auto', 'manual'] },
    series: { type: 'string' },
  },
  if: { properties: { mode: { const: 'auto' } }, required: ['mode'] },
  then: { required: ['series'], properties: { series: { minLength: 2 } } },
} as unknown as Schema;

const validator = createFormValidator<Record<string, unknown>>();
const errorsOf = (value: Record<string, unknown>) =>
  (validator.validateFormValue(schema, value as FormValue).errors ?? [])
    .map((e) => [e.path.join('.'), e.message])
    .sort(([a], [b]) => a.localeCompare(b));

describe('settings form validator (no eval)', () => {
  it('accepts a valid value as it is', () => {
    const value = { username: 'shop', syncFrequencyMinutes: 30, mode: 'auto', series: 'FV' };
    expect(validator.validateFormValue(schema, value as FormValue)).toEqual({ value });
  });

  it('puts each failure on its field in plain words, through $ref and if/then, without the bookkeeping', () => {
    expect(
      errorsOf({ username: 'ab', syncFrequencyMinutes: 2, invoiceEmail: 'nope', mode: 'auto', extra: 1 }),
    ).toEqual([
      ['extra', 'is not allowed here'],
      ['invoiceEmail', 'must be an email address'],
      ['series', 'is required'],
      ['syncFrequencyMinutes', 'must be at least 5'],
      ['username', 'must be at least 3 characters long'],
    ]);
    expect(errorsOf({ syncFrequencyMinutes: 7.5, mode: 'later' })).toEqual([
      ['mode', 'must be one of the offered choices'],
      ['syncFrequencyMinutes', 'must be a whole number'],
      ['username', 'is required'],
    ]);
  });

  it('validates one field: an empty optional field is fine, an empty required one is missing', () => {
    const field = (required: boolean) =>
      ({ schema: { type: 'string', minLength: 3 }, required, title: 'API username' }) as unknown as Config;
    expect(validator.validateFieldValue(field(false), undefined)).toEqual([]);
    expect(validator.validateFieldValue(field(true), undefined)).toEqual(['is required']);
    expect(validator.validateFieldValue(field(true), 'ab')).toEqual(['must be at least 3 characters long']);
    expect(validator.validateFieldValue(field(true), 'abc')).toEqual([]);
  });

  it('weighs a subschema that refers into the root (anyOf options)', () => {
    const option = { $ref: '#/$defs/frequency' } as unknown as Schema;
    expect(validator.isValid(option, schema, 10)).toBe(true);
    expect(validator.isValid(option, schema, 1)).toBe(false);
    expect(validator.isValid(false, schema, 1)).toBe(false);
  });
});
