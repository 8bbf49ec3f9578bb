import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { HostError } from '../errors.ts';

/** Password guessing: this many failed logins per address and email, per window. */
const ATTEMPTS = 10;
const WINDOW_SECONDS = 15 * 60;

export interface LoginLimiter {
  /** Throws TOO_MANY_REQUESTS (with the seconds to wait) when the caller used up its attempts. */
  check(key: string): Promise<void>;
  failed(key: string): Promise<void>;
  succeeded(key: string): Promise<void>;
}

/** Per process (in memory): enough to stop a guesser; several processes each allow their own share. */
export function createLoginLimiter(): LoginLimiter {
  const limiter = new RateLimiterMemory({ points: ATTEMPTS, duration: WINDOW_SECONDS });
  return {
    async check(key) {
      const state = await limiter.get(key);
      if (state && state.consumedPoints >= ATTEMPTS) {
        const seconds = Math.ceil(state.msBeforeNext / 1000);
        throw new HostError(
          'TOO_MANY_REQUESTS',
          `Too many failed sign-ins; try again in ${seconds} seconds.`,
        );
      }
    },
    async failed(key) {
      await limiter.consume(key).catch((rejection: unknown) => {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
      });
    },
    async succeeded(key) {
      await limiter.delete(key);
    },
  };
}
