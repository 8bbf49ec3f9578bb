import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { HashGate } from '../auth/hash-gate.ts';
import { SafeLogController } from '../server/request-log.ts';
import { registerLoginAdmission } from './login-admission.ts';
import type { LoginLimiter } from './login-limiter.ts';

/** A server with the admission in front of a stand-in login route that counts what reached it. */
async function server(refusal: { address: string | null; gateFull: boolean }) {
  const lines: { msg: string; [key: string]: unknown }[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as { msg: string });
        done();
      },
    }),
  );
  // Typed as the default instance, as the host's server is (pino's Logger vs FastifyBaseLogger).
  const app = Fastify({
    loggerInstance: logger,
    logController: new SafeLogController(),
  }) as unknown as FastifyInstance;
  const gate = new HashGate({ concurrency: 1, reserved: 1, maxWaiting: { trusted: 0, normal: 0 } });
  const held: (() => void)[] = [];
  if (refusal.gateFull) held.push(gate.admit('normal'));
  const limiter = { refusalFor: () => refusal.address } as unknown as LoginLimiter;
  registerLoginAdmission(app, { limiter: () => limiter, gate, logger });
  let reached = 0;
  app.post('/trpc/auth.login', async () => (reached++, { result: { data: { ok: true } } }));
  app.post('/trpc/auth.logout', async () => (reached++, { result: { data: { ok: true } } }));
  const login = (url = '/trpc/auth.login', headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: '{}',
    });
  return { app, login, lines, reached: () => reached };
}

describe('login admission (refusals on arrival)', () => {
  it('answers an address over its limits with 429 in tRPC’s envelope, batched or not, before the route', async () => {
    const s = await server({
      address: 'Another sign-in from your address is being checked.',
      gateFull: false,
    });
    const single = await s.login();
    expect(single.statusCode).toBe(429);
    expect(single.json()).toEqual({
      error: {
        message: 'Another sign-in from your address is being checked.',
        code: -32029,
        data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, path: 'auth.login' },
      },
    });
    const batched = await s.login('/trpc/auth.login?batch=1');
    expect(batched.statusCode).toBe(429);
    expect(batched.json()).toEqual([single.json()]);
    expect(s.reached()).toBe(0);
    // Other procedures, and a batch that names more than the login, are not its business.
    expect((await s.login('/trpc/auth.logout')).statusCode).toBe(200);
    expect((await s.login('/trpc/auth.login,auth.logout?batch=1')).statusCode).toBe(404);
    await s.app.close();
  });

  it('refuses a browser the account cannot know (no device cookie) with 503 when the normal lane is full', async () => {
    const s = await server({ address: null, gateFull: true });
    const busy = await s.login();
    expect(busy.statusCode).toBe(503);
    expect(busy.json()).toMatchObject({
      error: { message: HashGate.BUSY, data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 } },
    });
    // With a device cookie it may be a trusted sign-in: the procedure decides.
    expect((await s.login(undefined, { cookie: 'mch_device=abc' })).statusCode).toBe(200);
    expect(s.reached()).toBe(1);
    await s.app.close();
  });

  it('lets a sign-in through when nothing refuses it', async () => {
    const s = await server({ address: null, gateFull: false });
    expect((await s.login()).statusCode).toBe(200);
    expect(s.reached()).toBe(1);
    await s.app.close();
  });

  it('logs one line for a burst of refusals, not a completion line each', async () => {
    const s = await server({ address: 'Too many failed sign-ins from your address.', gateFull: false });
    for (let i = 0; i < 20; i++) await s.login();
    const refusals = s.lines.filter((l) => l.msg.startsWith('sign-in refused on arrival'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ status: 429, refusedSinceLastLine: 0 });
    expect(s.lines.filter((l) => l.msg === 'request completed')).toHaveLength(0);
    await s.login('/trpc/auth.logout');
    expect(s.lines.filter((l) => l.msg === 'request completed')).toHaveLength(1);
    await s.app.close();
  });
});
