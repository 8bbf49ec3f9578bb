import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefusedError, RetryableError } from '@mch/plugin-sdk';
import { seedTenant } from '../src/records/test-fixtures.ts';
import { createPluginOutbound } from '../src/sync/context/outbound.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.ts';

/** `ctx.outbound.once` on the real database: one effect per (integration, kind, key). */
let testDb: TestDatabase;
let ids: Awaited<ReturnType<typeof seedTenant>>;
const outbound = (staleAfterMs = 60_000) =>
  createPluginOutbound({
    pool: testDb.db.pool,
    tenantId: ids.tenantId,
    integrationId: ids.integrationId,
    staleAfterMs,
  });
const row = async (key: string, kind = 'upload') =>
  (
    await testDb.db.pool.query<{
      status: string;
      attempts: number;
      last_error: string | null;
      response: unknown;
    }>(
      `select status, attempts, last_error, response from outbound_operations where integration_id = $1 and idempotency_key = $2 and kind = $3`,
      [ids.integrationId, key, kind],
    )
  ).rows[0];

beforeAll(async () => {
  testDb = await createTestDatabase();
  ids = await seedTenant(testDb.db.pool);
});
afterAll(() => testDb?.close());

describe('outbound.once', () => {
  it('runs once, records the response, and answers later calls from the record', async () => {
    let calls = 0;
    const first = await outbound().once({ kind: 'upload', key: 'A', payload: { n: 1 } }, async () => ({
      id: ++calls,
    }));
    expect(first).toEqual({ status: 'done', result: { id: 1 }, attempts: 1 });
    const again = await outbound().once({ kind: 'upload', key: 'A' }, async () => ({ id: ++calls }));
    expect(again).toEqual({ status: 'already-done', result: { id: 1 }, attempts: 1 });
    expect(calls).toBe(1);
    expect(await row('A')).toMatchObject({ status: 'succeeded', attempts: 1, response: { id: 1 } });
  });

  it('records a refusal for good as dead with its reason and never runs it again', async () => {
    await expect(
      outbound().once({ kind: 'upload', key: 'R' }, async () => {
        throw new RefusedError('the buyer did not ask for an invoice');
      }),
    ).rejects.toThrow(/did not ask/);
    expect(await row('R')).toMatchObject({
      status: 'dead',
      attempts: 1,
      last_error: 'the buyer did not ask for an invoice',
    });
    let ran = false;
    await expect(
      outbound().once({ kind: 'upload', key: 'R' }, async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(RefusedError);
    expect(ran).toBe(false);
    expect(await row('R')).toMatchObject({ status: 'dead', attempts: 1 });
  });

  it('records a failure with its error and claims the operation again on the next try', async () => {
    await expect(
      outbound().once({ kind: 'upload', key: 'B' }, async () => {
        throw new Error('HTTP 503 from the marketplace');
      }),
    ).rejects.toThrow(/503/);
    expect(await row('B')).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'HTTP 503 from the marketplace',
    });
    const retry = await outbound().once({ kind: 'upload', key: 'B' }, async () => 'ok');
    expect(retry).toEqual({ status: 'done', result: 'ok', attempts: 2 });
    expect(await row('B')).toMatchObject({ status: 'succeeded', attempts: 2, last_error: null });
  });

  it('lets one of several concurrent callers run; the others are told to retry or see it done', async () => {
    let running = 0;
    let calls = 0;
    const attempt = () =>
      outbound()
        .once({ kind: 'upload', key: 'C' }, async () => {
          running++;
          calls++;
          await new Promise((r) => setTimeout(r, 50));
          running--;
          return 'uploaded';
        })
        .then(
          (outcome) => outcome.status,
          (error: unknown) => (error instanceof RetryableError ? 'retry' : String(error)),
        );
    const outcomes = await Promise.all(Array.from({ length: 6 }, attempt));
    expect(calls).toBe(1);
    expect(running).toBe(0);
    expect(outcomes.filter((o) => o === 'done')).toHaveLength(1);
    expect(outcomes.every((o) => o === 'done' || o === 'retry' || o === 'already-done')).toBe(true);
    expect(await row('C')).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('takes over a claim whose process died once it is stale, not before', async () => {
    // A claim left running by a crashed process.
    const crashed = outbound().once({ kind: 'upload', key: 'D' }, () => new Promise<never>(() => undefined));
    void crashed;
    await new Promise((r) => setTimeout(r, 20));
    await expect(outbound(60_000).once({ kind: 'upload', key: 'D' }, async () => 'x')).rejects.toBeInstanceOf(
      RetryableError,
    );
    await new Promise((r) => setTimeout(r, 150));
    const taken = await outbound(100).once({ kind: 'upload', key: 'D' }, async () => 'taken over');
    expect(taken).toEqual({ status: 'done', result: 'taken over', attempts: 2 });
  });

  it('keeps kinds and integrations apart', async () => {
    const other = await seedTenant(testDb.db.pool);
    const elsewhere = createPluginOutbound({
      pool: testDb.db.pool,
      tenantId: other.tenantId,
      integrationId: other.integrationId,
      staleAfterMs: 60_000,
    });
    expect((await elsewhere.once({ kind: 'upload', key: 'A' }, async () => 'theirs')).status).toBe('done');
    expect((await outbound().once({ kind: 'cancel', key: 'A' }, async () => 'cancel')).status).toBe('done');
    expect(await row('A')).toMatchObject({ response: { id: 1 } });
    expect(await row('A', 'cancel')).toMatchObject({ response: 'cancel' });
  });
});

describe('outbound.batch', () => {
  const ops = (...keys: string[]) => keys.map((key) => ({ kind: 'attach', key, payload: { key } }));

  it('claims the new operations in one go, runs once for them and answers the done ones from the record', async () => {
    const seen: string[][] = [];
    const first = await outbound().batch(ops('1', '2', '3'), async (claimed) => {
      seen.push(claimed.map((c) => c.key));
      return { saved: claimed.length };
    });
    expect(first.map((o) => [o.key, o.status])).toEqual([
      ['1', 'done'],
      ['2', 'done'],
      ['3', 'done'],
    ]);
    const second = await outbound().batch(ops('3', '4', '1'), async (claimed) => {
      seen.push(claimed.map((c) => c.key));
      return { saved: claimed.length };
    });
    expect(second).toEqual([
      { key: '3', status: 'already-done', result: { saved: 3 }, attempts: 1 },
      { key: '4', status: 'done', result: { saved: 1 }, attempts: 1 },
      { key: '1', status: 'already-done', result: { saved: 3 }, attempts: 1 },
    ]);
    expect(seen).toEqual([['1', '2', '3'], ['4']]);
    expect(await row('2', 'attach')).toMatchObject({ status: 'succeeded', response: { saved: 3 } });
    let called = false;
    await outbound().batch(ops('1', '2'), async () => (called = true));
    expect(called).toBe(false);
  });

  it('records a failed call on every claimed operation and claims them again next time', async () => {
    const failed = await outbound().batch(ops('5', '6'), async () => {
      throw new Error('eMAG: HTTP 502');
    });
    expect(failed.map((o) => o.status)).toEqual(['failed', 'failed']);
    expect(failed[0]).toMatchObject({ attempts: 1, error: new Error('eMAG: HTTP 502') });
    expect(await row('6', 'attach')).toMatchObject({ status: 'failed', last_error: 'eMAG: HTTP 502' });
    const retried = await outbound().batch(ops('5', '6'), async (claimed) => claimed.length);
    expect(retried).toEqual([
      { key: '5', status: 'done', result: 2, attempts: 2 },
      { key: '6', status: 'done', result: 2, attempts: 2 },
    ]);
  });

  it('leaves an operation another worker holds as busy and does the rest', async () => {
    void outbound().once({ kind: 'attach', key: '7' }, () => new Promise<never>(() => undefined));
    await new Promise((r) => setTimeout(r, 20));
    const outcomes = await outbound().batch(ops('7', '8'), async (claimed) => claimed.map((c) => c.key));
    expect(outcomes).toEqual([
      { key: '7', status: 'busy' },
      { key: '8', status: 'done', result: ['8'], attempts: 1 },
    ]);
  });

  it('refuses repeated keys and mixed kinds before claiming anything', async () => {
    await expect(outbound().batch(ops('9', '9'), async () => 1)).rejects.toThrow(/distinct/);
    await expect(
      outbound().batch([...ops('9'), { kind: 'other', key: '10' }], async () => 1),
    ).rejects.toThrow(/one kind/);
    expect(await row('9', 'attach')).toBeUndefined();
    expect(await outbound().batch([], async () => 1)).toEqual([]);
    // An operation without a payload is recorded with a JSON null one.
    expect(await outbound().batch([{ kind: 'attach', key: '11' }], async () => 1)).toEqual([
      { key: '11', status: 'done', result: 1, attempts: 1 },
    ]);
  });
});
