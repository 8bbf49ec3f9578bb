import { randomBytes } from 'node:crypto';
import {
  listen,
  type RunningSandbox,
  type SandboxOptions,
  type StartSandbox,
} from '@mch/plugin-sdk/sandbox-kit';
import type { LimitProfile } from './limits.ts';
import { buildServer } from './server.ts';

/**
 * The KSeF 2.0 sandbox (API under `{url}/v2`, like `https://api-test.ksef.mf.gov.pl/v2`).
 * `credentials.ksefToken` is a KSeF token (named like the plugin's setting, so demo mode fills it) the sandbox accepts for any NIP context (a test-environment
 * convenience so the demo company needs no setup); `POST /__sandbox/tokens {nip}` issues one bound
 * to a NIP, as the real KSeF does. With `options.companies` (demo mode), a Polish company's NIP gets
 * an Offline certificate and its key, handed over in `settings` (kept in `stateDir`). `options.extra.limits`: `test` (default, 10× production),
 * `production` or `off`; `options.rateLimit: false` is `off`.
 */
export const startSandbox: StartSandbox = async (options: SandboxOptions = {}): Promise<RunningSandbox> => {
  const extra = options.extra ?? {};
  const limits: LimitProfile =
    options.rateLimit === false
      ? 'off'
      : extra.limits === 'production' || extra.limits === 'off'
        ? extra.limits
        : 'test';
  const { app, tokens, saveState, offlineCertificateFor } = buildServer({
    ...(options.faults ? { faults: options.faults } : {}),
    seed: String(options.seed ?? 'ksef'),
    limits,
    tokens: new Map(),
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
  });
  // The token for any NIP a previous run gave (kept in `stateDir`) stays the demo's token.
  let token = [...tokens].find(([, nip]) => nip === '*')?.[0];
  if (!token) {
    token = `sandbox-${randomBytes(16).toString('hex')}`;
    tokens.set(token, '*');
    saveState();
  }
  const url = await listen(app, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    host: options.host ?? '127.0.0.1',
  });
  // The demo's Polish company gets an Offline certificate (certyfikaty-KSeF.md), so its invoices
  // are issued offline with QR codes I and II while KSeF is down (tryby-offline.md).
  const polish = options.companies?.find((c) => c.country.toUpperCase() === 'PL');
  const nip = polish?.taxId.replace(/\D/g, '');
  const certificate = nip?.length === 10 ? offlineCertificateFor(nip) : undefined;
  return {
    url,
    credentials: { ksefToken: token },
    ...(certificate
      ? {
          settings: {
            offlineCertificate: certificate.x509.toString(),
            offlineCertificateKey: certificate.privateKey,
          },
        }
      : {}),
    controlUrl: `${url}/__sandbox`,
    close: () => app.close(),
  };
};
