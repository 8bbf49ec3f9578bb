import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlPool } from '../db/orm.ts';

export interface RateRule {
  /** Bucket key: plugin, group and scope (account or OAuth client), e.g. `emag:orders:acct-1`. */
  key: string;
  limit: number;
  perSeconds: number;
  /** How long the marketplace blocks after a breach (manifest `blockSeconds`): the pause when a 429 names none. */
  blockMs?: number;
  /** Further windows the same requests count against, all at once (manifest `windows`). */
  windows?: { limit: number; perSeconds: number }[];
  /**
   * `sliding` (manifest `spacing`): requests go at once while no window holds `limit` of them, for
   * APIs counting in sliding windows that allow bursts (KSeF). Default: evenly spaced.
   */
  spacing?: 'even' | 'sliding';
  /** Headers in which the API reports what is left of its budget (manifest `fromHeaders`). */
  fromHeaders?: {
    remaining?: string;
    reset?: string;
    bucket?: string;
    leakPerSecond?: number;
    keep: number;
  };
}

/** Every window of a rule: its own and the further ones. */
const windowsOf = (rule: RateRule) => [
  { limit: rule.limit, perSeconds: rule.perSeconds },
  ...(rule.windows ?? []),
];

/** The row holding a bucket's block (a 429's pause): its `tat` is when the block ends. */
const blockKey = (key: string) => `${key}#blocked`;

/**
 * A rate limiter shared by every job and every host process: GCRA (generic cell rate algorithm)
 * with no burst, its state — the theoretical arrival time — in PostgreSQL. Each request reserves
 * the next slot atomically and sleeps until it, so requests leave evenly spaced at
 * `perSeconds / limit` and no window of `perSeconds` ever holds more than `limit` of them, whether
 * the marketplace counts in fixed or sliding windows. A margin absorbs jitter between reserving a
 * slot and the request reaching the marketplace (the event loop, the connection pool, the network,
 * the marketplace's own clock): `limit` slots span the window plus `marginMs`, so a request that
 * arrives up to that much late — or early against its neighbours — still leaves every window
 * within the limit. The margin is absolute, not a percentage: 4 % of eMAG's one-second window
 * (12 req/s, API doc 1.4) was 40 ms, and one 40 ms stall on a busy machine sent a 13th request
 * into a window (seen in CI as a sandbox breach); 100 ms costs eMAG 10 % of its pace and
 * Allegro's minute-long window (9 000 req/min) nothing beyond the 1 % floor.
 *
 * A rule with `spacing: 'sliding'` (APIs counting in sliding windows that allow bursts, e.g. KSeF's
 * 10 a second, 30 a minute and 120 an hour at once) keeps instead a log of its last send times and
 * lets a request go as soon as every window, stretched by the same margin, has room: a KSeF
 * sign-in of five requests takes their round trips, not ten seconds of even spacing.
 */
/** Under a lasting stall, send after this many fresh slots rather than wait forever. */
const MAX_RESLOTS = 5;

export class RateLimiter {
  readonly #pool: SqlPool;
  readonly #safety: number;
  readonly #marginSeconds: number;
  /**
   * Later than this after its slot, a request takes a new one: half the margin, so a request sent
   * that late still leaves the other half for the network and the marketplace's clock (the margin
   * keeps any window within the limit as long as lateness and jitter together stay under it). A
   * fixed 25 ms re-slotted a request after a mere busy moment on a 2-core machine, each costing a
   * whole slot (367 ms at eMAG's 3 req/s, seen in the offers benchmark).
   */
  readonly #lateMs: number;

  /**
   * `safety`: the least stretch of every window (default 1 %); `marginMs`: the jitter a window
   * absorbs in absolute time (default 100 ms). The larger of the two sets the spacing.
   */
  constructor(options: { pool: SqlPool; safety?: number; marginMs?: number }) {
    this.#pool = options.pool;
    this.#safety = options.safety ?? 1.01;
    this.#marginSeconds = (options.marginMs ?? 100) / 1000;
    this.#lateMs = (options.marginMs ?? 100) / 2;
  }

