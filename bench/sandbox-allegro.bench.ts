// Allegro sandbox throughput and memory: a 100 000-order sandbox (orders generated lazily from
// seed + index) paged through `GET /order/checkout-forms?limit=100` over real HTTP, and what it
// costs in memory beyond an empty sandbox. The machines are shared and noisy, so throughput is
// also judged against a 1 000-order sandbox paged in the same run: with lazy generation a page
// should cost the same whatever the sandbox's size.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../plugins/allegro/sandbox/index.ts';
import { apiHeaders, obtainTokens } from '../plugins/allegro/sandbox/testing/consent.ts';
import type { Bench, BenchRow } from './types.ts';

const ORDERS = 100_000;
const SMALL = 1_000;
const PAGE = 100;

/** A forced GC makes memory deltas meaningful; falls back to none when V8 refuses. */
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

const mb = (n: number) => n / 1024 / 1024;
/** JS heap plus ArrayBuffers (the filter columns live outside the JS heap). */
const heapMb = () => {
  const m = process.memoryUsage();
  return mb(m.heapUsed + m.arrayBuffers);
};
const rssMb = () => mb(process.memoryUsage().rss);

async function client(sb: RunningSandbox) {
  const headers = apiHeaders((await obtainTokens({ sandbox: sb })).access_token);
  return async (query: string): Promise<{ checkoutForms: unknown[]; totalCount: number }> => {
    const res = await fetch(`${sb.url}/order/checkout-forms?${query}`, { headers });
    if (res.status !== 200)
      throw new Error(`checkout-forms answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as { checkoutForms: unknown[]; totalCount: number };
  };
}

type Get = Awaited<ReturnType<typeof client>>;

interface Tally {
  pages: number;
  orders: number;
  ms: number;
}

/** Allegro pages no deeper than offset + limit = 10 000 (reference/README.md "Orders", Correction). */
const MAX_RESULT_WINDOW = 10_000;

/**
 * Reads `count` pages, striding through the deepest range Allegro allows, from both ends (newest
 * first, then oldest first), so old and new orders are both served.
 */
async function block(get: Get, total: number, from: number, count: number, tally: Tally): Promise<void> {
  const lastPage = Math.ceil(Math.min(total, MAX_RESULT_WINDOW) / PAGE);
  const started = performance.now();
  for (let k = 0; k < count; k++) {
    const page = ((from + k) * 37) % lastPage;
    const sort = (from + k) % 2 === 0 ? '-lineItems.boughtAt' : 'lineItems.boughtAt';
    tally.orders += (await get(`limit=${PAGE}&offset=${page * PAGE}&sort=${sort}`)).checkoutForms.length;
    tally.pages++;
  }
  tally.ms += performance.now() - started;
}

/**
 * Alternates blocks of pages from the big and the small sandbox until `maxPages` (big) or
 * `maxMs`, so load changes on the shared machine hit both equally.
 */
async function interleaved(
  big: { get: Get; total: number },
  small: { get: Get; total: number },
  maxPages: number,
  maxMs: number,
) {
  const b: Tally = { pages: 0, orders: 0, ms: 0 };
  const s: Tally = { pages: 0, orders: 0, ms: 0 };
  const started = performance.now();
  const size = Math.max(5, Math.floor(maxPages / 20));
  while (b.pages < maxPages && performance.now() - started < maxMs) {
    await block(small.get, small.total, s.pages, size, s);
    await block(big.get, big.total, b.pages, size, b);
  }
  const rate = (t: Tally) => ({
    pages: t.pages,
    pagesPerSecond: t.pages / (t.ms / 1000),
    ordersPerSecond: t.orders / (t.ms / 1000),
  });
  return { big: rate(b), small: rate(s) };
}

export default (async ({ quick }) => {
  const gc = collector();
  const maxPages = quick ? 20 : 1000;
  const maxMs = quick ? 3_000 : 30_000;

  // A throw-away sandbox first, so one-time costs (compiled code, module state) are not billed
  // to the empty sandbox that serves as the memory baseline.
  await (await startSandbox({ orders: 0, seed: 'warm-up', rateLimit: false })).close();
  gc();
  const before = { heap: heapMb(), rss: rssMb() };
  const empty = await startSandbox({ orders: 0, seed: 'bench', rateLimit: false });
  gc();
  const emptyCost = { heap: heapMb() - before.heap, rss: rssMb() - before.rss };

  const beforeBig = { heap: heapMb(), rss: rssMb() };
  const big = await startSandbox({ orders: ORDERS, seed: 'bench', rateLimit: false });
  gc();
  const generated = {
    heap: heapMb() - beforeBig.heap - emptyCost.heap,
    rss: rssMb() - beforeBig.rss - emptyCost.rss,
  };
  const small = await startSandbox({ orders: SMALL, seed: 'bench', rateLimit: false });
  try {
    const bigGet = await client(big);
    const smallGet = await client(small);
    const total = (await bigGet('limit=1')).totalCount;
    if (total !== ORDERS) throw new Error(`expected ${ORDERS} orders, the sandbox has ${total}`);

    // Warm both paths (JIT, HTTP pools) before measuring.
    await block(smallGet, SMALL, 0, 10, { pages: 0, orders: 0, ms: 0 });
    await block(bigGet, total, 0, 10, { pages: 0, orders: 0, ms: 0 });
    const measured = interleaved({ get: bigGet, total }, { get: smallGet, total: SMALL }, maxPages, maxMs);
    const { big: b, small: s } = await measured;
    const baseline = s.pagesPerSecond;

    // A filtered sweep (the plugin's missed-event poll) scans the compact columns once built.
    const sweepStarted = performance.now();
    const since = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
    const sweeps = quick ? 3 : 20;
    for (let i = 0; i < sweeps; i++)
      await bigGet(`limit=${PAGE}&updatedAt.gte=${encodeURIComponent(since)}&offset=${i * PAGE}`);
    const sweepMs = (performance.now() - sweepStarted) / sweeps;

    gc();
    const heapDelta = heapMb() - beforeBig.heap - emptyCost.heap;
    const rssDelta = rssMb() - beforeBig.rss - emptyCost.rss;
    const ratio = b.pagesPerSecond / baseline;
    const note = `${b.pages} pages of ${PAGE} from ${total} orders (account 0 of 3); baseline: ${SMALL}-order sandbox`;
    const rows: BenchRow[] = [
      {
        bench: 'sandbox:allegro',
        metric: 'checkout-forms pages/s (100 per page), 100k-order sandbox',
        value: b.pagesPerSecond,
        unit: 'pages/s',
        baseline,
        ratio,
        target: 'ratio >= 0.7',
        pass: ratio >= 0.7,
        note,
      },
      {
        bench: 'sandbox:allegro',
        metric: 'checkout-forms orders/s, 100k-order sandbox',
        value: b.ordersPerSecond,
        unit: 'orders/s',
        note,
      },
      {
        bench: 'sandbox:allegro',
        metric: 'checkout-forms filtered page (updatedAt.gte), 100k orders',
        value: sweepMs,
        unit: 'ms/page',
        note: `${sweeps} pages; first one builds the filter columns (≈10 bytes per order)`,
      },
      {
        bench: 'sandbox:allegro',
        metric: `heap right after starting a ${ORDERS}-order sandbox, beyond an empty one`,
        value: generated.heap,
        unit: 'MB',
        baseline: emptyCost.heap,
        target: '<= 16 MB',
        pass: generated.heap <= 16,
        note: `RSS delta ${generated.rss.toFixed(1)} MB; orders are generated on demand, so starting costs almost nothing`,
      },
      {
        bench: 'sandbox:allegro',
        metric: `heap of a ${ORDERS}-order sandbox beyond an empty one, after paging`,
        value: heapDelta,
        unit: 'MB',
        baseline: emptyCost.heap,
        target: '<= 64 MB',
        pass: heapDelta <= 64,
        note: 'heap + ArrayBuffers after paging and a filtered sweep, with a 1 000-order sandbox also open; baseline: the empty sandbox itself',
      },
      {
        bench: 'sandbox:allegro',
        metric: `RSS of a ${ORDERS}-order sandbox beyond an empty one, after paging`,
        value: rssDelta,
        unit: 'MB',
        baseline: emptyCost.rss,
        note: 'process RSS: mostly V8 heap growth kept after the allocation churn of paging (the live heap is the row above) and the in-process HTTP client; baseline: the empty sandbox itself',
      },
    ];
    return rows;
  } finally {
    await small.close();
    await big.close();
    await empty.close();
  }
}) satisfies Bench;
