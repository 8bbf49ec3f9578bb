import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import {
  createTestDatabase,
  type TestDatabase,
  NO_SERVER,
  serverDatabaseUrl,
  startTestHost,
  type TestActor,
  type TestHost,
  freePort,
} from '@mch/host/testing';
import {
  allOrders,
  connect,
  emagConfig,
  eventually,
  invoicesOf,
  ROMANIAN_SELLER,
  ROOT_REGISTRY,
  sandboxState,
  waitForRun,
} from './support.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');

const ORDERS = 600;

/**
 * A host process killed (SIGKILL) in the middle of a sync, then a new one: every order invoiced
 * once and every invoice attached once. Needs real PostgreSQL: the processes share the database.
 */
describe.skipIf(!serverDatabaseUrl())(
  `eMAG: host killed mid-run and restarted${serverDatabaseUrl() ? '' : NO_SERVER}`,
  () => {
    let database: TestDatabase;
    let sandbox: RunningSandbox;
    let api: TestHost;
    let user: TestActor;
    const children: ChildProcess[] = [];

    beforeAll(async () => {
      database = await createTestDatabase({ server: true });
      sandbox = await startSandbox({ orders: ORDERS, seed: 'crash', extra: { now: '2026-11-20T12:00:00Z' } });
      // An API-only host on the same database: creates the tenant and integration, starts syncs.
      api = await startTestHost({ registryPath: ROOT_REGISTRY, role: 'api', database });
      const tenant = await api.createTenant(undefined, ROMANIAN_SELLER);
      user = await api.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    }, 60_000);
    afterAll(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await api?.stop();
      await sandbox?.close();
      await database?.close();
    });

    /**
     * `host start --role all` as its own process, on the test database and the sandbox. Every
     * process gets the same port and PUBLIC_URL, as a real deployment keeps its public address:
     * the invoice links a crashed process handed to eMAG stay the same after the restart.
     */
    let port = 0;
    async function startHostProcess(): Promise<ChildProcess> {
      if (!port) port = await freePort();
      const child = spawn(
        process.execPath,
        [join(REPO, 'host/src/cli/main.ts'), 'start', '--role', 'all', '--registry', ROOT_REGISTRY],
        {
          cwd: REPO,
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: database.url!,
            PORT: String(port),
            PUBLIC_URL: `http://127.0.0.1:${port}`,
            HOST: '127.0.0.1',
            DATA_DIR: await mkdtemp(join(tmpdir(), 'mch-emag-crash-')),
            HOST_MASTER_KEY: api.app.services.env.masterKey!,
            LOG_LEVEL: 'warn',
            OUTBOUND_STALE_AFTER_MS: '2000',
            ...emagConfig(sandbox),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(child);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await eventually(async () => (/listening on/.test(output) ? true : undefined), 30_000).catch(() => {
        throw new Error(`host process did not start:\n${output}`);
      });
      return child;
    }

    const saved = async () =>
      (await sandboxState(sandbox)).effects.filter((e) => e.kind === 'order.attachment_saved');

    it('invoices and attaches every order exactly once across the crash', async () => {
      const first = await startHostProcess();
      const id = await connect(user, 'ro-main');
      // Kill it while invoices are being attached: some are, most are not.
      await eventually(async () => ((await saved()).length >= 60 ? true : undefined), 120_000);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const atCrash = (await saved()).length;
      const invoicesAtCrash = (await invoicesOf(user, id)).length;

      await sleep(2500); // claims the dead process left `running` are now stale
      await startHostProcess();
      const started = await user.rest<{ runId: string }>(`/api/v1/emag/sync/${id}`, {
        method: 'POST',
        body: {},
      });
      expect(started.status, started.text).toBe(202);
      await waitForRun(user, started.body.runId, 600_000);

      const orders = await allOrders(sandbox, 'ro-main');
      const invoiced = orders.filter((o) => o.status !== 0 && o.status !== 1);
      // Retries (the failure policy) may be needed; wait until every invoice is attached.
      const effects = await eventually(async () => {
        const list = await saved();
        return list.length >= invoiced.length ? list : undefined;
      }, 600_000);
      const invoices = await invoicesOf(user, id);
      expect(atCrash).toBeLessThan(invoiced.length);
      expect(invoicesAtCrash).toBeLessThanOrEqual(invoiced.length);
      expect(invoices).toHaveLength(invoiced.length);
      expect(new Set(invoices.map((i) => i.externalOrderId)).size).toBe(invoices.length);
      expect(effects.map((e) => e.target).sort()).toEqual(invoices.map((i) => i.externalOrderId).sort());
      expect((await sandboxState(sandbox)).breaches).toBe(0);
    }, 900_000);
  },
);
