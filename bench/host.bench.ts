// Host benchmarks (foundation issue): start-to-ready time of `host start` on a fresh embedded
// database, beside a bare Fastify process's start in the same run; and tRPC `settings.get`
// throughput (integrations.getSettings) beside a bare Fastify route doing the same database read.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { startTestHost } from '../host/test/support/test-host.ts';
import type { BenchRow, Bench } from './types.ts';

const root = join(import.meta.dirname, '..');

/** Spawns a process and resolves when `probe` answers 200, with the elapsed milliseconds. */
async function timeToReady(args: string[], env: NodeJS.ProcessEnv, probePath: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"address":"(http:\/\/[^"]+)"|listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve((match[1] ?? match[2])!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  for (;;) {
    const response = await fetch(url + probePath).catch(() => undefined);
    if (response?.status === 200) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const elapsed = performance.now() - started;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return elapsed;
}

async function startupRows(runs: number): Promise<BenchRow[]> {
  const host: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'mch-bench-start-'));
    const env = {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
      SKIP_DEMO: '1',
    };
    host.push(await timeToReady(['host/src/cli/main.ts', 'start', '--role', 'all'], env, '/readyz'));
    await rm(dataDir, { recursive: true, force: true });
    bare.push(
      await timeToReady(
        [
          '--input-type=module',
          '-e',
          "import Fastify from 'fastify'; const app = Fastify(); app.get('/readyz', async () => 'ok'); const a = await app.listen({ port: 0, host: '127.0.0.1' }); console.log('listening on ' + a);",
        ],
        { ...process.env, NODE_PATH: join(root, 'node_modules') },
        '/readyz',
      ),
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const h = median(host);
  const b = median(bare);
  return [
    {
      bench: 'host',
      metric: 'start → /readyz 200 (fresh embedded DB, median)',
      value: h,
      unit: 'ms',
      baseline: b,
      ratio: h / b,
      note: `baseline: bare Fastify process; ${runs} runs`,
    },
  ];
}

async function throughput(
  url: string,
  path: string,
  headers: Record<string, string>,
  requests: number,
): Promise<number> {
  const concurrency = 16;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const response = await fetch(url + path, { headers });
        if (response.status !== 200)
          throw new Error(`${path} → ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
  return (requests / (performance.now() - started)) * 1000;
}

async function settingsRows(requests: number): Promise<BenchRow[]> {
  const host = await startTestHost();
  const bare = Fastify();
  try {
    const tenant = await host.createTenant();
    const user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    const created = await user.trpc.integrations.create.mutate({
      pluginId: 'fixture-basic',
      label: 'bench',
      settings: { username: 'bench', password: 'bench-secret', syncFrequencyMinutes: 30 },
    });
    const pool = host.database.db.pool;
    bare.get('/settings/:id', async (request) => {
      const { rows } = await pool.query('select settings from integrations where id = $1', [
        (request.params as { id: string }).id,
      ]);
      return { settings: rows[0]?.settings };
    });
    const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
    const input = encodeURIComponent(JSON.stringify({ id: created.id }));
    // Warm-up, then measure each side the same way.
    await throughput(host.url, `/trpc/integrations.getSettings?input=${input}`, { cookie: user.cookie }, 200);
    await throughput(bareUrl, `/settings/${created.id}`, {}, 200);
    const trpc = await throughput(
      host.url,
      `/trpc/integrations.getSettings?input=${input}`,
      { cookie: user.cookie },
      requests,
    );
    const plain = await throughput(bareUrl, `/settings/${created.id}`, {}, requests);
    return [
      {
        bench: 'host',
        metric: 'tRPC integrations.getSettings',
        value: trpc,
        unit: 'req/s',
        baseline: plain,
        ratio: trpc / plain,
        note: `baseline: bare Fastify route, same DB read (${host.database.db.kind}); ${requests} req, 16 concurrent`,
      },
    ];
  } finally {
    await bare.close();
    await host.stop();
  }
}

const bench: Bench = async ({ quick }) => [
  ...(await startupRows(quick ? 1 : 3)),
  ...(await settingsRows(quick ? 500 : 5000)),
];
export default bench;
