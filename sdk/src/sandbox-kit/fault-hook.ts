import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BaseFaults, FaultState } from './faults.ts';

export interface FaultHookOptions {
  faults: FaultState<BaseFaults>;
  /** Body of an injected 5xx / 429, in the marketplace's own error shape. */
  errorBody: (status: number) => unknown;
  /** Extra headers on an injected 429 (e.g. Retry-After). */
  tooManyHeaders?: Record<string, string>;
  /** URLs never touched by faults (the control endpoint by default). */
  ignorePrefixes?: string[];
}

/**
 * Applies the base fault switches before any route runs, in this order: hang, latency, 429 (burst,
 * then random), random 5xx. Hung requests are tracked and their sockets destroyed when the server closes, so
 * `close()` never waits for them.
 */
export function registerFaultHook(app: FastifyInstance, options: FaultHookOptions): void {
  const ignore = options.ignorePrefixes ?? ['/__sandbox'];
  const hung = new Set<FastifyRequest>();

  let closing = false;
  let everHung = false;
  app.addHook('preClose', (done) => {
    closing = true;
    for (const request of hung) request.raw.socket.destroy();
    hung.clear();
    // A client that gave up on a hung request may leave its keep-alive socket half-open; once
    // anything hung, drop every connection so close() never waits on one.
    if (everHung) app.server.closeAllConnections();
    done();
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (ignore.some((p) => request.url.startsWith(p))) return;
    const f = options.faults.get();
    if (f.routes.length > 0 && !f.routes.some((p) => request.url.startsWith(p))) return;
    const { rng } = options.faults;

    if (f.hangRate > 0 && rng.chance(f.hangRate)) {
      // A client may retry a request whose socket we destroyed while closing; drop it at once.
      if (closing) request.raw.socket.destroy();
      else hung.add(request);
      everHung = true;
      // Never settles: the client sees a request that does not answer until it times out.
      await new Promise<void>(() => {
        request.raw.socket.once('close', () => hung.delete(request));
      });
    }
    if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (options.faults.takeBurst429() || (f.rate429 > 0 && rng.chance(f.rate429))) {
      return reply
        .code(429)
        .headers(options.tooManyHeaders ?? { 'retry-after': String(f.retryAfter429) })
        .send(options.errorBody(429));
    }
    if (f.errorRate > 0 && rng.chance(f.errorRate)) {
      return reply.code(f.errorStatus).send(options.errorBody(f.errorStatus));
    }
  });
}
