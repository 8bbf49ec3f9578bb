// What the console journeys against the eMAG sandbox share: the host on the root plugin registry
// with the sandbox as eMAG, a Romanian seller's admin, and a signed-in browser page.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../../../plugins/emag/sandbox/index.ts';
import { emagConfig } from '../../../plugins/emag/test/support.ts';
import { createTenant, createUser } from '../../../host/src/tenancy/index.ts';
import { SAMPLE_COMPANIES } from '../../../host/src/invoicing/seller-identity.ts';
import { launchChromium, logIn } from './browser.ts';
import { REPO_ROOT, startConsoleHost, type ConsoleHost } from './console-host.ts';

export interface EmagJourney {
  host: ConsoleHost;
  sandbox: RunningSandbox;
  browser: Browser;
  page: Page;
  /** tRPC from the signed-in page (same origin, the session cookie rides along). */
  trpc<T>(path: string, input: unknown, method: 'GET' | 'POST'): Promise<T>;
  stop(): Promise<void>;
}

export async function startEmagJourney(options: {
  sandbox: Parameters<typeof startSandbox>[0];
  /** The seller's organisation (a Romanian company) and its admin's email. */
  tenant: string;
  email: string;
  viewport: { width: number; height: number };
}): Promise<EmagJourney> {
  let sandbox: RunningSandbox | undefined;
  const host = await startConsoleHost({
    registryPath: join(REPO_ROOT, 'plugin.manifest.json'),
    async pluginConfig() {
      sandbox = await startSandbox(options.sandbox);
      return new Map([['emag', emagConfig(sandbox)]]);
    },
  });
  const em = () => host.database.db.orm.em.fork();
  const tenant = await createTenant({ em: em(), name: options.tenant, company: SAMPLE_COMPANIES.RO });
  await createUser({
    em: em(),
    tenant: tenant.id,
    email: options.email,
    role: 'tenant_admin',
    password: host.users.password,
  });
  const browser = await launchChromium();
  const page = await (await browser.newContext({ viewport: options.viewport })).newPage();
  page.setDefaultTimeout(20_000);
  await logIn(page, host.url, options.email, host.users.password);
  return {
    host,
    sandbox: sandbox!,
    browser,
    page,
    async trpc<T>(path: string, input: unknown, method: 'GET' | 'POST'): Promise<T> {
      const body = await page.evaluate(
        async ({ path, input, method }) => {
          const url =
            method === 'GET'
              ? `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`
              : `/trpc/${path}`;
          const response = await fetch(url, {
            method,
            headers: { 'content-type': 'application/json' },
            ...(method === 'POST' ? { body: JSON.stringify(input) } : {}),
          });
          return (await response.json()) as unknown;
        },
        { path, input, method },
      );
      const data = (body as { result?: { data: T } }).result;
      if (!data) throw new Error(`${path}: ${JSON.stringify(body)}`);
      return data.data;
    },
    async stop() {
      await browser.close();
      await host.stop();
      await sandbox?.close();
    },
  };
}
