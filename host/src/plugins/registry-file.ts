import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ManifestErrorCode, validateRegistry, type ManifestIssue } from '@mch/schemas';
import { readJsonFile } from './json-file.ts';

export type RegistryRead = { ok: true; dirs: string[] } | { ok: false; issues: ManifestIssue[] };

/** Reads the root plugin.manifest.json and resolves its plugin folders against the file's folder. */
export async function readRegistry(registryPath: string): Promise<RegistryRead> {
  const file = await readJsonFile({
    path: registryPath,
    notFound: {
      code: ManifestErrorCode.REGISTRY_NOT_FOUND,
      message: `no registry at ${registryPath}; create it with { "plugins": ["plugins/<id>"] }`,
    },
    invalidJson: ManifestErrorCode.REGISTRY_INVALID_JSON,
  });
  if (!file.ok) return file;
  const result = validateRegistry(file.value);
  if (!result.ok) return result;
  const base = dirname(registryPath);
  return { ok: true, dirs: result.registry.plugins.map((entry) => realFolder(resolve(base, entry))) };
}

/**
 * A folder linked into the registry's (`plugin dry-run`, the testing kit) is loaded from where it
 * really is, so its tsconfig's relative `extends` and its imports resolve as its author wrote them.
 */
function realFolder(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir; // missing: the loader says so
  }
}
