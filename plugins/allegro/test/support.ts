import { join } from 'node:path';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { startTestHost, type TestActor, type TestHost } from '@mch/host/testing';

export const ROOT_REGISTRY = join(import.meta.dirname, '..', '..', '..', 'plugin.manifest.json');

export interface AllegroWorld {
  host: TestHost;
  sandbox: RunningSandbox;
  overrides: Map<string, Record<string, string>>;
  stop(): Promise<void>;
}

/** The real host (scheduler included) and the Allegro sandbox, wired through the plugin's config. */
export async function startAllegroWorld(options: {
  orders: number;
  seed?: string;
  faults?: Record<string, unknown>;
  rateLimit?: boolean;
  extra?: Record<string, unknown>;
  host?: Partial<Parameters<typeof startTestHost>[0]>;
}): Promise<AllegroWorld> {
  const overrides = new Map<string, Record<string, string>>();
  const host = await startTestHost({
    registryPath: ROOT_REGISTRY,
    role: 'all',
    configOverrides: overrides,
    schedulerPollMs: 200,
    ...options.host,
  });
  const sandbox = await startSandbox({
    orders: options.orders,
    seed: options.seed ?? 'e2e',
    redirectUri: `${host.url}/api/v1/allegro/auth/callback`,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    // Allegro scans invoice files for a few seconds; tests do not wait that long.
    extra: { accounts: 2, invoiceScanMs: 30, ...options.extra },
  });
  overrides.set('allegro', sandboxConfig(sandbox));
  return {
    host,
    sandbox,
    overrides,
    async stop() {
      await host.stop();
      await sandbox.close();
    },
  };
}

export function sandboxConfig(sandbox: RunningSandbox): Record<string, string> {
  return {
    ALLEGRO_API_URL: sandbox.url,
    ALLEGRO_AUTH_URL: sandbox.url,
    ALLEGRO_CLIENT_ID: sandbox.credentials.clientId!,
    ALLEGRO_CLIENT_SECRET: sandbox.credentials.clientSecret!,
    ALLEGRO_REDIRECT_URI: sandbox.credentials.redirectUri!,
  };
}

/** Fills the sandbox's consent form like a person would and returns where it redirects. */
export async function consent(
  authorizeUrl: string,
  decision: 'approve' | 'deny',
  account = 0,
): Promise<string> {
  const page = await (await fetch(authorizeUrl)).text();
  const form = new URLSearchParams();
  for (const match of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      match[1]!,
      match[2]!.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'"),
    );
  }
  form.set('account', String(account));
  form.set('decision', decision);
  const response = await fetch(new URL('/auth/oauth/authorize', authorizeUrl), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location)
    throw new Error(`consent page answered ${response.status}: ${await response.text()}`);
  return location;
}

/** Connects seller account `account` through the whole OAuth flow; returns the integration id. */
export async function connectAccount(user: TestActor, account: number): Promise<string> {
  const { body } = await user.rest<{ url: string }>('/api/v1/allegro/auth/url');
  const callback = await consent(body.url, 'approve', account);
  // The callback is accepted only from the user who started it: here, with the same API token.
  const response = await fetch(callback, {
    redirect: 'manual',
    headers: { authorization: `Bearer ${user.token}` },
  });
  const location = response.headers.get('location') ?? '';
  const id = new URL(location, 'http://x').searchParams.get('connected');
  if (!id) throw new Error(`callback answered ${response.status} → ${location}: ${await response.text()}`);
  return id;
}

export interface RunView {
  status: string;
  error: string | null;
  counts: Record<string, number>;
}

/** Waits until the integration has no queued or running run (follow-up jobs included). */
export async function waitIdle(user: TestActor, integrationId: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 3) {
    const runs = (await user.trpc.integrations.runs.query({ id: integrationId, limit: 10 })) as RunView[];
    quiet = runs.some((r) => r.status === 'queued' || r.status === 'running') ? 0 : quiet + 1;
    if (Date.now() > deadline) throw new Error(`integration still busy after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * Starts a manual run (the orders sync, or `jobId`); waits for it and the runs it starts (the
 * invoice upload).
 */
export async function syncAndWait(
  user: TestActor,
  integrationId: string,
  timeoutMs = 120_000,
  jobId?: string,
): Promise<RunView> {
  const started = await user.rest<{ runId: string }>(`/api/v1/allegro/sync/${integrationId}`, {
    method: 'POST',
    body: jobId ? { jobId } : {},
  });
  if (started.status >= 300) throw new Error(`sync answered ${started.status}: ${started.text}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await user.trpc.integrations.run.query({ runId: started.body.runId })) as RunView;
    if (run.status === 'succeeded' || run.status === 'failed') {
      await waitIdle(user, integrationId, timeoutMs);
      return run;
    }
    if (Date.now() > deadline) throw new Error(`run still ${run.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Form {
  id: string;
  status: string;
  summary: { totalToPay: { amount: string; currency: string } };
}

/** API headers with a token of our own for seller `account` (to read the truth to compare with). */
export async function sellerHeaders(
  sandbox: RunningSandbox,
  account: number,
): Promise<Record<string, string>> {
  const location = await consent(
    `${sandbox.url}/auth/oauth/authorize?response_type=code&client_id=${sandbox.credentials.clientId}&redirect_uri=${encodeURIComponent(sandbox.credentials.redirectUri!)}&state=t`,
    'approve',
    account,
  );
  const code = new URL(location).searchParams.get('code')!;
  const token = await fetch(`${sandbox.url}/auth/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${sandbox.credentials.clientId}:${sandbox.credentials.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: sandbox.credentials.redirectUri!,
    }),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  return { authorization: `Bearer ${access_token}`, accept: 'application/vnd.allegro.public.v1+json' };
}

/** Every checkout form of an account (up to Allegro's 10 000-result cap), read with a token of our own. */
export async function allForms(sandbox: RunningSandbox, account: number): Promise<Form[]> {
  const headers = await sellerHeaders(sandbox, account);
  const forms: Form[] = [];
  for (let offset = 0; offset < 10_000; offset += 100) {
    let response = await fetch(`${sandbox.url}/order/checkout-forms?limit=100&offset=${offset}`, { headers });
    // A sandbox run with a tight rate limit may still be blocking the client: wait the block out.
    for (let tries = 0; response.status === 429 && tries < 20; tries++) {
      const seconds = Number(response.headers.get('retry-after'));
      await new Promise((r) => setTimeout(r, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 500));
      response = await fetch(`${sandbox.url}/order/checkout-forms?limit=100&offset=${offset}`, { headers });
    }
    if (!response.ok)
      throw new Error(`checkout forms at offset ${offset}: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { checkoutForms: Form[] };
    forms.push(...page.checkoutForms);
    if (page.checkoutForms.length < 100) return forms;
  }
  return forms;
}

export async function sandboxState(sandbox: RunningSandbox) {
  return (await (await fetch(`${sandbox.controlUrl}/state`)).json()) as {
    breaches: number;
    requests: Record<string, number>;
    effects: { kind: string; target?: string }[];
  };
}
