import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '../src/db/pg-pool.ts';
import { eventually, startHostProcess, type HostProcess } from '../src/testing/host-process.ts';
import { freePort, pgClusterUnavailable, startPgCluster, type PgCluster } from './support/pg-cluster.ts';

/** The demo's plugins of the company's documents: their sandboxes' effects are not marketplace effects. */
const CLEARANCE_SANDBOXES = new Set(['ksef', 'ro-efactura']);

interface Effect {
  plugin: string;
  kind: string;
  account: string;
  target?: string;
}

const unavailable = pgClusterUnavailable();
/** How long the database stays down (issue 20 reported ten seconds killing the host). */
const OUTAGE_MS = 8000;

/**
 * Issue 20: a PostgreSQL restart must not kill the host. A cluster of this test's own (never the
 * shared one) serves `host start --role all --demo on` — every plugin's sandbox in the host
 * process, a demo account syncing at once — and is stopped in fast mode in the middle of that sync
 * (every session gets 57P01), kept down, and started again.
 */
describe.skipIf(unavailable)(
  `a host process through a PostgreSQL restart${unavailable ? ` — SKIPPED: ${unavailable}` : ''}`,
  () => {
    let cluster: PgCluster;
    let url: string;
    let db: pg.Pool;
    let host: HostProcess | undefined;

    beforeAll(async () => {
      cluster = await startPgCluster();
      url = await cluster.createDatabase('outage');
      db = createPgPool({ url, max: 2, name: 'test' });
    });
    afterAll(async () => {
      await host?.stop('SIGKILL');
      if (host) writeFileSync(join(tmpdir(), 'mch-database-outage-host.log'), host.output());
      await db?.end().catch(() => undefined);
      await cluster?.destroy();
    });

    const sandboxes = () =>
      [...(host?.output() ?? '').matchAll(/^ {2}sandbox (\S+): (http:\/\/\S+)$/gm)].map(([, plugin, at]) => ({
        plugin: plugin!,
        url: at!,
      }));
    async function effects(): Promise<Effect[]> {
      const all: Effect[] = [];
      for (const sandbox of sandboxes()) {
        if (CLEARANCE_SANDBOXES.has(sandbox.plugin)) continue;
        const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as { effects: Effect[] };
        all.push(...state.effects.map((effect) => ({ ...effect, plugin: sandbox.plugin })));
      }
      return all;
    }
    const alive = () => host?.child.exitCode === null && host.child.signalCode === null;

    it('stays up, is not ready while the database is down, then resumes with nothing lost or done twice', async () => {
      const port = await freePort();
      host = startHostProcess({
        args: ['--role', 'all', '--demo', 'on'],
        port,
        env: {
          DATABASE_URL: url,
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          HOST_MASTER_KEY: randomBytes(32).toString('base64'),
          // A claim cut off by the outage is taken over quickly (the plugin checks the marketplace first).
          OUTBOUND_STALE_AFTER_MS: '2000',
          INVOICE_PDF_THREADS: '1',
        },
      });
      // Request lines drown everything else: keep the rest (the whole output is in the log file).
      const failure = (what: string) =>
        `${what}\n--- host output (mch-database-outage-host.log in ${tmpdir()} has all) ---\n${(
          host?.output() ?? ''
        )
          .split('\n')
          .filter((line) => !/"msg":"(incoming request|request completed)"/.test(line))
          .slice(-80)
          .join('\n')}`;
      await eventually(
        'the host to be ready',
        async () => ((await host!.readyz())?.status === 200 ? true : undefined),
        60_000,
      ).catch((error: Error) => {
        throw new Error(failure(error.message));
      });
      await eventually('the demo sandboxes', async () => (sandboxes().length > 0 ? true : undefined), 30_000);

      // Mid-run: some effects reached the marketplace, the sync is still going.
      const { rows: running } = await eventually(
        'a sync in the middle of its work',
        async () => {
          if ((await effects()).length < 15) return undefined;
          const result = await db.query<{ id: string; job_id: string; integration_id: string }>(
            `select id, job_id, integration_id from sync_runs where status = 'running'`,
          );
          return result.rows.length > 0 ? result : undefined;
        },
        60_000,
        50,
      );
      const interrupted = running[0]!;
      const effectsAtStop = (await effects()).length;

      await cluster.stop('fast');
      const stoppedAt = Date.now();
      const notReady = await eventually(
        '/readyz to say not ready',
        async () => {
          const ready = await host!.readyz();
          return ready && ready.status === 503 ? ready : undefined;
        },
        5000,
      );
      expect(notReady.body).toMatchObject({ status: 'not ready' });
      while (Date.now() - stoppedAt < OUTAGE_MS) {
        expect(alive(), failure('the host process died while the database was down')).toBe(true);
        expect((await host.readyz())?.status, failure('/readyz during the outage')).toBe(503);
        await sleep(500);
      }

      // Taken before the start: the host may reconnect before pg_ctl returns.
      const restartedAt = new Date();
      await cluster.start();
      const readyAgain = Date.now();
      await eventually(
        '/readyz to say ready again',
        async () => ((await host!.readyz())?.status === 200 ? true : undefined),
        20_000,
      ).catch((error: Error) => {
        throw new Error(failure(error.message));
      });
      const readyAfterMs = Date.now() - readyAgain;

      // The interrupted job resumes by itself (a retry, not the next 15-minute tick) and succeeds.
      const resumed = await eventually(
        'the interrupted job to run again and succeed',
        async () => {
          const { rows } = await db.query<{ status: string; trigger: string }>(
            `select status, trigger from sync_runs where integration_id = $1 and job_id = $2 and started_at >= $3
              order by started_at desc limit 1`,
            [interrupted.integration_id, interrupted.job_id, restartedAt],
          );
          return rows[0]?.status === 'succeeded' ? rows[0] : undefined;
        },
        60_000,
        250,
      ).catch((error: Error) => {
        throw new Error(failure(error.message));
      });
      expect(alive()).toBe(true);

      // Nothing done twice: one invoice per marketplace order (its corrections apart: one per
      // refund), each marketplace effect once.
      const { rows: twice } = await db.query(
        `select integration_id, external_order_id, coalesce(correction_key, '') as key, count(*)::int as n
           from invoices where external_order_id is not null group by 1, 2, 3 having count(*) > 1`,
      );
      expect(twice).toEqual([]);
      const final = await effects();
      const seen = new Map<string, number>();
      for (const e of final) {
        const key = `${e.plugin} ${e.account} ${e.kind} ${e.target ?? ''}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
      // Nothing lost: every outbound operation finished (none left claimed or pending), every
      // one of them reached the marketplace, and the sync did more after the restart.
      const { rows: ops } = await db.query<{ status: string; n: number }>(
        // Marketplace effects only: the demo's clearance plugins (KSeF, RO e-Factura) are still
        // clearing the documents issued meanwhile, at their authorities' pace.
        `select status, count(*)::int as n from outbound_operations where kind <> 'clearance' group by 1 order by 1`,
      );
      // The interrupted run's record is closed (other plugins' jobs of the demo may be running now).
      const { rows: stale } = await db.query(
        `select id from sync_runs where status = 'running' and integration_id = $1 and job_id = $2
            and started_at < $3`,
        [interrupted.integration_id, interrupted.job_id, restartedAt],
      );
      expect(stale).toEqual([]);
      const { rows: invoices } = await db.query<{ n: number }>(`select count(*)::int as n from invoices`);
      process.stdout.write(
        `${JSON.stringify({ outageMs: OUTAGE_MS, readyAfterMs, effectsAtStop, effects: final.length, invoices: invoices[0]?.n, ops, resumedBy: resumed.trigger })}\n`,
      );
      expect(ops.filter((o) => o.status !== 'succeeded')).toEqual([]);
      // …and each succeeded operation is exactly one effect the marketplace saw.
      expect(final.length).toBe(ops.reduce((sum, o) => sum + o.n, 0));
      expect(final.length).toBeGreaterThan(effectsAtStop);

      expect(await host.stop()).toBe(0);
    }, 180_000);
  },
);
