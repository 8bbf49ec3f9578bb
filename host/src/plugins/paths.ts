import { resolve } from 'node:path';

/** The repository root (host/src/plugins → ../../..); the registry sits there (SPEC "Layout"). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');

export const DEFAULT_REGISTRY_PATH = resolve(REPO_ROOT, 'plugin.manifest.json');

export const MANIFEST_FILE = 'plugin.manifest.json';
