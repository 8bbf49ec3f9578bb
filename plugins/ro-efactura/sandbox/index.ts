import {
  listen,
  type RunningSandbox,
  type SandboxOptions,
  type StartSandbox,
} from '@mch/plugin-sdk/sandbox-kit';
import { buildServer, SANDBOX_CIFS, SANDBOX_CLIENT } from './server.ts';

/**
 * The ANAF SPV e-Factura sandbox (README in this folder): `url` serves both the OAuth pages
 * (`/anaf-oauth2/v1/authorize|token`, like logincert.anaf.ro) and the API
 * (`/{test|prod}/FCTEL/rest/…`, like api.anaf.ro). `options.extra.processingMs`: how long an
 * upload stays "in prelucrare" (default 200 ms).
 */
export const startSandbox: StartSandbox = async (options: SandboxOptions = {}): Promise<RunningSandbox> => {
  const redirectUri = options.redirectUri ?? 'http://127.0.0.1:3000/oauth/callback';
  const processingMs = options.extra?.processingMs;
  const { app } = buildServer({
    seed: String(options.seed ?? 'efactura'),
    redirectUri,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(typeof processingMs === 'number' ? { processingMs } : {}),
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
  });
  const url = await listen(app, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    host: options.host ?? '127.0.0.1',
  });
  return {
    url,
    credentials: { ...SANDBOX_CLIENT, redirectUri, cif: SANDBOX_CIFS[0]! },
    controlUrl: `${url}/__sandbox`,
    // The representative's consent on the certificate page (the form's own POST).
    async consent(authorizeUrl: string): Promise<string> {
      const q = new URL(authorizeUrl).searchParams;
      const res = await fetch(`${url}/anaf-oauth2/v1/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: q.get('client_id') ?? '',
          redirect_uri: q.get('redirect_uri') ?? '',
          state: q.get('state') ?? '',
          decision: 'allow',
        }),
      });
      const location = res.headers.get('location');
      if (res.status !== 302 || !location)
        throw new Error(`The sandbox refused the consent (HTTP ${res.status}).`);
      return location;
    },
    close: () => app.close(),
  };
};
