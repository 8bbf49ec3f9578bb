import { availableParallelism } from 'node:os';
import { HostError } from '../errors.ts';

/**
 * Bounds how many scrypt computations run at once and how many sign-ins may be in progress (issue
 * 11: 300 concurrent wrong logins held a real user's login for 22.9 s). scrypt runs on libuv's
 * thread pool (4 threads by default, shared with file and DNS work), so an unbounded flood starves
 * everything.
 *
 * Two lanes. `trusted` is a client that signed in to this account before (device cookie) or a
 * signed-in user changing a password; `normal` is everyone else, which is where any flood lands
 * (an attacker has no device cookie for the account it attacks). The normal lane may use at most
 * `concurrency` hashing slots; `reserved` further slots are the trusted lane's alone. So a trusted
 * sign-in never waits for a flood's hash: it starts hashing at once unless other trusted work
 * fills every slot, and it is served first when a slot frees.
 *
 * A sign-in is admitted (`admit`) before its database lookup: at most `concurrency + maxWaiting`
 * per lane are in progress at once, and the rest are refused at once with no database work and no
 * hashing, so a flood cannot queue work ahead of anyone.
 */
export type HashLane = 'trusted' | 'normal';

/**
 * A lane, or a lane and the source asking (the client address of a sign-in): a source gets at
 * most one normal-lane hashing slot at a time, so a flood from one address cannot hold both and a
 * user signing in from elsewhere never waits behind it.
 */
export type HashRequest = HashLane | { lane: HashLane; source: string };

export interface HashGateOptions {
  /** Hashing slots the normal lane may use. */
  concurrency: number;
  /** Further hashing slots only the trusted lane uses. */
  reserved: number;
  /** How many hashes may wait per lane (and, for sign-ins, how many beyond the slots are admitted). */
  maxWaiting: Record<HashLane, number>;
}

/**
 * scrypt is CPU-bound: more hashes at once than cores only makes each slower (a sign-in during a
 * flood measured 450 ms instead of 200 with three hashes on two cores). The normal lane gets the
 * cores but one (the event loop needs one) and at most libuv's pool less two (file and DNS work
 * keep theirs); the trusted lane one more.
 */
export function defaultHashConcurrency(
  cores = availableParallelism(),
  pool = Number(process.env.UV_THREADPOOL_SIZE) || 4,
): number {
  return Math.max(1, Math.min(cores - 1, pool - 2));
}

export const HASH_GATE_DEFAULTS: HashGateOptions = {
  concurrency: defaultHashConcurrency(),
  reserved: 1,
  maxWaiting: { trusted: 32, normal: 16 },
};

/** What the gate saw when a hash started: for tests and metrics. */
export interface HashStart {
  lane: HashLane;
  /** Who asked (a sign-in's client address), when given. */
  source?: string;
  /** Whether it had to wait for a slot. */
  queued: boolean;
  /** Milliseconds it waited for a slot. */
  waitedMs: number;
  /** Hashes of the normal lane running when it started (itself excluded). */
  normalRunning: number;
  /** Hashes that started ahead of it while it waited (0: served at the first slot it could use). */
  overtaken: number;
}

const LANES: readonly HashLane[] = ['trusted', 'normal'];

export class HashGate {
  private readonly running: Record<HashLane, number> = { trusted: 0, normal: 0 };
  /** Hashes started so far, to tell how many started ahead of a waiter. */
  private starts = 0;
  private readonly waiting: Record<HashLane, { resume: (number: number) => void; source?: string }[]> = {
    trusted: [],
    normal: [],
  };
  private readonly normalBySource = new Map<string, number>();
  private readonly admitted: Record<HashLane, number> = { trusted: 0, normal: 0 };
  private readonly observers = new Set<(start: HashStart) => void>();

  readonly options: HashGateOptions;

  constructor(options: HashGateOptions = HASH_GATE_DEFAULTS) {
    this.options = options;
  }

  /** Work currently hashing, waiting and admitted, for tests and metrics. */
  get load(): {
    running: number;
    trusted: number;
    normal: number;
    admitted: Record<HashLane, number>;
  } {
    return {
      running: this.running.trusted + this.running.normal,
      trusted: this.waiting.trusted.length,
      normal: this.waiting.normal.length,
      admitted: { ...this.admitted },
    };
  }

