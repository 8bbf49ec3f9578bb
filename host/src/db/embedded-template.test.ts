import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The cache folder is read when the module loads: a folder of this test's own, set first.
const cache = mkdtempSync(join(tmpdir(), 'mch-template-cache-'));
process.env.MCH_CACHE_DIR = cache;
const { migrate, openDatabase } = await import('./orm.ts');
const { isFreshDataDir, templateKey } = await import('./embedded-template.ts');
const { MIGRATIONS } = await import('./migrations/index.ts');

afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('embedded database template (issue 16)', () => {
  it('keeps the first new database, once migrated, as the template the next ones are unpacked from', async () => {
    expect(readdirSync(cache)).toEqual([]);
    const first = await openDatabase();
    try {
      expect(await migrate(first)).toHaveLength(MIGRATIONS.length);
    } finally {
      await first.close();
    }
    expect(readdirSync(cache)).toEqual([`pglite-template-${templateKey()}.tar.gz`]);

    const data = mkdtempSync(join(tmpdir(), 'mch-template-data-'));
    try {
      expect(isFreshDataDir(join(data, 'pgdata'))).toBe(true);
      const second = await openDatabase({ dataDir: data });
      try {
        // Unpacked already migrated: nothing to apply, the schema is there and holds nothing.
        expect(second.keepAsTemplate).toBeUndefined();
        expect(await migrate(second)).toEqual([]);
        const { rows } = await second.pool.query<{ n: string }>('select count(*) as n from tenants');
        expect(rows[0]!.n).toBe('0');
        await second.pool.query(
          `insert into mikro_orm_migrations (name, executed_at) values ('probe', now())`,
        );
      } finally {
        await second.close();
      }
      // A data folder with a database is opened as it is, never replaced by the template.
      expect(isFreshDataDir(join(data, 'pgdata'))).toBe(false);
      const reopened = await openDatabase({ dataDir: data });
      try {
        const { rows } = await reopened.pool.query<{ name: string }>(
          `select name from mikro_orm_migrations where name = 'probe'`,
        );
        expect(rows).toEqual([{ name: 'probe' }]);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
    expect(existsSync(join(cache, `pglite-template-${templateKey()}.tar.gz`))).toBe(true);
  }, 60_000);
});
