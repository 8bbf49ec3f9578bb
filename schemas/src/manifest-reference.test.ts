import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MANIFEST_REFERENCE_FILE, manifestReferenceFile } from '../scripts/manifest-reference-file.ts';
import { manifestShape } from './manifest.ts';
import { MANIFEST_REFERENCE_COMMAND, manifestReference } from './manifest-reference.ts';

describe('docs/MANIFEST-REFERENCE.md', () => {
  it('is the page the schema generates', async () => {
    const committed = readFileSync(MANIFEST_REFERENCE_FILE, 'utf8');
    expect(
      committed,
      `docs/MANIFEST-REFERENCE.md differs from what the manifest schema generates: run \`${MANIFEST_REFERENCE_COMMAND}\` and commit the result.`,
    ).toBe(await manifestReferenceFile());
  });

  it('has a row for every top-level field', () => {
    const page = manifestReference();
    for (const field of Object.keys(manifestShape)) expect(page).toContain(`| \`${field}\` |`);
  });

  it('has a section for each auth kind and the fields of a rate limit', () => {
    const page = manifestReference();
    for (const kind of ['oauth2', 'basic', 'none'])
      expect(page).toContain(`### \`auth\` with \`type: "${kind}"\``);
    const rateLimits = page.slice(page.indexOf('## `rateLimits`'), page.indexOf('## `config`'));
    expect(rateLimits).toContain('Each entry (`rateLimits[]`) has these fields:');
    for (const field of ['group', 'match', 'limit', 'per', 'unlimited', 'windows', 'spacing'])
      expect(rateLimits).toContain(`| \`${field}\` |`);
    expect(rateLimits).toContain('### `rateLimits[].windows`');
  });

  it('follows whatever the schema holds: a new kind, and the same nested field in two kinds', () => {
    const retry = z.strictObject({ attempts: z.number().int().min(0).default(3) });
    const schema = z.strictObject({
      auth: z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('oauth2'), retry }),
        z.strictObject({ type: z.literal('clientCredentials'), retry: retry.describe('Token requests.') }),
      ]),
    });
    const page = manifestReference(z.toJSONSchema(schema, { io: 'input' }));
    expect(page).toContain('[`clientCredentials`](#auth-with-type-clientcredentials)');
    expect(page).toContain('### `auth` with `type: "clientCredentials"`');
    // GitHub numbers a repeated heading's anchor; the second kind's link must follow it.
    expect(page).toContain('see [`auth.retry`](#authretry-1)');
    expect(page).toContain('| `attempts` | integer, at least 0 | no | `3` |');
  });
});
