import { z } from 'zod';
import { ManifestSchema } from './manifest.ts';
import { RegistrySchema } from './registry.ts';
import { X_HOST_CHOICES_META_SCHEMA } from './host-choices.ts';
import { X_UI_META_SCHEMA } from './settings-ajv.ts';

type JsonObject = Record<string, unknown>;

/**
 * For editors, `settings` is a JSON Schema: point them at the 2020-12 meta-schema (completion of
 * keywords) and describe our `x-ui` hints, instead of zod's loose outline.
 */
const SETTINGS_FOR_EDITORS: JsonObject = {
  description:
    'The settings form: a JSON Schema (draft 2020-12) object schema. Titles, descriptions, defaults and bounds drive the console form and server validation; secrets are marked "writeOnly": true; UI hints go in "x-ui"; a setting that takes the id of one of the tenant\'s records names the host\'s list in "x-host-choices".',
  allOf: [
    { $ref: 'https://json-schema.org/draft/2020-12/schema' },
    {
      type: 'object',
      required: ['type', 'properties'],
      properties: {
        type: { const: 'object' },
        properties: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            properties: {
              'x-ui': X_UI_META_SCHEMA,
              'x-secret': { type: 'boolean' },
              'x-host-choices': X_HOST_CHOICES_META_SCHEMA,
            },
          },
        },
      },
    },
  ],
};

function withMeta(schema: JsonObject, options: { id: string; title: string }): JsonObject {
  const { $schema, ...rest } = schema;
  return { $schema, $id: options.id, title: options.title, ...rest };
}

/** JSON Schema of plugin.manifest.json, generated from the zod schema (the single source). */
export function manifestJsonSchema(): JsonObject {
  const schema = z.toJSONSchema(ManifestSchema, { target: 'draft-2020-12', io: 'input' }) as JsonObject;
  const properties = schema.properties as JsonObject;
  properties.settings = SETTINGS_FOR_EDITORS;
  return withMeta(schema, {
    id: 'https://mch.local/schemas/plugin-manifest.schema.json',
    title: 'Plugin manifest',
  });
}

export function registryJsonSchema(): JsonObject {
  const schema = z.toJSONSchema(RegistrySchema, { target: 'draft-2020-12', io: 'input' }) as JsonObject;
  return withMeta(schema, { id: 'https://mch.local/schemas/registry.schema.json', title: 'Plugin registry' });
}

/** File name (in schemas/generated/) → contents, as written by scripts/generate.ts. */
export function generatedFiles(): Record<string, string> {
  const format = (value: JsonObject): string => JSON.stringify(value, null, 2) + '\n';
  return {
    'plugin-manifest.schema.json': format(manifestJsonSchema()),
    'registry.schema.json': format(registryJsonSchema()),
  };
}
