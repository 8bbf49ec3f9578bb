import type { JobRepository } from 'agenda';
import { retryWhileUnreachable } from '../db/connection-errors.ts';

/**
 * The writes Agenda makes to end or hand back a lock. Agenda ignores a failed final state save
 * ("in case this fails, we ignore it", Job.run), so a run ending while the database restarts left
 * its document locked for the whole lock lifetime (10 minutes without syncs). These are retried
 * until the server is back instead. Polling (`getNextJobToRun`) is not: the next poll is the retry.
 */
const RETRIED = new Set<PropertyKey>(['saveJobState', 'unlockJob', 'unlockJobs']);

/**
 * Agenda's repository with the lock-ending writes retried through a database outage. Bounded by
 * half the lock lifetime: later, another process may have taken the job over legitimately, and a
 * late write must not unlock its run.
 */
export function resilientRepository(
  repository: JobRepository,
  options: {
    lockLifetimeMs: number;
    stopped: AbortSignal;
    /** After every call that reached the database (ends an outage's logging). */
    onReachable?: () => void;
  },
): JobRepository {
  const reached = <T>(result: T): T => {
    options.onReachable?.();
    return result;
  };
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!RETRIED.has(property))
        return (...args: unknown[]) => {
          const result = method.apply(target, args);
          return result instanceof Promise ? result.then(reached) : result;
        };
      return (...args: unknown[]) =>
        retryWhileUnreachable(() => Promise.resolve(method.apply(target, args)), {
          deadlineMs: options.lockLifetimeMs / 2,
          signal: options.stopped,
        }).then(reached);
    },
  });
}
