/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- these tests read untyped JSON off the wire */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller, type EmagCaller } from '../sandbox/client.ts';

// rma/read, rma/count, rma/save (API doc "Processing return requests").
let sb: RunningSandbox;
let ro: EmagCaller;
type Rma = Record<string, any>;

beforeAll(async () => {
  sb = await startSandbox({ orders: 4000, seed: 'rma', rateLimit: false });
  ro = emagCaller({ url: sb.url, ...(sb.credentials as { username: string; password: string }) });
});
afterAll(() => sb.close());
beforeEach(async () => {
  await fetch(`${sb.controlUrl}/reset`, { method: 'POST' });
});

const withStatus = async (request_status: number) =>
  ((await ro.call('rma/read', { request_status })).body.results as Rma[])[0]!;
const statusOf = async (emag_id: number) =>
  ((await ro.call('rma/read', { emag_id })).body.results as Rma[])[0]!.request_status;
const rmaEffects = async () =>
  (((await (await fetch(`${sb.controlUrl}/state`)).json()) as Record<string, any>).effects as Rma[]).filter(
    (e) => e.kind === 'rma.status_changed',
  );

describe('rma/read and rma/count', () => {
  it('returns requests on the account orders, filterable and counted', async () => {
    const count = (await ro.call('rma/count', {})).body.results as Record<string, string>;
    expect(Number(count.noOfItems)).toBe(100);
    const all = (await ro.call('rma/read', { itemsPerPage: 100 })).body.results as Rma[];
    expect(all).toHaveLength(100);
    const first = all[0]!;
    expect(first).toMatchObject({ type: 3, awbs: [] });
    expect(first.products[0]).toHaveProperty('product_id');
    const order = (await ro.call('order/read', { id: first.order_id })).body.results as Rma[];
    expect(order[0]!.customer.name).toBe(first.customer_name);
    const statuses = new Set(all.map((r) => r.request_status));
    expect(statuses.size).toBeGreaterThan(3);
    const news = (await ro.call('rma/read', { request_status: 2 })).body.results as Rma[];
    expect(news.length).toBeGreaterThan(0);
    expect(news.every((r) => r.request_status === 2)).toBe(true);
    const byOrder = (await ro.call('rma/read', { order_id: first.order_id })).body.results as Rma[];
    expect(byOrder.map((r) => r.emag_id)).toContain(first.emag_id);
    const dated = (await ro.call('rma/read', { date_start: first.date, date_end: first.date })).body
      .results as Rma[];
    expect(dated.map((r) => r.emag_id)).toContain(first.emag_id);
  });
});

describe('rma/save transitions', () => {
  it('follows 2→3, 3→6, 6→7 and records each change once', async () => {
    const rma = await withStatus(2);
    for (const to of [3, 6, 7]) {
      const res = await ro.call('rma/save', [{ emag_id: rma.emag_id, type: rma.type, request_status: to }]);
      expect(res.body).toEqual({ isError: false, messages: [], results: [] });
      expect(await statusOf(rma.emag_id)).toBe(to);
    }
    expect((await rmaEffects()).map((e) => e.data)).toEqual([
      { from: 2, to: 3 },
      { from: 3, to: 6 },
      { from: 6, to: 7 },
    ]);
  });

  it('allows 2→5, 3→5 and 6→4 and refuses every other move', async () => {
    const allowed: [number, number][] = [
      [2, 5],
      [3, 5],
      [6, 4],
    ];
    for (const [from, to] of allowed) {
      const rma = await withStatus(from);
      expect(
        (await ro.call('rma/save', [{ emag_id: rma.emag_id, type: rma.type, request_status: to }])).body
          .isError,
      ).toBe(false);
      await fetch(`${sb.controlUrl}/reset`, { method: 'POST' });
    }
    const refused: [number, number][] = [
      [2, 6],
      [2, 7],
      [3, 2],
      [3, 7],
      [6, 3],
      [7, 2],
      [4, 7],
      [5, 2],
    ];
    for (const [from, to] of refused) {
      const rma = await withStatus(from);
      const res = await ro.call('rma/save', [{ emag_id: rma.emag_id, type: rma.type, request_status: to }]);
      expect(res.status).toBe(200);
      expect(res.body.isError, `${from}→${to}`).toBe(true);
      expect(await statusOf(rma.emag_id)).toBe(from);
    }
    expect(await rmaEffects()).toHaveLength(0);
  });

  it("requires type (since 4.4.8) and the status, and refuses a type that is not the return's", async () => {
    const rma = await withStatus(2);
    const untyped = await ro.call('rma/save', [{ emag_id: rma.emag_id, request_status: 3 }]);
    expect(untyped.status).toBe(200);
    expect(untyped.body).toMatchObject({
      isError: true,
      messages: [expect.stringMatching(/type is mandatory/)],
    });
    const wrong = await ro.call('rma/save', [{ emag_id: rma.emag_id, type: 2, request_status: 3 }]);
    expect(wrong.body.messages?.[0]).toMatch(/does not match/);
    const noStatus = await ro.call('rma/save', [{ emag_id: rma.emag_id, type: rma.type }]);
    expect(noStatus.body.messages?.[0]).toMatch(/request_status/);
    expect(await statusOf(rma.emag_id)).toBe(2);
    expect(await rmaEffects()).toHaveLength(0);
  });

  it('refuses unknown return requests', async () => {
    expect((await ro.call('rma/save', [{ emag_id: 1, request_status: 3 }])).body.isError).toBe(true);
  });
});
