import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '../api/router.ts';
import { createHostApp, type HostApp, type HostRole } from '../app/host-app.ts';
import { readEnv } from '../config/env.ts';
import type { Role } from '../db/entities/user.entity.ts';
import { createLogger } from '../logging/logger.ts';
import { createApiToken, createTenant, createUser } from '../tenancy/index.ts';
import type { CompanyIdentityInput } from '../tenancy/create-tenant.ts';
import { Company } from '../db/entities/index.ts';
import { startRatesSandbox, type RunningRatesSandbox } from '../invoicing/rates-sandbox.ts';
import { SAMPLE_COMPANIES } from '../invoicing/seller-identity.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

/** Complete sellers (Polish, Romanian) to create test tenants with. */
export { SAMPLE_COMPANIES };

let sharedRates: Promise<RunningRatesSandbox> | undefined;

/**
 * Tests never reach the real NBP and BNR: one local sandbox of both per test process, unless the
 * test points NBP_API_URL / BNR_RATES_URL elsewhere itself.
 */
async function useRatesSandbox(): Promise<void> {
  if (process.env.NBP_API_URL && process.env.BNR_RATES_URL) return;
  sharedRates ??= startRatesSandbox().then((sandbox) => {
    sandbox.unref();
    return sandbox;
  });
  const { url } = await sharedRates;
  process.env.NBP_API_URL ??= url;
  process.env.BNR_RATES_URL ??= url;
}

/**
 * NBP_API_URL and BNR_RATES_URL of this test process's rates sandbox, for host processes a test
 * spawns itself (they never reach the real NBP and BNR either).
 */
export async function ratesSandboxEnv(): Promise<{ NBP_API_URL: string; BNR_RATES_URL: string }> {
  await useRatesSandbox();
  return { NBP_API_URL: process.env.NBP_API_URL!, BNR_RATES_URL: process.env.BNR_RATES_URL! };
}

export interface RestResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, else the raw text. */
  body: T;
  text: string;
}

