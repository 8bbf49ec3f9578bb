import type { FastifyInstance } from 'fastify';
import { SandboxErrorCode, sandboxError } from './errors.ts';
import type { BaseFaults, FaultState } from './faults.ts';
import type { Ledger } from './ledger.ts';

export const CONTROL_PREFIX = '/__sandbox';

export interface ControlRoutesOptions {
  ledger: Ledger;
  faults: FaultState<BaseFaults>;
  /** Extra fields merged into `GET /__sandbox/state` (orders count, accounts…). */
  state?: () => Record<string, unknown>;
  /** Called by `POST /__sandbox/reset` after the ledger and faults are reset. */
  onReset?: () => void;
  prefix?: string;
}

/**
 * The sandbox-only control endpoint shared by every sandbox:
 * - `GET  /__sandbox/state`  → `{requests:{route:count}, breaches, breachesByKey, effects:[…], faults, …extra}`
 * - `GET  /__sandbox/faults` → the current switches
 * - `PUT  /__sandbox/faults` with a partial switch object → the merged switches (400 with `issues` when invalid)
 * - `POST /__sandbox/reset`  → ledger, counters and faults back to their start values (204)
 * Plugins register their own extra control routes (adding orders, revoking tokens) under the same prefix.
 */
export function registerControlRoutes(app: FastifyInstance, options: ControlRoutesOptions): void {
  const prefix = options.prefix ?? CONTROL_PREFIX;
  app.get(`${prefix}/state`, async () => ({
    ...options.ledger.snapshot(),
    faults: options.faults.get(),
    ...options.state?.(),
  }));
  app.get(`${prefix}/faults`, async () => options.faults.get());
  app.put(`${prefix}/faults`, async (request, reply) => {
    const result = options.faults.update(request.body ?? {});
    if (!result.ok) {
      return reply
        .code(400)
        .send(
          sandboxError(
            SandboxErrorCode.InvalidFaults,
            'Invalid fault switches; nothing changed.',
            result.issues,
          ),
        );
    }
    return result.faults;
  });
  app.post(`${prefix}/reset`, async (_request, reply) => {
    options.ledger.reset();
    options.faults.reset();
    options.onReset?.();
    return reply.code(204).send();
  });
}
