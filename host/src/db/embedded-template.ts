import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/**
 * A fresh embedded database made from a template instead of from scratch (issue 16: ready in 2 s).
 * PGlite's first start runs initdb in WebAssembly (about 2 s here) and then every migration; a
 * data folder unpacked from a tarball of an already migrated, empty database starts in about a
 * quarter of that. The template is made once, after the first fresh database was migrated, and
 * kept beside the installed packages (`node_modules/.cache/mch/`), named by the PGlite version and
 * the committed migrations' contents: a new migration or PGlite makes a new one. It holds the
 * schema only (no tenant, no key, nothing of any user). Without a writable cache folder every
 * fresh database is made from scratch, as before.
 */
const MIGRATIONS_DIR = resolve(import.meta.dirname, 'migrations');
const CACHE_DIR =
  process.env.MCH_CACHE_DIR ?? resolve(import.meta.dirname, '../../../node_modules/.cache/mch');

let cachedKey: string | undefined;

/** The PGlite version and every committed migration file, hashed: what the template depends on. */
export function templateKey(): string {
  if (cachedKey) return cachedKey;
  const hash = createHash('sha256');
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  hash.update(readPackageVersion(pglite));
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    hash.update(`\0${file}\0`).update(readFileSync(join(MIGRATIONS_DIR, file)));
  }
  cachedKey = hash.digest('hex').slice(0, 16);
  return cachedKey;
}

function readPackageVersion(entry: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@electric-sql/pglite') return pkg.version ?? 'unknown';
  }
  return 'unknown';
}

const templateFile = () => join(CACHE_DIR, `pglite-template-${templateKey()}.tar.gz`);

/** The template for the current migrations, if one was made. */
export function loadTemplate(): Blob | undefined {
  try {
    const file = templateFile();
    return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `tarball` (a migrated, empty database) as the template; a failure only costs speed. */
export async function saveTemplate(tarball: Blob): Promise<void> {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const file = templateFile();
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await tarball.arrayBuffer()));
    // Whole or not at all, whichever process writes it last.
    renameSync(partial, file);
  } catch {
    // A read-only install: every fresh database is made from scratch.
  }
}

/** Whether the data folder holds no database yet (PostgreSQL writes PG_VERSION first). */
export function isFreshDataDir(dataDir: string | undefined): boolean {
  return dataDir === undefined || !existsSync(join(dataDir, 'PG_VERSION'));
}
