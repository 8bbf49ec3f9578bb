import { HostError } from '../errors.ts';

/**
 * Bounds how many scrypt computations run at once and how many may wait (issue 11: 300 concurrent
 * wrong logins held a real user's login for 22.9 s). scrypt runs on libuv's thread pool (4
 * threads by default, shared with file and DNS work), so an unbounded flood starves everything.
 * Two lanes: `trusted` (a client that signed in to this account before, or a signed-in user
 * changing a password) is served before `normal`, so a known-good client never queues behind a
 * flood. A full lane is refused at once, with no hashing: an overload costs the attacker, not us.
 */
export type HashLane = 'trusted' | 'normal';

export interface HashGateOptions {
  concurrency: number;
  maxWaiting: Record<HashLane, number>;
}

export const HASH_GATE_DEFAULTS: HashGateOptions = {
  concurrency: 2,
  maxWaiting: { trusted: 64, normal: 16 },
};

export class HashGate {
  private running = 0;
  private readonly waiting: Record<HashLane, (() => void)[]> = { trusted: [], normal: [] };

  private readonly options: HashGateOptions;

  constructor(options: HashGateOptions = HASH_GATE_DEFAULTS) {
    this.options = options;
  }

  /** Work currently hashing and waiting, for tests and metrics. */
  get load(): { running: number; trusted: number; normal: number } {
    return {
      running: this.running,
      trusted: this.waiting.trusted.length,
      normal: this.waiting.normal.length,
    };
  }

  /**
   * Throws at once when `lane` is full, so a caller can refuse before its own work (the database
   * lookup that precedes hashing) rather than after it.
   */
  assertRoom(lane: HashLane): void {
    if (
      this.running >= this.options.concurrency &&
      this.waiting[lane].length >= this.options.maxWaiting[lane]
    ) {
      throw new HostError(
        'SERVICE_UNAVAILABLE',
        'Sign-in is very busy right now; try again in a few seconds.',
      );
    }
  }

  async run<T>(lane: HashLane, work: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.concurrency) {
      this.assertRoom(lane);
      const queue = this.waiting[lane];
      await new Promise<void>((resolve) => queue.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter (trusted first), or free it.
      const next = this.waiting.trusted.shift() ?? this.waiting.normal.shift();
      if (next) next();
      else this.running--;
    }
  }
}
