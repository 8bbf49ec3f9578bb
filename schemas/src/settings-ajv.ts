import Ajv2020Module from 'ajv/dist/2020.js';
import type { Options } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { X_HOST_CHOICES_META_SCHEMA } from './host-choices.ts';

// Both packages are CommonJS; under Node's ESM loader the class is the module itself and also
// its `.default`, which is the form TypeScript (nodenext) types.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
export type SettingsAjv = InstanceType<typeof Ajv2020>;

/**
 * UI hints the console reads from the settings schema (`x-ui`). Validated like any keyword so a
 * typo in a hint is caught at load, not discovered in the browser.
 */
export const X_UI_META_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    widget: {
      enum: [
        'text',
        'textarea',
        'password',
        'number',
        'slider',
        'switch',
        'checkbox',
        'select',
        'radio',
        'date',
        'hidden',
      ],
    },
    order: { type: 'integer' },
    placeholder: { type: 'string' },
    help: { type: 'string' },
    group: { type: 'string' },
    hidden: { type: 'boolean' },
    readonly: { type: 'boolean' },
    rows: { type: 'integer', minimum: 1 },
    suffix: { type: 'string' },
    enumLabels: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/**
 * One Ajv setup for settings schemas, shared by the manifest check and the host's settings
 * validator so both accept exactly the same keywords. Strict mode makes unknown keywords (e.g.
 * 'minimun') errors instead of silently ignored.
 */
export function createSettingsAjv(options: Options = {}): SettingsAjv {
  const ajv = new Ajv2020({
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allErrors: true,
    ...options,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-ui', metaSchema: X_UI_META_SCHEMA });
  // Marks a secret for the vault; the standard `writeOnly: true` is what the host relies on.
  ajv.addKeyword({ keyword: 'x-secret', metaSchema: { type: 'boolean' } });
  // A setting whose choices the host lists per tenant (host-choices.ts); checked on save by the host.
  ajv.addKeyword({ keyword: 'x-host-choices', metaSchema: X_HOST_CHOICES_META_SCHEMA });
  return ajv;
}
