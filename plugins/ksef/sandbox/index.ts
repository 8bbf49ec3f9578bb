import { randomBytes } from 'node:crypto';
import { listen, type RunningSandbox, type SandboxOptions, type StartSandbox } from '@mch/plugin-sdk/sandbox-kit';
import type { LimitProfile } from './limits.ts';
import { buildServer } from './server.ts';

/**
 * The KSeF 2.0 sandbox (API under `{url}/v2`, like `https://api-test.ksef.mf.gov.pl/v2`).
 * `credentials.token` is a KSeF token the sandbox accepts for any NIP context (a test-environment
 * convenience so the demo company needs no setup); `POST /__sandbox/tokens {nip}` issues one bound
 * to a NIP, as the real KSeF does. `options.extra.limits`: `test` (default, 10× production),
 * `production` or `off`; `options.rateLimit: false` is `off`.
 */
export const startSandbox: StartSandbox = async (options: SandboxOptions = {}): Promise<RunningSandbox> => {
  const extra = options.extra ?? {};
  const token = `sandbox-${randomBytes(16).toString('hex')}`;
  const limits: LimitProfile =
    options.rateLimit === false
      ? 'off'
      : extra.limits === 'production' || extra.limits === 'off'
        ? extra.limits
        : 'test';
  const { app } = buildServer({
    ...(options.faults ? { faults: options.faults } : {}),
    seed: String(options.seed ?? 'ksef'),
    limits,
    tokens: new Map([[token, '*']]),
  });
  const url = await listen(app, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    host: options.host ?? '127.0.0.1',
  });
  return { url, credentials: { token }, controlUrl: `${url}/__sandbox`, close: () => app.close() };
};