  /** Evenly spaced: the pace of the tightest window, each stretched by the margin. */
  intervalSeconds(rule: RateRule): number {
    return Math.max(
      ...windowsOf(rule).map(
        (w) => Math.max(w.perSeconds * this.#safety, w.perSeconds + this.#marginSeconds) / w.limit,
      ),
    );
  }

  /**
   * Sliding windows: the earliest moment no window would hold more than its limit, reserved in the
   * bucket's log (migration 20261205100000). Each window is stretched like the even spacing's (the
   * margin or the safety share, the larger), so a request sent a little late still stays inside.
   */
  async #reserveSliding(rule: RateRule): Promise<{ waitMs: number; blockedMs: number }> {
    const windows = windowsOf(rule);
    const { rows } = await this.#pool.query<{ wait_ms: number | string; blocked_ms: number | string | null }>(
      `select rate_window_reserve($1, $2::int[], $3::float8[], 0) as wait_ms,
              (select greatest(0, extract(epoch from (b.tat - clock_timestamp())) * 1000)::float8
                 from rate_limit_buckets b where b.key = $4) as blocked_ms`,
      [
        rule.key,
        windows.map((w) => w.limit),
        windows.map((w) => Math.max(w.perSeconds * this.#safety, w.perSeconds + this.#marginSeconds)),
        blockKey(rule.key),
      ],
    );
    return { waitMs: Number(rows[0]?.wait_ms ?? 0), blockedMs: Number(rows[0]?.blocked_ms ?? 0) };
  }

  async #reserveEven(rule: RateRule): Promise<{ waitMs: number; blockedMs: number }> {
    const { rows } = await this.#pool.query<{
      wait_ms: number | string;
      blocked_ms: number | string | null;
    }>(
      `insert into rate_limit_buckets (key, tat) values ($1, clock_timestamp() + make_interval(secs => $2))
         on conflict (key) do update
           set tat = greatest(rate_limit_buckets.tat, clock_timestamp()) + make_interval(secs => $2)
         returning greatest(0, extract(epoch from (tat - make_interval(secs => $2) - clock_timestamp())) * 1000)::float8 as wait_ms,
                   (select greatest(0, extract(epoch from (b.tat - clock_timestamp())) * 1000)::float8
                      from rate_limit_buckets b where b.key = $3) as blocked_ms`,
      [rule.key, this.intervalSeconds(rule), blockKey(rule.key)],
    );
    return { waitMs: Number(rows[0]?.wait_ms ?? 0), blockedMs: Number(rows[0]?.blocked_ms ?? 0) };
  }

  /**
   * Waits until this caller may send one request under `rule`. A caller that wakes up well after
   * its slot (the event loop or the database stalled) takes a fresh slot instead of sending: slots
   * reserved after its own may be on time, and sending late next to them would squeeze more than
   * `limit` requests into one window (seen as marketplace 429s under CPU load).
   */
  async acquire(rule: RateRule, signal?: AbortSignal): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const asked = performance.now();
      const { waitMs, blockedMs } =
        rule.spacing === 'sliding' ? await this.#reserveSliding(rule) : await this.#reserveEven(rule);
      if (blockedMs > 0.5) {
        // Blocked: a request now would only lengthen the block (Allegro), so wait it out first.
        await sleep(blockedMs, undefined, { signal });
        attempt = -1;
        continue;
      }
      if (waitMs > 0.5) {
        await sleep(waitMs, undefined, { signal });
        // A 429 may have blocked the bucket while this caller slept towards its slot.
        const blocked = await this.blockedForMs(rule.key);
        if (blocked > 0.5) {
          await sleep(blocked, undefined, { signal });
          attempt = -1;
          continue;
        }
      }
      // Lateness against the slot as seen from before the query (an over-estimate by its round trip).
      const lateMs = performance.now() - (asked + waitMs);
      if (lateMs <= this.#lateMs || attempt >= MAX_RESLOTS) return;
    }
  }

  /** How much longer the bucket is blocked (0 when it is not). */
  async blockedForMs(key: string): Promise<number> {
    const { rows } = await this.#pool.query<{ blocked_ms: number | string }>(
      `select greatest(0, extract(epoch from (tat - clock_timestamp())) * 1000)::float8 as blocked_ms
         from rate_limit_buckets where key = $1`,
      [blockKey(key)],
    );
    return Number(rows[0]?.blocked_ms ?? 0);
  }

  /**
   * The marketplace said 429: nobody sends under this key before `ms` from now (Retry-After /
   * reset headers), across all processes — not even callers that already hold a slot: they check
   * the block when they wake. Requests sent during an Allegro block lengthen it (reference/README.md
   * "Limits", Correction), so the host stops sending instead of retrying each request into it.
   */
  async pause(key: string, ms: number): Promise<void> {
    await this.#pool.query(
      `insert into rate_limit_buckets (key, tat)
         values ($1, clock_timestamp() + make_interval(secs => $3)), ($2, clock_timestamp() + make_interval(secs => $3))
       on conflict (key) do update
         set tat = greatest(rate_limit_buckets.tat, clock_timestamp() + make_interval(secs => $3))`,
      [key, blockKey(key), ms / 1000],
    );
  }
}
