import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlPool } from '../db/orm.ts';

export interface RateRule {
  /** Bucket key: plugin, group and scope (account or OAuth client), e.g. `emag:orders:acct-1`. */
  key: string;
  limit: number;
  perSeconds: number;
}

/**
 * A rate limiter shared by every job and every host process: GCRA (generic cell rate algorithm)
 * with no burst, its state — the theoretical arrival time — in PostgreSQL. Each request reserves
 * the next slot atomically and sleeps until it, so requests leave evenly spaced at
 * `perSeconds / limit` and no window of `perSeconds` ever holds more than `limit` of them, whether
 * the marketplace counts in fixed or sliding windows. A small safety factor absorbs jitter
 * between reserving a slot and the request reaching the marketplace.
 */
/** Later than this after its slot, a request takes a new one (within the 4 % safety at 12/s). */
const LATE_MS = 25;
/** Under a lasting stall, send after this many fresh slots rather than wait forever. */
const MAX_RESLOTS = 5;

export class RateLimiter {
  readonly #pool: SqlPool;
  readonly #safety: number;

  constructor(options: { pool: SqlPool; safety?: number }) {
    this.#pool = options.pool;
    this.#safety = options.safety ?? 1.04;
  }

  intervalSeconds(rule: RateRule): number {
    return (rule.perSeconds / rule.limit) * this.#safety;
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
      const { rows } = await this.#pool.query<{ wait_ms: number | string }>(
        `insert into rate_limit_buckets (key, tat) values ($1, clock_timestamp() + make_interval(secs => $2))
         on conflict (key) do update
           set tat = greatest(rate_limit_buckets.tat, clock_timestamp()) + make_interval(secs => $2)
         returning greatest(0, extract(epoch from (tat - make_interval(secs => $2) - clock_timestamp())) * 1000)::float8 as wait_ms`,
        [rule.key, this.intervalSeconds(rule)],
      );
      const waitMs = Number(rows[0]?.wait_ms ?? 0);
      if (waitMs > 0.5) await sleep(waitMs, undefined, { signal });
      // Lateness against the slot as seen from before the query (an over-estimate by its round trip).
      const lateMs = performance.now() - (asked + waitMs);
      if (lateMs <= LATE_MS || attempt >= MAX_RESLOTS) return;
    }
  }

  /**
   * The marketplace said 429: nobody sends under this key before `ms` from now (Retry-After /
   * reset headers), across all processes.
   */
  async pause(key: string, ms: number): Promise<void> {
    await this.#pool.query(
      `insert into rate_limit_buckets (key, tat) values ($1, clock_timestamp() + make_interval(secs => $2))
       on conflict (key) do update
         set tat = greatest(rate_limit_buckets.tat, clock_timestamp() + make_interval(secs => $2))`,
      [key, ms / 1000],
    );
  }
}
