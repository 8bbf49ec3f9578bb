import type { Schema } from '@sjsf/form';
import { describe, expect, it } from 'vitest';
import { pointerToPath } from './pointer.ts';
import { buildUiSchema, clientSchema, STORED_SECRET_HELP, withoutEmptySecrets } from './schema-ui.ts';
import { titleAt } from './titles.ts';

const schema = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', title: 'API username', 'x-ui': { order: 2, placeholder: 'login' } },
    password: { type: 'string', title: 'API password', writeOnly: true },
    platform: {
      type: 'string',
      title: 'Country platform',
      enum: ['ro', 'bg'],
      'x-ui': { order: 1, enumLabels: { ro: 'Romania', bg: 'Bulgaria' } },
    },
    vat: { type: 'number', title: 'VAT', minimum: 0, maximum: 27, 'x-ui': { suffix: '%', widget: 'slider' } },
    notes: { type: 'string', 'x-ui': { widget: 'textarea', rows: 4 } },
    warehouses: {
      type: 'array',
      title: 'Warehouses',
      items: { type: 'object', properties: { code: { type: 'string', title: 'Code' } } },
    },
    payment: {
      oneOf: [{ type: 'object', properties: { mode: { const: 'never' } } }],
    },
  },
} as unknown as Schema;

describe('generated form UI from a settings schema', () => {
  it('renders secrets as password inputs and says when one is stored', () => {
    const ui = buildUiSchema(schema, { password: true }) as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    expect(ui.password?.['ui:options']?.text).toMatchObject({
      type: 'password',
      autocomplete: 'new-password',
    });
    expect(ui.password?.['ui:options']?.help).toBe(STORED_SECRET_HELP);
    const withoutStored = buildUiSchema(schema, {}) as Record<string, unknown>;
    expect(withoutStored.password).not.toHaveProperty(['ui:options', 'help']);
  });

  it('maps x-ui hints: order, enum labels, suffix, widgets, placeholders, bounds', () => {
    const ui = buildUiSchema(schema) as Record<string, Record<string, Record<string, unknown>>>;
    expect((ui as Record<string, unknown>)['ui:options']).toEqual({ order: ['platform', 'username', '*'] });
    expect(ui.platform?.['ui:options']?.enumNames).toEqual(['Romania', 'Bulgaria']);
    expect(ui.vat?.['ui:options']?.title).toBe('VAT (%)');
    expect(ui.vat?.['ui:options']?.help).toBe('Between 0 and 27 %.');
    expect(ui.vat?.['ui:components']).toEqual({ numberWidget: 'rangeWidget' });
    expect(ui.notes?.['ui:components']).toEqual({ textWidget: 'textareaWidget' });
    expect(ui.username?.['ui:options']?.text).toEqual({ placeholder: 'login' });
  });

  it('names a unit once: a title that already names it does not get the suffix again (issue 13)', () => {
    const frequency = {
      type: 'object',
      properties: {
        syncFrequencyMinutes: {
          type: 'integer',
          title: 'Sync frequency (minutes)',
          minimum: 5,
          maximum: 1440,
          'x-ui': { suffix: 'min' },
        },
        batch: { type: 'integer', title: 'Batch size', minimum: 1 },
      },
    } as unknown as Schema;
    const ui = buildUiSchema(frequency) as Record<string, Record<string, Record<string, unknown>>>;
    // The sjsf label falls back to the schema title when ui:options has none.
    expect(ui.syncFrequencyMinutes?.['ui:options']?.title).toBeUndefined();
    expect(ui.syncFrequencyMinutes?.['ui:options']?.help).toBe('Between 5 and 1440 minutes.');
    expect(ui.batch?.['ui:options']?.help).toBe('At least 1.');
  });

  it('hides the const discriminator of a oneOf variant', () => {
    const ui = buildUiSchema(schema) as {
      payment: { oneOf: { mode: { 'ui:options': Record<string, unknown> } }[] };
    };
    expect(ui.payment.oneOf[0]?.mode['ui:options']).toMatchObject({
      hideTitle: true,
      text: { type: 'hidden' },
    });
  });

  it('no longer requires a stored secret in the browser, and drops empty secrets from a save', () => {
    expect(clientSchema(schema, { password: true }).required).toEqual(['username']);
    expect(clientSchema(schema, {}).required).toEqual(['username', 'password']);
    expect(withoutEmptySecrets(schema, { username: 'a', password: '' })).toEqual({ username: 'a' });
    expect(withoutEmptySecrets(schema, { username: 'a', password: 'p' })).toEqual({
      username: 'a',
      password: 'p',
    });
  });

  it('maps the host’s JSON pointers onto form paths and names the field for the summary', () => {
    const value = { warehouses: [{ code: '' }, { code: 'x' }] };
    expect(pointerToPath('/warehouses/1/code', value)).toEqual(['warehouses', 1, 'code']);
    expect(pointerToPath('', value)).toEqual([]);
    expect(titleAt(schema, ['warehouses', 1, 'code'])).toBe('Warehouses item 2 › Code');
    expect(titleAt(schema, ['mode'])).toBe('mode');
    expect(titleAt(schema, [])).toBe('Settings');
  });
});
