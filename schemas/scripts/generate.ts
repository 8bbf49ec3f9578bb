// Writes schemas/generated/*.schema.json from the zod schemas; manifests point `$schema` at them.
// Run: node schemas/scripts/generate.ts (a test fails when the committed files are stale).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../src/json-schema.ts';

const dir = join(import.meta.dirname, '..', 'generated');
mkdirSync(dir, { recursive: true });
for (const [name, contents] of Object.entries(generatedFiles())) {
  writeFileSync(join(dir, name), contents);
  process.stdout.write(`wrote schemas/generated/${name}\n`);
}
