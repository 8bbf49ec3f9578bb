import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
export { freePort } from '../../src/testing/free-port.ts';
import { freePort } from '../../src/testing/free-port.ts';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of our own (initdb + pg_ctl) on a free loopback port, for tests and scenario
 * scripts that stop and start the database server (an outage) or need a server when `DATABASE_URL`
 * is not set. Never the machine's shared cluster. PostgreSQL refuses to run as root, so as root
 * every command runs as the `postgres` user (`runuser`), in a folder that user owns.
 */
export interface PgCluster {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  dir: string;
  /** A URL for another database of this cluster. */
  databaseUrl(name: string): string;
  createDatabase(name: string): Promise<string>;
  /** `fast` terminates every session (clients see 57P01), as an administrator's restart does. */
  stop(mode?: 'fast' | 'immediate' | 'smart'): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
  /** Stops the server if running and removes its folder. */
  destroy(): Promise<void>;
}

const BIN_CANDIDATES = ['/usr/lib/postgresql'];

/** The folder holding `initdb` and `pg_ctl` (newest Debian version, or on PATH via `PG_BIN`). */
export function findPgBin(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  for (const root of BIN_CANDIDATES) {
    if (!existsSync(root)) continue;
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  return undefined;
}

/** Why a cluster of our own cannot start here, or undefined when it can. */
export function pgClusterUnavailable(): string | undefined {
  if (!findPgBin()) return 'no PostgreSQL server binaries (initdb, pg_ctl) found; set PG_BIN';
  if (process.getuid?.() === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser'))
    return 'running as root without runuser to start PostgreSQL as the postgres user';
  return undefined;
}

export async function startPgCluster(options: { port?: number } = {}): Promise<PgCluster> {
  const bin = findPgBin();
  const unavailable = pgClusterUnavailable();
  if (!bin || unavailable) throw new Error(`Cannot start a PostgreSQL cluster: ${unavailable}`);
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'mch-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const exec = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const data = join(dir, 'data');
  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = options.port ?? (await freePort());
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    // A throwaway cluster: durability buys nothing and costs the shared disk.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  let running = false;
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const cluster: PgCluster = {
    url,
    port,
    dir,
    databaseUrl: (name) => `postgresql://postgres@127.0.0.1:${port}/${name}`,
    async createDatabase(name) {
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`create database "${name}"`);
      } finally {
        await admin.end();
      }
      return cluster.databaseUrl(name);
    },
    async start() {
      await exec('pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', 'start']);
      running = true;
    },
    async stop(mode = 'fast') {
      await exec('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      running = false;
    },
    running: () => running,
    async destroy() {
      if (running) await cluster.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
