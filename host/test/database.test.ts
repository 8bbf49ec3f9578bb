import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tenant } from '../src/db/entities/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';

describe('database', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());

  it('applies the committed migrations and round-trips an entity', async () => {
    const em = t.db.orm.em.fork();
    const tenant = em.create(Tenant, { slug: 'acme', name: 'Acme' });
    await em.flush();
    const again = await t.db.orm.em.fork().findOneOrFail(Tenant, { id: tenant.id });
    expect(again.slug).toBe('acme');
    expect(await t.db.orm.migrator.getPending()).toEqual([]);
  });

  it('keeps money exact: numeric columns come back as decimal strings', async () => {
    const { rows } = await t.db.pool.query<{ v: string; n: string }>(
      "select '12345678901234.56'::numeric(16,2) as v, 9007199254740993::int8 as n",
    );
    expect(rows[0]).toEqual({ v: '12345678901234.56', n: '9007199254740993' });
  });

  it('never lets a query land inside another caller’s transaction', async () => {
    await t.db.pool.query('create table if not exists tx_probe (v int)');
    const client = await t.db.pool.connect();
    await client.query('begin');
    await client.query('insert into tx_probe values (1)');
    // Issued while the transaction is open: it must wait, then see the rolled-back state.
    const outside = t.db.pool.query<{ n: string }>('select count(*) as n from tx_probe');
    await new Promise((r) => setTimeout(r, 50));
    await client.query('rollback');
    client.release();
    expect((await outside).rows[0]!.n).toBe('0');
  });

  it('serializes concurrent ORM transactions without interleaving', async () => {
    await t.db.pool.query('create table if not exists counter (id int primary key, v int)');
    await t.db.pool.query('insert into counter values (1, 0) on conflict do nothing');
    await Promise.all(
      Array.from({ length: 10 }, () =>
        t.db.orm.em.fork().transactional(async (em) => {
          const [row] = await em
            .getConnection()
            .execute<{ v: number }[]>(
              'select v from counter where id = 1 for update',
              [],
              'all',
              em.getTransactionContext(),
            );
          await em
            .getConnection()
            .execute(
              'update counter set v = ? where id = 1',
              [row!.v + 1],
              'run',
              em.getTransactionContext(),
            );
        }),
      ),
    );
    const { rows } = await t.db.pool.query<{ v: number }>('select v from counter where id = 1');
    expect(rows[0]!.v).toBe(10);
  });
});
