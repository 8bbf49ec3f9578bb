// docs/MANIFEST-REFERENCE.md as written by `npm run docs:manifest`: the generated page, formatted by
// prettier with the repository's settings. Shared by that script and the test that compares them.
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { manifestReference } from '../src/manifest-reference.ts';

export const MANIFEST_REFERENCE_FILE = join(import.meta.dirname, '..', '..', 'docs', 'MANIFEST-REFERENCE.md');

export async function manifestReferenceFile(): Promise<string> {
  const options = await resolveConfig(MANIFEST_REFERENCE_FILE);
  return format(manifestReference(), { ...options, filepath: MANIFEST_REFERENCE_FILE });
}
