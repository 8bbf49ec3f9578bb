// eMAG sandbox throughput and memory: a 100 000-order sandbox (orders generated lazily) paged
// through `order/read` over real HTTP, and its heap cost against an empty sandbox.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { emagCaller } from '../plugins/emag/sandbox/client.ts';
import { startSandbox } from '../plugins/emag/sandbox/index.ts';
import type { Bench, BenchRow } from './types.ts';

const ORDERS = 100_000;
const PAGE = 100;

/** A forced GC makes heap deltas meaningful; falls back to none when V8 refuses. */
function collector(): () => void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    return () => {
      gc();
      gc();
    };
  } catch {
    return () => {};
  }
}

/** JS heap plus ArrayBuffers (the header arrays live outside the JS heap). */
const heapMb = () => {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1024 / 1024;
};

export default (async ({ quick }) => {
  const gc = collector();
  const maxPages = quick ? 20 : 1000;
  const maxMs = quick ? 3_000 : 20_000;

  // A throw-away sandbox first, so one-time costs (compiled code, lazy module state) are not
  // billed to the empty sandbox that serves as the baseline.
  await (await startSandbox({ orders: 0, seed: 'warm-up', rateLimit: false })).close();
  gc();
  const before = heapMb();
  const empty = await startSandbox({ orders: 0, seed: 'bench', rateLimit: false });
  gc();
  const emptyCost = heapMb() - before;

  const beforeBig = heapMb();
  const big = await startSandbox({ orders: ORDERS, seed: 'bench', rateLimit: false });
  try {
    const accounts = (await (await fetch(`${big.controlUrl}/accounts`)).json()) as {
      platform: string;
      username: string;
      password: string;
    }[];
    // Touch every account so all header arrays exist (the worst case for memory).
    for (const a of accounts) {
      const c = emagCaller({
        url: big.url,
        platform: a.platform,
        username: a.username,
        password: a.password,
      });
      await c.call('order/count', {});
    }
    const ro = emagCaller({ url: big.url, ...(big.credentials as { username: string; password: string }) });
    const total = Number(
      ((await ro.call('order/count', {})).body.results as { noOfItems: string }).noOfItems,
    );

    let pages = 0;
    let orders = 0;
    const started = performance.now();
    while (pages < maxPages && performance.now() - started < maxMs) {
      const page = (pages % Math.ceil(total / PAGE)) + 1;
      const res = await ro.call('order/read', { currentPage: page, itemsPerPage: PAGE });
      if (res.body.isError !== false) throw new Error(`order/read failed: ${res.text.slice(0, 200)}`);
      orders += (res.body.results as unknown[]).length;
      pages++;
    }
    const seconds = (performance.now() - started) / 1000;
    gc();
    const loadedCost = heapMb() - beforeBig;
    const pagesPerSecond = pages / seconds;
    const ordersPerSecond = orders / seconds;
    const delta = loadedCost - emptyCost;
    const note = `${pages} pages of ${PAGE}, ${total} type-3 orders on ro-main, 10 accounts × ${ORDERS} orders`;
    const rows: BenchRow[] = [
      {
        bench: 'sandbox:emag',
        metric: 'order/read pages/s (100 per page)',
        value: pagesPerSecond,
        unit: 'pages/s',
        target: '>= 50 pages/s',
        pass: pagesPerSecond >= 50,
        note,
      },
      {
        bench: 'sandbox:emag',
        metric: 'order/read orders/s',
        value: ordersPerSecond,
        unit: 'orders/s',
        note,
      },
      {
        bench: 'sandbox:emag',
        metric: `heap of a ${ORDERS}-order sandbox vs empty`,
        value: delta,
        unit: 'MB',
        baseline: emptyCost,
        ratio: loadedCost / Math.max(emptyCost, 0.001),
        target: '<= 64 MB delta',
        pass: delta <= 64,
        note: `lazy generation: header arrays (4 B/order/account) + overlay; loaded ${loadedCost.toFixed(1)} MB, empty ${emptyCost.toFixed(1)} MB (baseline)`,
      },
    ];
    return rows;
  } finally {
    await big.close();
    await empty.close();
  }
}) satisfies Bench;
