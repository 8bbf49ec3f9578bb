import { describe, expect, it } from 'vitest';
import { closeObjectSchemas, compileSettingsValidator } from './settings-validator.ts';
import { redactSettings, secretsPresent, settingsDefaults, splitSettings } from './settings-secrets.ts';

const schema = {
  type: 'object',
  required: ['platform'],
  properties: {
    platform: { type: 'string', enum: ['ro', 'bg', 'hu'] },
    syncFrequencyMinutes: { type: 'integer', minimum: 5, maximum: 1440, default: 60 },
    useFbe: { type: 'boolean', default: false },
    password: { type: 'string', writeOnly: true, minLength: 1 },
    shipping: { type: 'object', properties: { courier: { type: 'string' } } },
  },
  if: { properties: { useFbe: { const: true } }, required: ['useFbe'] },
  then: { properties: { fbeWarehouse: { type: 'string' } }, required: ['fbeWarehouse'] },
};

describe('compileSettingsValidator', () => {
  const validate = compileSettingsValidator(schema);

  it('fills defaults without mutating the input', () => {
    const input = { platform: 'ro' };
    expect(validate(input)).toEqual({
      ok: true,
      value: { platform: 'ro', syncFrequencyMinutes: 60, useFbe: false },
    });
    expect(input).toEqual({ platform: 'ro' });
  });

  it('lists every problem with a pointer and a code', () => {
    const result = validate({
      syncFrequencyMinutes: '5',
      platform: 'de',
      colour: 'red',
      shipping: { courir: 'x' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => `${i.path} ${i.code}`).sort()).toEqual([
      '/colour SETTINGS_UNKNOWN_FIELD',
      '/platform SETTINGS_NOT_ALLOWED',
      '/shipping/courir SETTINGS_UNKNOWN_FIELD',
      '/syncFrequencyMinutes SETTINGS_INVALID_TYPE',
    ]);
  });

  it('reports bounds and missing required fields', () => {
    const result = validate({ syncFrequencyMinutes: 2 });
    expect(result.ok ? [] : result.issues.map((i) => `${i.path} ${i.code}`).sort()).toEqual([
      '/platform SETTINGS_REQUIRED',
      '/syncFrequencyMinutes SETTINGS_OUT_OF_RANGE',
    ]);
  });

  it('accepts properties declared in an if/then branch and enforces them', () => {
    expect(validate({ platform: 'ro', useFbe: true, fbeWarehouse: 'w1' }).ok).toBe(true);
    const result = validate({ platform: 'ro', useFbe: true });
    expect(result.ok ? [] : result.issues.map((i) => `${i.path} ${i.code}`)).toEqual([
      '/fbeWarehouse SETTINGS_REQUIRED',
    ]);
  });

  it('closes object schemas at value positions only', () => {
    const closed = closeObjectSchemas(schema) as Record<string, Record<string, Record<string, unknown>>>;
    expect(closed.unevaluatedProperties).toBe(false);
    expect(closed.properties!.shipping!.unevaluatedProperties).toBe(false);
    expect(closed.if!.unevaluatedProperties).toBeUndefined();
    expect(closed.then!.unevaluatedProperties).toBeUndefined();
    expect((schema as Record<string, unknown>).unevaluatedProperties).toBeUndefined();
  });
});

describe('settings secrets', () => {
  const settings = { platform: 'ro', password: 'hunter2' };
  it('splits secrets from public settings', () => {
    expect(splitSettings(schema, settings)).toEqual({
      public: { platform: 'ro' },
      secret: { password: 'hunter2' },
    });
  });
  it('never returns secrets, only whether they are set', () => {
    expect(redactSettings(schema, settings)).toEqual({ platform: 'ro' });
    expect(secretsPresent(schema, settings)).toEqual({ password: true });
    expect(secretsPresent(schema, { platform: 'ro' })).toEqual({ password: false });
  });
  it('collects top-level defaults', () => {
    expect(settingsDefaults(schema)).toEqual({ syncFrequencyMinutes: 60, useFbe: false });
  });
});