  /** Calls `listener` whenever a hash starts; returns the unsubscribe function. */
  observe(listener: (start: HashStart) => void): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  private busy(): HostError {
    return new HostError('SERVICE_UNAVAILABLE', HashGate.BUSY);
  }

  /** Whether `admit(lane)` would refuse now: as many sign-ins in progress as the lane can hash and queue. */
  full(lane: HashLane): boolean {
    const slots =
      lane === 'trusted' ? this.options.concurrency + this.options.reserved : this.options.concurrency;
    return this.admitted[lane] >= slots + this.options.maxWaiting[lane];
  }

  /** The sentence `admit` refuses with. */
  static readonly BUSY = 'Sign-in is very busy right now; try again in a few seconds.';

  /**
   * Admits one sign-in of `lane` before its database lookup, or throws at once when as many are in
   * progress as the lane can hash and queue. Call the returned function when the sign-in ends.
   */
  admit(lane: HashLane): () => void {
    if (this.full(lane)) throw this.busy();
    this.admitted[lane]++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.admitted[lane]--;
    };
  }

  private canStart(lane: HashLane, source: string | undefined): boolean {
    const { concurrency, reserved } = this.options;
    const total = this.running.trusted + this.running.normal;
    if (total >= concurrency + reserved) return false;
    if (lane === 'trusted') return true;
    return this.running.normal < concurrency && (source === undefined || !this.normalBySource.has(source));
  }

  /** Takes a slot; returns the hash's number in start order. */
  private take(lane: HashLane, source: string | undefined): number {
    this.running[lane]++;
    if (lane === 'normal' && source !== undefined)
      this.normalBySource.set(source, (this.normalBySource.get(source) ?? 0) + 1);
    return this.starts++;
  }

  private give(lane: HashLane, source: string | undefined): void {
    this.running[lane]--;
    if (lane === 'normal' && source !== undefined) {
      const left = (this.normalBySource.get(source) ?? 1) - 1;
      if (left <= 0) this.normalBySource.delete(source);
      else this.normalBySource.set(source, left);
    }
  }

  /** Reports a started hash; its slot is already counted in `running`. */
  private started(
    lane: HashLane,
    source: string | undefined,
    since: number,
    queued: boolean,
    overtaken: number,
  ): void {
    if (this.observers.size === 0) return;
    const start: HashStart = {
      lane,
      ...(source === undefined ? {} : { source }),
      queued,
      waitedMs: performance.now() - since,
      normalRunning: this.running.normal - (lane === 'normal' ? 1 : 0),
      overtaken,
    };
    for (const observer of this.observers) observer(start);
  }

  async run<T>(request: HashRequest, work: () => Promise<T>): Promise<T> {
    const { lane, source } = typeof request === 'string' ? { lane: request, source: undefined } : request;
    const since = performance.now();
    const queued = !this.canStart(lane, source);
    const startsBefore = this.starts;
    let number: number;
    if (!queued) {
      number = this.take(lane, source);
    } else {
      if (this.waiting[lane].length >= this.options.maxWaiting[lane]) throw this.busy();
      // Resumed by a finishing hash, which has already taken the slot for us.
      number = await new Promise<number>((resume) => this.waiting[lane].push({ resume, source }));
    }
    this.started(lane, source, since, queued, number - startsBefore);
    try {
      return await work();
    } finally {
      this.give(lane, source);
      // Hand free slots to waiters, trusted first, each to the first waiter that may start, but one
      // from another source than the hash that just ended before that source's own next attempt:
      // with one normal slot, a user from elsewhere then waits for at most one of a flood's hashes.
      for (const next of LANES) {
        for (;;) {
          const startable = (w: { source?: string }) => this.canStart(next, w.source);
          let index = this.waiting[next].findIndex(
            (w) => startable(w) && (source === undefined || w.source !== source),
          );
          if (index < 0) index = this.waiting[next].findIndex(startable);
          if (index < 0) break;
          const [waiter] = this.waiting[next].splice(index, 1);
          waiter!.resume(this.take(next, waiter!.source));
        }
      }
    }
  }
}
