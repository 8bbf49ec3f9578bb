import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/orm.ts';
import { periodOf, reserveNumbers } from '../src/invoicing/numbering.ts';
import { seedTenant } from '../src/records/test-fixtures.ts';
import { inTransaction } from '../src/records/sql.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';

let testDb: TestDatabase;
let other: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  other = testDb.url ? await openDatabase({ databaseUrl: testDb.url, poolSize: 2 }) : testDb.db;
});
afterAll(async () => {
  if (other && other !== testDb.db) await other.close();
  await testDb?.close();
});

const nextNumber = async (seriesId: string) =>
  (
    await testDb.db.pool.query<{ next_number: number }>(
      'select next_number from invoice_series where id = $1',
      [seriesId],
    )
  ).rows[0]!.next_number;

describe('reserveNumbers', () => {
  it('hands out consecutive blocks and gives them back when the transaction rolls back', async () => {
    const { seriesId } = await seedTenant(testDb.db.pool);
    const first = await inTransaction(testDb.db.pool, (c) => reserveNumbers(c, { seriesId, count: 5 }));
    expect(first).toMatchObject({ first: 1, count: 5, series: { code: 'FV', pattern: '{code}/{yyyy}/{n}' } });
    await expect(
      inTransaction(testDb.db.pool, async (c) => {
        await reserveNumbers(c, { seriesId, count: 3 });
        throw new Error('batch failed');
      }),
    ).rejects.toThrow('batch failed');
    expect(await nextNumber(seriesId)).toBe(6);
    expect(
      (await inTransaction(testDb.db.pool, (c) => reserveNumbers(c, { seriesId, count: 1 }))).first,
    ).toBe(6);
  });

  it('gives two concurrent processes disjoint blocks', async () => {
    const { seriesId } = await seedTenant(testDb.db.pool);
    const take = (db: Database) =>
      Promise.all(
        Array.from({ length: 10 }, () =>
          inTransaction(db.pool, (c) => reserveNumbers(c, { seriesId, count: 7 })),
        ),
      );
    const blocks = (await Promise.all([take(testDb.db), take(other)])).flat();
    const numbers = blocks
      .flatMap((b) => Array.from({ length: b.count }, (_, i) => b.first + i))
      .sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 140 }, (_, i) => i + 1));
    expect(await nextNumber(seriesId)).toBe(141);
  });

  it('counts a resetting series per period, gap-free across a rollback', async () => {
    const { seriesId } = await seedTenant(testDb.db.pool);
    await testDb.db.pool.query(`update invoice_series set reset = 'monthly' where id = $1`, [seriesId]);
    const take = (period: string, count: number) =>
      inTransaction(testDb.db.pool, (c) => reserveNumbers(c, { seriesId, count, period }));
    expect(await take('2026-11', 3)).toMatchObject({ first: 1, count: 3, period: '2026-11' });
    await expect(
      inTransaction(testDb.db.pool, async (c) => {
        await reserveNumbers(c, { seriesId, count: 2, period: '2026-11' });
        throw new Error('batch failed');
      }),
    ).rejects.toThrow('batch failed');
    expect((await take('2026-11', 1)).first).toBe(4);
    expect((await take('2026-12', 2)).first).toBe(1);
    expect(periodOf('monthly', '2026-12-31')).toBe('2026-12');
    expect(periodOf('yearly', '2026-12-31')).toBe('2026');
    expect(periodOf('never', '2026-12-31')).toBe('');
  });

  it('refuses an empty block and an unknown series', async () => {
    const { seriesId } = await seedTenant(testDb.db.pool);
    await expect(
      inTransaction(testDb.db.pool, (c) => reserveNumbers(c, { seriesId, count: 0 })),
    ).rejects.toThrow('cannot reserve 0');
    await expect(
      inTransaction(testDb.db.pool, (c) =>
        reserveNumbers(c, { seriesId: '00000000-0000-4000-8000-000000000000', count: 1 }),
      ),
    ).rejects.toThrow('does not exist');
  });
});
