import { HostError } from '../errors.ts';

/**
 * Login throttling that slows guessing without locking the right password out (issue 11; OWASP
 * Authentication Cheat Sheet, "Login Throttling" and "Device Cookies"). Nothing here locks an
 * account: each counter delays further attempts from one source, doubling per failure.
 * - per address: at most `MAX_IN_FLIGHT_PER_IP` sign-ins being checked at once, and progressive
 *   delays after many failures — a flood from one address is refused before any hashing;
 * - per account and client (the device cookie when the browser has one for that account, else the
 *   address): progressive delays after a few failures;
 * - per account, for clients WITHOUT a device cookie for it: progressive delays after more
 *   failures, so a distributed guesser is slowed while the owner's own browser is not.
 * An attempt counts as a failure from the moment it starts (concurrent attempts cannot slip past
 * the count) and is given back when it succeeds. The address is `request.ip`, which honours
 * forwarding headers only from proxies named in `TRUST_PROXY`.
 * Per process, in memory: several processes each allow their own share, which only multiplies a
 * guesser's budget by the process count.
 */
export const MAX_IN_FLIGHT_PER_IP = 3;

interface CounterOptions {
  /** Failures allowed before any delay. */
  free: number;
  baseMs: number;
  capMs: number;
  /** A source quiet this long starts again from zero. */
  forgetMs: number;
}

const PER_IP: CounterOptions = { free: 30, baseMs: 5000, capMs: 15 * 60_000, forgetMs: 60 * 60_000 };
const PER_ACCOUNT_CLIENT: CounterOptions = {
  free: 5,
  baseMs: 5000,
  capMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
};
const PER_ACCOUNT_UNKNOWN_CLIENTS: CounterOptions = {
  free: 10,
  baseMs: 5000,
  capMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
};
/** Bounded memory: beyond this many sources per counter, the quietest are forgotten. */
const MAX_KEYS = 100_000;

interface Entry {
  failures: number;
  last: number;
  until: number;
}

/** Failures per key with an exponentially growing wait after `free` of them. */
export class ProgressiveCounter {
  private readonly entries = new Map<string, Entry>();

  private readonly options: CounterOptions;

  constructor(options: CounterOptions) {
    this.options = options;
  }

  private delay(failures: number): number {
    const { free, baseMs, capMs } = this.options;
    return failures < free ? 0 : Math.min(capMs, baseMs * 2 ** Math.min(30, failures - free));
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.last > this.options.forgetMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Milliseconds to wait before `key` may try again (0: now). */
  retryAfter(key: string, now: number): number {
    const entry = this.live(key, now);
    return entry ? Math.max(0, entry.until - now) : 0;
  }

  fail(key: string, now: number): void {
    const entry = this.live(key, now) ?? { failures: 0, last: now, until: 0 };
    entry.failures++;
    entry.last = now;
    entry.until = now + this.delay(entry.failures);
    // Re-insert so Map order is least recently failed first (what the pruning drops).
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_KEYS) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Gives back one failure (an attempt counted when it started, which then succeeded). */
  undo(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.failures--;
    if (entry.failures <= 0) this.entries.delete(key);
    else entry.until = entry.last + this.delay(entry.failures);
  }

  reset(key: string): void {
    this.entries.delete(key);
  }
}

export interface LoginAttempt {
  /** The client address (`request.ip`). */
  ip: string;
  /** Normalised email. */
  email: string;
  /** The device id when the client holds a valid device cookie for this email. */
  device: string | null;
}

export interface LoginTicket {
  succeeded(): void;
  failed(): void;
  /** Not checked after all (the server was too busy): the attempt does not count. */
  cancelled(): void;
}

export interface LoginLimiter {
  /** HMAC key of device cookies. */
  readonly deviceSecret: Buffer;
  /**
   * Why an attempt from `ip` would be refused whatever its email, or null: what can be checked
   * before the request's body is read (`login-admission.ts`).
   */
  refusalFor(ip: string): string | null;
  /** Admits an attempt or throws TOO_MANY_REQUESTS at once (no hashing, no database). */
  begin(attempt: LoginAttempt): LoginTicket;
}

function wait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds === 1) return '1 second';
  return seconds <= 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}

export function createLoginLimiter({
  deviceSecret,
  clock = Date.now,
}: {
  deviceSecret: Buffer;
  /** Milliseconds now (tests move time forward instead of waiting out the delays). */
  clock?: () => number;
}): LoginLimiter {
  const perIp = new ProgressiveCounter(PER_IP);
  const perAccountClient = new ProgressiveCounter(PER_ACCOUNT_CLIENT);
  const perAccountUnknown = new ProgressiveCounter(PER_ACCOUNT_UNKNOWN_CLIENTS);
  const inFlight = new Map<string, number>();

  const refusalFor = (ip: string, now: number): string | null => {
    if ((inFlight.get(ip) ?? 0) >= MAX_IN_FLIGHT_PER_IP)
      return 'Another sign-in from your address is being checked; wait a moment and try again.';
    const ipWait = perIp.retryAfter(ip, now);
    if (ipWait > 0) return `Too many failed sign-ins from your address; try again in ${wait(ipWait)}.`;
    return null;
  };

  return {
    deviceSecret,
    refusalFor: (ip) => refusalFor(ip, clock()),
    begin({ ip, email, device }) {
      const now = clock();
      const refusal = refusalFor(ip, now);
      if (refusal) throw new HostError('TOO_MANY_REQUESTS', refusal);
      const clientKey = `${email}\n${device ? `device:${device}` : `ip:${ip}`}`;
      const clientWait = perAccountClient.retryAfter(clientKey, now);
      if (clientWait > 0)
        throw new HostError(
          'TOO_MANY_REQUESTS',
          `Too many failed sign-ins for this email; try again in ${wait(clientWait)}.`,
        );
      const unknownWait = device ? 0 : perAccountUnknown.retryAfter(email, now);
      if (unknownWait > 0)
        throw new HostError(
          'TOO_MANY_REQUESTS',
          `Too many failed sign-ins for this email from unrecognised browsers; try again in ${wait(unknownWait)}, or sign in from a browser you used before.`,
        );
      perIp.fail(ip, now);
      perAccountClient.fail(clientKey, now);
      if (!device) perAccountUnknown.fail(email, now);
      inFlight.set(ip, (inFlight.get(ip) ?? 0) + 1);
      let settled = false;
      const settle = () => {
        if (settled) return false;
        settled = true;
        const left = (inFlight.get(ip) ?? 1) - 1;
        if (left <= 0) inFlight.delete(ip);
        else inFlight.set(ip, left);
        return true;
      };
      return {
        succeeded() {
          if (!settle()) return;
          perIp.undo(ip);
          perAccountClient.reset(clientKey);
          if (!device) perAccountUnknown.undo(email);
        },
        failed() {
          settle();
        },
        cancelled() {
          if (!settle()) return;
          perIp.undo(ip);
          perAccountClient.undo(clientKey);
          if (!device) perAccountUnknown.undo(email);
        },
      };
    },
  };
}
