// eMAG sandbox throughput and memory: a 100 000-order sandbox (orders generated lazily) paged
// through `order/read` over real HTTP, and its heap cost against an empty sandbox. The machines
// are shared, so throughput is judged against a 1 000-order sandbox paged in the same run:
// lazy generation should make a page cost the same whatever the sandbox's size.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { emagCaller, type EmagCaller } from '../plugins/emag/sandbox/client.ts';
import { startSandbox } from '../plugins/emag/sandbox/index.ts';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import type { Bench, BenchRow } from './types.ts';

const ORDERS = 100_000;
const SMALL = 1_000;
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

const callerFor = (sb: RunningSandbox) =>
  emagCaller({ url: sb.url, ...(sb.credentials as { username: string; password: string }) });

/** Reads pages 1, 2, … (wrapping) for at most `maxPages` pages or `maxMs`; returns pages/s and orders/s. */
async function pageThrough(c: EmagCaller, total: number, maxPages: number, maxMs: number) {
  const lastPage = Math.ceil(total / PAGE);
  let pages = 0;
  let orders = 0;
  const started = performance.now();
  while (pages < maxPages && performance.now() - started < maxMs) {
    const res = await c.call('order/read', { currentPage: (pages % lastPage) + 1, itemsPerPage: PAGE });
    if (res.body.isError !== false) throw new Error(`order/read failed: ${res.text.slice(0, 200)}`);
    orders += (res.body.results as unknown[]).length;
    pages++;
  }
  const seconds = (performance.now() - started) / 1000;
  return { pages, pagesPerSecond: pages / seconds, ordersPerSecond: orders / seconds };
}

export default (async ({ quick }) => {
  const gc = collector();
  const maxPages = quick ? 20 : 1000;
  const maxMs = quick ? 2_000 : 15_000;

  // A throw-away sandbox first, so one-time costs (compiled code, lazy module state) are not
  // billed to the empty sandbox that serves as the memory baseline.
  await (await startSandbox({ orders: 0, seed: 'warm-up', rateLimit: false })).close();
  gc();
  const before = heapMb();
  const empty = await startSandbox({ orders: 0, seed: 'bench', rateLimit: false });
  gc();
  const emptyCost = heapMb() - before;

  const beforeBig = heapMb();
  const big = await startSandbox({ orders: ORDERS, seed: 'bench', rateLimit: false });
  const small = await startSandbox({ orders: SMALL, seed: 'bench', rateLimit: false });
  try {
    const accounts = (await (await fetch(`${big.controlUrl}/accounts`)).json()) as {
      platform: string;
      username: string;
      password: string;
    }[];
    // Touch every account so all header arrays exist (the worst case for memory).
    for (const a of accounts) {
      await emagCaller({ url: big.url, ...a }).call('order/count', {});
    }
    const bigCaller = callerFor(big);
    const total = Number(
      ((await bigCaller.call('order/count', {})).body.results as { noOfItems: string }).noOfItems,
    );

    // small, big, small: the baseline brackets the measurement to even out load changes.
    const s1 = await pageThrough(callerFor(small), SMALL, maxPages / 2, maxMs / 2);
    const b = await pageThrough(bigCaller, total, maxPages, maxMs);
    const s2 = await pageThrough(callerFor(small), SMALL, maxPages / 2, maxMs / 2);
    const baseline = (s1.pagesPerSecond + s2.pagesPerSecond) / 2;

    gc();
    const delta = heapMb() - beforeBig - emptyCost;
    const ratio = b.pagesPerSecond / baseline;
    const note = `${b.pages} pages of ${PAGE} from ${total} orders (ro-main); 10 accounts × ${ORDERS}; baseline: ${SMALL}-order sandbox`;
    const rows: BenchRow[] = [
      {
        bench: 'sandbox:emag',
        metric: 'order/read pages/s (100 per page), 100k-order sandbox',
        value: b.pagesPerSecond,
        unit: 'pages/s',
        baseline,
        ratio,
        target: 'ratio >= 0.7',
        pass: ratio >= 0.7,
        note,
      },
      {
        bench: 'sandbox:emag',
        metric: 'order/read orders/s, 100k-order sandbox',
        value: b.ordersPerSecond,
        unit: 'orders/s',
        note,
      },
      {
        bench: 'sandbox:emag',
        metric: `memory of a ${ORDERS}-order sandbox beyond an empty one`,
        value: delta,
        unit: 'MB',
        baseline: emptyCost,
        target: '<= 64 MB',
        pass: delta <= 64,
        note: 'heap + ArrayBuffers after paging, all 10 accounts touched; baseline: the empty sandbox itself',
      },
    ];
    return rows;
  } finally {
    await small.close();
    await big.close();
    await empty.close();
  }
}) satisfies Bench;
