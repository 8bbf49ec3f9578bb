import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordInput, UpsertOutcome } from '@mch/plugin-sdk';
import { openDatabase, type Database } from '../src/db/orm.ts';
import { importRecords } from '../src/records/import.ts';
import { compileMappings } from '../src/records/mapping-engine.ts';
import { ALLEGRO_MAPPINGS, allegroOrder, seedTenant } from '../src/records/test-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';

/**
 * Two "processes" importing overlapping pages at once (SPEC "Scale-out": several hosts share one
 * PostgreSQL). On PostgreSQL each has its own connection pool; embedded, two concurrent calls
 * share the serialized database.
 */
let testDb: TestDatabase;
let other: Database;
const mappings = compileMappings(ALLEGRO_MAPPINGS);
const settings = { defaultVatRate: 23 };

beforeAll(async () => {
  testDb = await createTestDatabase();
  other = testDb.url ? await openDatabase({ databaseUrl: testDb.url, poolSize: 5 }) : testDb.db;
});
afterAll(async () => {
  if (other && other !== testDb.db) await other.close();
  await testDb?.close();
});

const records = (from: number, to: number): RecordInput[] =>
  Array.from({ length: to - from }, (_, i) => allegroOrder(from + i)).map((o) => ({
    externalId: o.id,
    revision: o.revision,
    data: o,
  }));

describe('concurrent imports', () => {
  it('overlapping batches from two processes yield one invoice per order, no error, no gap', async () => {
    const ids = await seedTenant(testDb.db.pool);
    const run = (db: Database, list: RecordInput[]) =>
      importRecords({
        db,
        ...ids,
        pluginId: 'allegro',
        mappingName: 'invoice',
        mappings,
        settings,
        records: list,
        batchSize: 100,
      });
    const [a, b] = await Promise.all([
      run(testDb.db, records(0, 600)),
      run(other, records(300, 900).reverse()),
    ]);
    const all: UpsertOutcome[] = [...a, ...b];
    expect(all.filter((o) => o.status === 'skipped')).toEqual([]);
    expect(all.filter((o) => o.status === 'created')).toHaveLength(900);
    expect(all.filter((o) => o.status === 'unchanged')).toHaveLength(300);

    const invoices = (
      await testDb.db.pool.query<{ sequence: number; external_order_id: string }>(
        'select sequence, external_order_id from invoices where tenant_id = $1 order by sequence',
        [ids.tenantId],
      )
    ).rows;
    expect(invoices.map((i) => i.sequence)).toEqual(Array.from({ length: 900 }, (_, i) => i + 1));
    expect(new Set(invoices.map((i) => i.external_order_id)).size).toBe(900);
    // The loser's `unchanged` points at the winner's invoice.
    const hostIds = new Set(all.flatMap((o) => (o.status === 'created' ? [o.hostId] : [])));
    for (const o of all) if (o.status === 'unchanged') expect(hostIds.has(o.hostId)).toBe(true);
  });

  it('the very same page imported by both at once is invoiced once', async () => {
    const ids = await seedTenant(testDb.db.pool);
    const page = records(1000, 1100);
    const run = (db: Database) =>
      importRecords({
        db,
        ...ids,
        pluginId: 'allegro',
        mappingName: 'invoice',
        mappings,
        settings,
        records: page,
      });
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([run(testDb.db), run(other)]);
      const created = [...a, ...b].filter((o) => o.status === 'created').length;
      expect(created).toBe(round === 0 ? 100 : 0);
      expect([...a, ...b].filter((o) => o.status !== 'created' && o.status !== 'unchanged')).toEqual([]);
    }
    const n = await testDb.db.pool.query<{ n: string }>(
      'select count(*) as n from invoices where tenant_id = $1',
      [ids.tenantId],
    );
    expect(n.rows[0]!.n).toBe('100');
  });
});
