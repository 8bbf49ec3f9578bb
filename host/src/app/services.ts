import type { HostEnv } from '../config/env.ts';
import type { Database } from '../db/orm.ts';
import type { Logger } from '../logging/logger.ts';

/** Readiness of one dependency, as `/readyz` reports it. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/**
 * Everything a request handler, job or command may use: built once by the composition root
 * (`host-app.ts`) and passed down explicitly — no module-level singletons.
 */
export interface HostServices {
  env: HostEnv;
  logger: Logger;
  db: Database;
  version: string;
  startedAt: Date;
  /** Named readiness probes; each must be cheap (it runs on every `/readyz`). */
  readiness: Map<string, () => Promise<ReadinessCheck>>;
}
