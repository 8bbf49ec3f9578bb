import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from './json-schema.ts';
import { sampleManifest } from './testing/sample-manifest.ts';

const dir = join(import.meta.dirname, '..', 'generated');

describe('generated JSON Schemas', () => {
  it('are up to date (run: node schemas/scripts/generate.ts)', () => {
    for (const [name, contents] of Object.entries(generatedFiles())) {
      expect(readFileSync(join(dir, name), 'utf8'), `schemas/generated/${name} is stale`).toBe(contents);
    }
  });

  it('accept a valid manifest and flag a typo the way an editor would', () => {
    const ajv = new Ajv2020Module.default({ strict: false, validateSchema: false });
    const schema = JSON.parse(generatedFiles()['plugin-manifest.schema.json']!) as {
      properties: Record<string, unknown>;
    };
    // Editors fetch the 2020-12 meta-schema themselves; offline we only check our own part.
    schema.properties.settings = { type: 'object' };
    const validate = ajv.compile(schema);
    expect(validate(sampleManifest())).toBe(true);
    expect(validate({ ...sampleManifest(), jbos: [] })).toBe(false);
  });
});
