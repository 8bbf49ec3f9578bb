import { z } from 'zod';

/**
 * The settings form as a JSON Schema (draft 2020-12) object schema. zod checks only the outline;
 * the full check (meta-schema, strict keywords, `x-ui` hints) is done with Ajv in
 * settings-schema-check.ts, because JSON Schema is the single source of truth (STYLE 4).
 */
export const SettingsSchemaSchema = z.looseObject({
  $schema: z.literal('https://json-schema.org/draft/2020-12/schema').optional(),
  type: z.literal('object', { error: 'must be "object": settings are always an object' }),
  properties: z.record(z.string(), z.record(z.string(), z.unknown())),
});

export type SettingsJsonSchema = z.infer<typeof SettingsSchemaSchema>;