export interface RestCall {
  method?: string;
  token?: string;
  cookie?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A signed-in user of the test host, with both ways in: API token (REST) and session (tRPC). */
export interface TestActor {
  id: string;
  email: string;
  password: string;
  role: Role;
  tenantId: string | null;
  token: string;
  cookie: string;
  trpc: TRPCClient<AppRouter>;
  rest<T = unknown>(path: string, call?: Omit<RestCall, 'token' | 'cookie'>): Promise<RestResponse<T>>;
}

export interface TestHost {
  app: HostApp;
  url: string;
  database: TestDatabase;
  /** Everything the host logged so far, one JSON line per entry. */
  logs(): string;
  /**
   * A tenant whose default company (the one integrations issue under) is `company` — a complete
   * Polish seller unless given (e.g. `SAMPLE_COMPANIES.RO`), with the One-Stop-Shop scheme when
   * `usesOss` is set.
   */
  createTenant(
    name?: string,
    company?: TestCompany,
  ): Promise<{ id: string; slug: string; companyId: string }>;
  /** A user with a password, an API token and a logged-in tRPC client. */
  createActor(input: {
    role: Role;
    tenantId?: string | null;
    email?: string;
    password?: string;
  }): Promise<TestActor>;
  /** A tRPC client sending the given cookie or bearer token (or nothing). */
  trpc(auth?: { cookie?: string; token?: string }): TRPCClient<AppRouter>;
  rest<T = unknown>(path: string, call?: RestCall): Promise<RestResponse<T>>;
  login(email: string, password: string): Promise<string>;
  /**
   * Registers a secret the logs must never contain. Every actor's password, API token and session
   * cookie are registered already; `stop()` fails if any of them was logged.
   */
  plantSecret(secret: string): void;
  stop(): Promise<void>;
}

/** A seller for a test tenant: its identity, and whether it declares distance sales under OSS. */
export type TestCompany = CompanyIdentityInput & { usesOss?: boolean };

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

/**
 * The real host on `127.0.0.1:0` against an isolated database (fresh PostgreSQL database with
 * `DATABASE_URL`, in-memory PGlite without), loading the plugins of `registryPath`. The logger writes into a buffer so tests can scan a whole run's logs for planted secrets.
 */
export async function startTestHost(options: {
  /** The plugin registry (a plugin's manifest, or a registry file listing several). */
  registryPath: string;
  role?: HostRole;
  /** Plugin config overrides (point a plugin at its sandbox); may be filled after start. */
  configOverrides?: Map<string, Record<string, string>>;
  schedulerPollMs?: number;
  /** Multiplies the manifests' job intervals (a plugin's every-minute job every 6 s at 0.1). */
  schedulerIntervalScale?: number;
  outboundStaleAfterMs?: number;
  /** Reuse a database (e.g. a restarted host after a crash); closed by the caller. */
  database?: TestDatabase;
  /** Start PDF render threads at start, as a production host does (benchmarks); default off. */
  warmPdfRenderer?: boolean;
  /** Log level; default `debug`, so tests can scan everything a run logged (benchmarks use `info`). */
  logLevel?: 'debug' | 'info' | 'warn';
  /** More host environment (e.g. `TRUST_PROXY`). */
  env?: Record<string, string>;
}): Promise<TestHost> {
  await useRatesSandbox();
  const ownsDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const dataDir = await mkdtemp(join(tmpdir(), 'mch-test-host-'));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const env = readEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    HOST_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: options.logLevel ?? 'debug',
    ...options.env,
  });
  const logger = createLogger({ level: options.logLevel ?? 'debug', destination });
  const app = await createHostApp({
    env,
    role: options.role ?? 'api',
    logger,
    database: database.db,
    registryPath: options.registryPath,
    consoleDir: join(dataDir, 'no-console'),
    ...(options.configOverrides ? { configOverrides: options.configOverrides } : {}),
    ...(options.schedulerPollMs ? { schedulerPollMs: options.schedulerPollMs } : {}),
    ...(options.schedulerIntervalScale ? { schedulerIntervalScale: options.schedulerIntervalScale } : {}),
    ...(options.outboundStaleAfterMs ? { outboundStaleAfterMs: options.outboundStaleAfterMs } : {}),
    warmPdfRenderer: options.warmPdfRenderer ?? false,
  });
  const { url } = await app.start();
  if (!url) throw new Error('The test host did not listen (role worker has no HTTP server).');
  const em = () => database.db.orm.em.fork();
  const planted = new Set<string>();

  async function rest<T>(path: string, call: RestCall = {}): Promise<RestResponse<T>> {
    const headers: Record<string, string> = { ...call.headers };
    if (call.token) headers.authorization = `Bearer ${call.token}`;
    if (call.cookie) headers.cookie = call.cookie;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, {
      method: call.method ?? 'GET',
      headers,
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
    });
    const text = await response.text();
    let body: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: body as T, text };
  }

  function trpc(auth: { cookie?: string; token?: string } = {}): TRPCClient<AppRouter> {
    return createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${url}/trpc`,
          headers: () => ({
            ...(auth.cookie ? { cookie: auth.cookie } : {}),
            ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
          }),
        }),
      ],
    });
  }

  async function login(email: string, password: string): Promise<string> {
    const response = await fetch(`${url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const cookie = response.headers.get('set-cookie');
    if (response.status !== 200 || !cookie)
      throw new Error(`login failed: ${response.status} ${await response.text()}`);
    return cookie.split(';')[0] ?? '';
  }

  return {
    app,
    url,
    database,
    logs: () => lines.join(''),
    async createTenant(name = unique('Tenant'), company: TestCompany = SAMPLE_COMPANIES.PL) {
      const { usesOss, ...identity } = company;
      const tenant = await createTenant({ em: em(), name, company: identity });
      if (usesOss) await em().nativeUpdate(Company, { id: tenant.companyId }, { usesOss: true });
      return tenant;
    },
    async createActor({ role, tenantId = null, email = `${unique(role)}@example.test`, password }) {
      const finalPassword = password ?? `pw-${randomBytes(12).toString('hex')}`;
      const user = await createUser({
        em: em(),
        ...(tenantId ? { tenant: tenantId } : {}),
        email,
        role,
        password: finalPassword,
      });
      const { token } = await createApiToken({ em: em(), email: user.email });
      const cookie = await login(user.email, finalPassword);
      for (const secret of [finalPassword, token, cookie.split('=')[1] ?? ''])
        if (secret) planted.add(secret);
      return {
        id: user.id,
        email: user.email,
        password: finalPassword,
        role,
        tenantId: user.tenantId,
        token,
        cookie,
        trpc: trpc({ cookie }),
        rest: (path, call = {}) => rest(path, { ...call, token }),
      };
    },
    trpc,
    rest,
    login,
    plantSecret(secret) {
      planted.add(secret);
    },
    async stop() {
      await app.stop();
      if (ownsDatabase) await database.close();
      await rm(dataDir, { recursive: true, force: true });
      // SPEC "Vault": secrets never appear in logs. Checked for every test host, whatever it tested.
      const text = lines.join('');
      const leaked = [...planted].filter((secret) => text.includes(secret));
      if (leaked.length > 0) {
        const line = lines.find((l) => leaked.some((secret) => l.includes(secret))) ?? '';
        throw new Error(
          `The host logged ${leaked.length} planted secret(s); first such line: ${line.slice(0, 300)}`,
        );
      }
    },
  };
}
