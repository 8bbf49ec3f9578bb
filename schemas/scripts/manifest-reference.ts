// Writes docs/MANIFEST-REFERENCE.md from the manifest's zod schema (issue 14).
// Run: npm run docs:manifest (a test fails when the committed page is stale).
import { writeFileSync } from 'node:fs';
import { MANIFEST_REFERENCE_FILE, manifestReferenceFile } from './manifest-reference-file.ts';

writeFileSync(MANIFEST_REFERENCE_FILE, await manifestReferenceFile());
process.stdout.write('wrote docs/MANIFEST-REFERENCE.md\n');
