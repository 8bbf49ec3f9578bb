import type { FastifyInstance } from 'fastify';
import type { HostServices } from '../app/services.ts';

/** `/healthz`: the process is alive. `/readyz`: the database and the scheduler answer. */
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
          return await probe();
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
