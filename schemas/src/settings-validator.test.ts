import { describe, expect, it } from 'vitest';
import { closeObjectSchemas, compileSettingsValidator } from './settings-validator.ts';
import { settingsIssuesSentence } from './settings-words.ts';
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

  it("says each problem in words, by the field's title and unit, never in Ajv's terms (issue 13)", () => {
    const titled = compileSettingsValidator({
      type: 'object',
      required: ['username'],
      properties: {
        username: { type: 'string', title: 'API username', minLength: 1 },
        syncFrequencyMinutes: {
          type: 'integer',
          title: 'Sync frequency (minutes)',
          minimum: 5,
          maximum: 1440,
          'x-ui': { suffix: 'min' },
        },
        vat: { type: 'number', title: 'VAT rate', maximum: 27, 'x-ui': { suffix: '%' } },
        platform: {
          type: 'string',
          title: 'Platform',
          enum: ['ro', 'bg'],
          'x-ui': { enumLabels: { ro: 'Romania', bg: 'Bulgaria' } },
        },
        note: { type: 'string', title: 'Note', maxLength: 3 },
      },
    });
    const result = titled({ syncFrequencyMinutes: 2, vat: 30, platform: 'de', note: 'long', username: '' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const said = result.issues.map((i) => `${i.label} ${i.message}`);
    expect(said).toEqual(
      expect.arrayContaining([
        'Sync frequency must be at least 5 minutes',
        'VAT rate must be at most 27 %',
        'Platform must be one of Romania, Bulgaria',
        'Note must be at most 3 characters long',
        'API username must not be empty',
      ]),
    );
    for (const issue of result.issues) expect(issue.message).not.toMatch(/>=|<=|NOT|must match/);
    const missing = titled({});
    expect(missing.ok ? '' : settingsIssuesSentence(missing.issues)).toBe('API username is required.');
    expect(settingsIssuesSentence(result.issues)).toContain('; Sync frequency must be at least 5 minutes; ');
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
