import type { FastifyInstance } from 'fastify';
import type { HostServices } from '../app/services.ts';

/** A probe that has not answered by then counts as failed: `/readyz` must answer, database or not. */
const PROBE_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not answer within ${PROBE_TIMEOUT_MS} ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz`: the process is alive (a load balancer's liveness check: never restart a host for a
 * database outage). `/readyz`: the database and the scheduler answer; 503 while either does not,
 * e.g. during a database restart, and 200 again by itself once it is back.
 */
export function registerHealthRoutes(app: FastifyInstance, services: HostServices): void {
  app.get('/healthz', async () => ({
    status: 'ok',
    version: services.version,
    uptimeSeconds: uptime(services),
  }));

  app.get('/readyz', async (_req, reply) => {
    const checks = await Promise.all(
      [...services.readiness.entries()].map(async ([name, probe]) => {
        try {
          return await withTimeout(probe(), name);
        } catch (error) {
          return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const ok = checks.every((c) => c.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });
}

function uptime(services: HostServices): number {
  return Math.round((Date.now() - services.startedAt.getTime()) / 1000);
}
