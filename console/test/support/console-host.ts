// A real host for the console's browser tests: an isolated database, the fixture plugin registry,
// the built console served at `/` — the same server `npm start` runs, on a random loopback port.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHostApp, type HostApp } from '../../../host/src/app/host-app.ts';
import { readEnv } from '../../../host/src/config/env.ts';
import { createTenant, createUser } from '../../../host/src/tenancy/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../host/src/testing/database.ts';
import { SAMPLE_COMPANIES } from '../../../host/src/invoicing/seller-identity.ts';
import { freePort } from '../../../host/src/testing/free-port.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const CONSOLE_BUILD = join(REPO_ROOT, 'console/build');
export const FIXTURE_REGISTRY = join(REPO_ROOT, 'host/test/fixtures/plugins/plugin.manifest.json');

export interface ConsoleHost {
  url: string;
  app: HostApp;
  database: TestDatabase;
  /** Platform admin, tenant admin of "Acme Shop" and one of "Other Shop"; password for all. */
  users: { admin: string; seller: string; otherSeller: string; password: string };
  tenants: { acme: string; other: string };
  stop(): Promise<void>;
}

export async function startConsoleHost(
  options: {
    registryPath?: string;
    env?: Record<string, string>;
    /** Plugin config per plugin id; called with the host's public URL (OAuth redirect URIs). */
    pluginConfig?: (publicUrl: string) => Promise<Map<string, Record<string, string>>>;
    /** Multiplies the manifests' retry delays (a journey through many retries shortens them). */
    retryScale?: number;
  } = {},
) {
  if (!existsSync(join(CONSOLE_BUILD, 'index.html'))) {
    throw new Error(
      'console/build is missing: run `npm run build -w @mch/console` (npm test does it first).',
    );
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mch-console-'));
  const publicUrl = `http://127.0.0.1:${port}`;
  const env = readEnv({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PUBLIC_URL: publicUrl,
    ...options.env,
  });
  const configOverrides = options.pluginConfig ? await options.pluginConfig(publicUrl) : undefined;
  const database = await createTestDatabase();
  const app = await createHostApp({
    env,
    database: database.db,
    consoleDir: CONSOLE_BUILD,
    registryPath: options.registryPath ?? FIXTURE_REGISTRY,
    schedulerPollMs: 200,
    ...(options.retryScale ? { schedulerRetryScale: options.retryScale } : {}),
    ...(configOverrides ? { configOverrides } : {}),
  });
  const { url } = await app.start();
  if (!url) throw new Error('the host did not listen');

  const password = 'correct horse battery staple';
  const em = () => database.db.orm.em.fork();
  const acme = await createTenant({ em: em(), name: 'Acme Shop', company: SAMPLE_COMPANIES.PL });
  const other = await createTenant({ em: em(), name: 'Other Shop' });
  const users = {
    admin: 'admin@example.test',
    seller: 'seller@acme.test',
    otherSeller: 'seller@other.test',
    password,
  };
  await createUser({ em: em(), email: users.admin, role: 'platform_admin', password });
  await createUser({ em: em(), tenant: acme.id, email: users.seller, role: 'tenant_admin', password });
  await createUser({ em: em(), tenant: other.id, email: users.otherSeller, role: 'tenant_admin', password });

  return {
    url: url.replace('localhost', '127.0.0.1'),
    app,
    database,
    users,
    tenants: { acme: acme.id, other: other.id },
    async stop() {
      await app.stop();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  } satisfies ConsoleHost;
}
