import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/api/router.ts';
import { startFakeOAuthProvider, type FakeOAuthProvider } from './support/fake-oauth-provider.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

type ProcedureDef = { _def: { type: 'query' | 'mutation' | 'subscription' } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>);

/**
 * Issue 11, what held and must keep holding: secrets (passwords, API tokens, session cookies,
 * secret settings, OAuth codes and tokens, OAuth state, signed webhook tokens) appear in no table
 * of the database, no log line and no API response; and no input, however malformed, makes any
 * tRPC procedure or REST route answer 500. Procedures and routes are enumerated from the router
 * and the server, so a new one is covered without editing this file.
 */
describe('security: secrets stay secret, malformed input never breaks a route', () => {
  let host: TestHost;
  let provider: FakeOAuthProvider;
  let user: TestActor;
  let admin: TestActor;
  let integrationId: string;
  const secrets: string[] = [];
  const responses: string[] = [];
  const overrides = new Map<string, Record<string, string>>();
  const SECRET_SETTING = 'planted-basic-password-Qx81';

  beforeAll(async () => {
    provider = await startFakeOAuthProvider();
    host = await startTestHost({ configOverrides: overrides });
    overrides.set('fixture-rich', provider.config(`${host.url}/api/v1/fixture-rich/auth/callback`));
    const tenantId = (await host.createTenant('Secret Co')).id;
    user = await host.createActor({ role: 'tenant_admin', tenantId });
    admin = await host.createActor({ role: 'platform_admin' });
    integrationId = (
      await user.trpc.integrations.create.mutate({
        pluginId: 'fixture-basic',
        settings: { username: 'secret-login', password: SECRET_SETTING },
      })
    ).id;
    const { url } = await user.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-rich' });
    const state = new URL(url).searchParams.get('state')!;
    const landed = await fetch(provider.approve(url, 'secret-account'), {
      redirect: 'manual',
      headers: { cookie: user.cookie },
    });
    const richId = new URL(landed.headers.get('location')!, 'http://x').searchParams.get('connected')!;
    expect(richId).toBeTruthy();
    const webhookToken = host.app.services.sync.webhookUrl(richId, 'order-created').split('/').pop()!;
    secrets.push(
      SECRET_SETTING,
      state,
      webhookToken,
      ...provider.issued,
      ...[user, admin].flatMap((a) => [a.password, a.token, a.cookie.split('=')[1]!]),
    );
    for (const secret of secrets) host.plantSecret(secret);
  });
  afterAll(async () => {
    await host?.stop();
    await provider?.close();
  });

  it('keeps every secret out of every table of the database (a full dump)', async () => {
    const pool = host.database.db.pool;
    const { rows: tables } = await pool.query<{ name: string }>(
      `select quote_ident(table_schema) || '.' || quote_ident(table_name) as name
         from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    );
    expect(tables.length).toBeGreaterThan(10);
    let dumped = 0;
    for (const { name } of tables) {
      const { rows } = await pool.query<{ row: string }>(`select row_to_json(t)::text as row from ${name} t`);
      for (const { row } of rows) {
        dumped++;
        for (const secret of secrets)
          expect(row.includes(secret), `${name} holds ${secret}: ${row.slice(0, 300)}`).toBe(false);
      }
    }
    expect(dumped).toBeGreaterThan(20);
  });

  it('answers no secret in any response the console or a script reads', async () => {
    const reads = [
      () => user.trpc.integrations.list.query(),
      () => user.trpc.integrations.get.query({ id: integrationId }),
      () => user.trpc.integrations.getSettings.query({ id: integrationId }),
      () => user.trpc.integrations.status.query({ id: integrationId }),
      () => user.trpc.auth.me.query(),
      () => user.trpc.system.me.query(),
      () => user.trpc.tenant.get.query(),
      () => admin.trpc.admin.integrations.query({}),
      () => admin.trpc.admin.tenants.query(),
      () => user.rest(`/api/v1/fixture-basic/settings/${integrationId}`),
      () => user.rest('/api/v1/fixture-basic/integrations'),
      () => user.rest('/api/v1/fixture-rich/integrations'),
      () => user.rest('/api/v1/fixture-basic/integration/configuration'),
    ];
    for (const read of reads) responses.push(JSON.stringify(await read()));
    const settings = await user.trpc.integrations.getSettings.query({ id: integrationId });
    expect(settings.secretsSet).toContain('password');
    for (const text of responses)
      for (const secret of secrets) expect(text.includes(secret), `a response holds ${secret}`).toBe(false);
  });

  /** Values that used to break handlers deep inside (PostgreSQL refuses NUL; recursion on depth). */
  const NUL = 'x\u0000y';
  const deep = (n: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < n; i++) value = [value];
    return value;
  };
  const malformed: unknown[] = [
    NUL,
    { id: NUL, pluginId: NUL, tenantId: NUL, runId: NUL, email: NUL, password: NUL, name: NUL, q: NUL },
    { id: 'not-a-uuid', runId: 'not-a-uuid', tenantId: 'not-a-uuid', integrationId: 'x'.repeat(5000) },
    { id: '00000000-0000-0000-0000-000000000000', settings: { [NUL]: NUL }, input: { orderId: NUL } },
    { ids: [NUL], action: NUL, settings: NUL, limit: -1, offset: 1e308, from: NUL, to: '9999-99-99' },
    [1, 2, 3],
    12345,
    null,
    deep(200),
  ];

  it('never answers 500 to malformed input on any tRPC procedure, for any caller', async () => {
    const callers = [
      { name: 'anonymous', headers: {} as Record<string, string> },
      { name: 'tenant admin', headers: { authorization: `Bearer ${user.token}` } },
      { name: 'platform admin', headers: { authorization: `Bearer ${admin.token}` } },
    ];
    expect(procedures.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const [path, procedure] of procedures) {
      for (const caller of callers) {
        for (const input of malformed) {
          const text = JSON.stringify(input);
          const response =
            procedure._def.type === 'query'
              ? await fetch(`${host.url}/trpc/${path}?input=${encodeURIComponent(text)}`, {
                  headers: caller.headers,
                })
              : await fetch(`${host.url}/trpc/${path}`, {
                  method: 'POST',
                  headers: { ...caller.headers, 'content-type': 'application/json' },
                  body: text,
                });
          const body = await response.text();
          if (response.status >= 500)
            failures.push(
              `${path} (${caller.name}) ${text.slice(0, 80)} → ${response.status} ${body.slice(0, 200)}`,
            );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('never answers 500 to malformed input on any REST route', async () => {
    const routes = host.app.http!.registeredRoutes.filter(
      (r) => r.method !== 'HEAD' && !r.url.startsWith('/trpc'),
    );
    expect(routes.length).toBeGreaterThan(15);
    const params = [
      '%00',
      'x'.repeat(300),
      '00000000-0000-0000-0000-000000000000',
      integrationId,
      '..%2F..%2Fetc',
    ];
    const failures: string[] = [];
    for (const route of routes) {
      for (const param of params) {
        const path = route.url.replace(/:[A-Za-z]+/g, param).replace('*', param);
        for (const body of route.method === 'GET' ? [undefined] : malformed.map((m) => JSON.stringify(m))) {
          const response = await fetch(`${host.url}${path}?integrationId=${param}&limit=${param}&q=%00`, {
            method: route.method,
            headers: {
              authorization: `Bearer ${user.token}`,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(body === undefined ? {} : { body }),
          });
          const text = await response.text();
          responses.push(text);
          if (response.status >= 500)
            failures.push(
              `${route.method} ${route.url} [${param}] ${String(body).slice(0, 60)} → ${response.status} ${text.slice(0, 200)}`,
            );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('logged none of the secrets, and no internal error for any of the malformed calls', () => {
    const logs = host.logs();
    for (const secret of secrets) expect(logs.includes(secret), `the logs hold ${secret}`).toBe(false);
    const errors = logs.split('\n').filter((line) => line.includes('"level":50'));
    expect(errors.map((l) => l.slice(0, 300))).toEqual([]);
  });
});
