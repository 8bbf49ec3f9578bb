import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvoiceSeries } from '../src/db/entities/invoice-series.entity.ts';
import { Invoice } from '../src/db/entities/invoice.entity.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; code: string }[] } };

/** The secrets this file plants; none may appear in any log line of the run. */
const SECRET_SETTING = 'planted-setting-secret-5Tq9';
const WRONG_PASSWORD = 'planted-wrong-password-Lm3x';
const OAUTH_CODE = 'planted-oauth-code-Hh72';

/**
 * A fake marketplace for fixture-basic's connection test: answers exactly the request it expects
 * and fails loudly on anything else.
 */
async function startFakeMarketplace(): Promise<{ url: string; app: FastifyInstance; seen: string[] }> {
  const app = Fastify();
  const seen: string[] = [];
  app.get('/ro/ping', async (request) => {
    seen.push(request.headers.authorization ?? '');
    return { ok: true };
  });
  app.setNotFoundHandler(async (request, reply) => {
    seen.push(`UNEXPECTED ${request.method} ${request.url}`);
    return reply.code(599).send({ unexpected: request.url });
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app, seen };
}

describe('REST API (SPEC "Interfaces")', () => {
  let host: TestHost;
  let user: TestActor;
  let marketplace: Awaited<ReturnType<typeof startFakeMarketplace>>;
  let integrationId: string;
  let tenantId: string;
  const overrides = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    marketplace = await startFakeMarketplace();
    overrides.set('fixture-basic', { FIXTURE_BASE_URL: marketplace.url });
    host = await startTestHost({ configOverrides: overrides });
    for (const secret of [SECRET_SETTING, WRONG_PASSWORD, OAUTH_CODE]) host.plantSecret(secret);
    tenantId = (await host.createTenant('Rest Co')).id;
    user = await host.createActor({ role: 'tenant_admin', tenantId });
  });
  afterAll(async () => {
    await host?.stop();
    await marketplace?.app.close();
  });

  it('reports health and readiness', async () => {
    const health = await host.rest<{ status: string }>('/healthz');
    expect(health.status).toBe(200);
    const ready = await host.rest<{ status: string; checks: { name: string; ok: boolean }[] }>('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.map((c) => c.name).sort()).toEqual(['database', 'scheduler']);
    expect(ready.body.checks.every((c) => c.ok)).toBe(true);
  });

  it('answers errors as {error:{code,message}} with the right status', async () => {
    const anonymous = await host.rest<ErrorBody>('/api/v1/fixture-basic/integrations');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHORIZED');
    const badToken = await host.rest<ErrorBody>('/api/v1/fixture-basic/integrations', {
      token: 'mch_forged',
    });
    expect(badToken.status).toBe(401);
    const unknownPlugin = await user.rest<ErrorBody>('/api/v1/no-such-plugin/integrations');
    expect(unknownPlugin.status).toBe(404);
    expect(unknownPlugin.body.error.code).toBe('NOT_FOUND');
    const refusedPlugin = await user.rest<ErrorBody>('/api/v1/fixture-broken/integration/flows');
    expect(refusedPlugin.status).toBe(404);
    const noRoute = await user.rest<ErrorBody>('/api/v1/fixture-basic/nothing-here');
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error.code).toBe('NOT_FOUND');
    const badBody = await user.rest<ErrorBody>('/api/v1/fixture-basic/integrations', {
      method: 'POST',
      body: { settings: 'not an object' },
    });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.issues).toContainEqual(expect.objectContaining({ path: '/settings' }));
    const missingId = await user.rest<ErrorBody>(
      '/api/v1/fixture-basic/status/00000000-0000-4000-8000-000000000000',
    );
    expect(missingId.status).toBe(404);
    const malformedId = await user.rest<ErrorBody>('/api/v1/fixture-basic/settings/not-a-uuid');
    expect(malformedId.status).toBe(404);
  });

  it('creates an integration and serves status, settings, sync and deactivate', async () => {
    const created = await user.rest<{ id: string }>('/api/v1/fixture-basic/integrations', {
      method: 'POST',
      body: { settings: { username: 'rest-seller', password: SECRET_SETTING } },
    });
    expect(created.status).toBe(201);
    integrationId = created.body.id;

    const list = await user.rest<{ id: string; status: string }[]>('/api/v1/fixture-basic/integrations');
    expect(list.body).toEqual([expect.objectContaining({ id: integrationId, status: 'active' })]);

    const status = await user.rest<Record<string, unknown>>(`/api/v1/fixture-basic/status/${integrationId}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      status: 'active',
      lastSyncAt: null,
      lastSyncError: null,
      syncErrorCount: 0,
    });

    const wrongPlugin = await user.rest<ErrorBody>(`/api/v1/fixture-rich/status/${integrationId}`);
    expect(wrongPlugin.status).toBe(404);

    const settings = await user.rest<{ settings: Record<string, unknown> }>(
      `/api/v1/fixture-basic/settings/${integrationId}`,
    );
    expect(settings.body.settings).toMatchObject({ username: 'rest-seller', syncFrequencyMinutes: 60 });
    const put = await user.rest<{ success: boolean; settings: Record<string, unknown> }>(
      `/api/v1/fixture-basic/settings/${integrationId}`,
      { method: 'PUT', body: { settings: { syncFrequencyMinutes: 45 } } },
    );
    expect(put.body).toMatchObject({
      success: true,
      settings: { syncFrequencyMinutes: 45, username: 'rest-seller' },
    });

    const sync = await user.rest<{ runId: string }>(`/api/v1/fixture-basic/sync/${integrationId}`, {
      method: 'POST',
      body: {},
    });
    expect(sync.status).toBe(202);
    const run = await user.trpc.integrations.run.query({ runId: sync.body.runId });
    expect(run.integrationId).toBe(integrationId);
  });

  it('refuses to connect the same account twice (409) but takes it on another platform', async () => {
    const again = await user.rest<ErrorBody>('/api/v1/fixture-basic/integrations', {
      method: 'POST',
      body: { settings: { username: 'rest-seller', password: 'x' } },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    const elsewhere = await user.rest<{ id: string }>('/api/v1/fixture-basic/integrations', {
      method: 'POST',
      body: { settings: { username: 'rest-seller', password: 'x', platform: 'bg' } },
    });
    expect(elsewhere.status).toBe(201);
    const moved = await user.rest<ErrorBody>(`/api/v1/fixture-basic/settings/${elsewhere.body.id}`, {
      method: 'PUT',
      body: { settings: { platform: 'ro' } },
    });
    expect(moved.status).toBe(409);
    await user.trpc.integrations.remove.mutate({ id: elsewhere.body.id });
  });

  it('serves the eMAG seed endpoints generically from the manifest', async () => {
    const flows = await user.rest<{ supported_flows: string[]; flows: { id: string }[] }>(
      '/api/v1/fixture-basic/integration/flows',
    );
    expect(flows.body.supported_flows).toEqual(['orders']);
    const configuration = await user.rest<{
      configuration: { environment: { env: string; set: boolean }[] };
    }>('/api/v1/fixture-basic/integration/configuration');
    expect(configuration.body.configuration.environment.map((e) => e.env)).toEqual([
      'FIXTURE_BASE_URL',
      'FIXTURE_RATE_LIMIT_ORDERS',
    ]);
    const status = await user.rest<{ status: string; integration_status: { connected: boolean } }>(
      '/api/v1/fixture-basic/integration/status',
    );
    expect(status.body).toMatchObject({ status: 'success', integration_status: { connected: true } });

    // Connecting tested each account already (issue 13): count from here.
    const seenBefore = marketplace.seen.length;
    const test = await user.rest<{ status: string; connected: boolean; integrationId: string }>(
      '/api/v1/fixture-basic/integration/test-connection',
      { method: 'POST', body: { platform: 'ro' } },
    );
    expect(test.status, test.text).toBe(200);
    expect(test.body).toMatchObject({ status: 'success', connected: true, integrationId });
    expect(marketplace.seen).toHaveLength(seenBefore + 1);
    expect(marketplace.seen.at(-1)).toMatch(/^Basic /);

    const noMatch = await user.rest<ErrorBody>('/api/v1/fixture-basic/integration/test-connection', {
      method: 'POST',
      body: { platform: 'hu' },
    });
    expect(noMatch.status).toBe(404);
  });

  it('lists invoices and renders their PDF', async () => {
    const em = host.database.db.orm.em.fork();
    const series = await em.findOneOrFail(InvoiceSeries, { tenantId });
    const invoice = em.create(Invoice, {
      tenantId,
      companyId: series.companyId,
      seriesId: series.id,
      sequence: 1,
      number: 'FV/2026/1',
      integrationId,
      pluginId: 'fixture-basic',
      externalOrderId: 'ORDER-1',
      buyer: { name: 'Ana Pop' },
      issueDate: '2026-11-22',
      saleDate: '2026-11-22',
      currency: 'RON',
      netTotal: '10.00',
      vatTotal: '1.90',
      grossTotal: '11.90',
    });
    await em.flush();
    const list = await user.rest<{ invoices: Record<string, unknown>[]; total: number }>(
      `/api/v1/invoices?integrationId=${integrationId}&limit=10&offset=0`,
    );
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    expect(list.body.invoices[0]).toMatchObject({
      number: 'FV/2026/1',
      grossTotal: '11.90',
      currency: 'RON',
      status: 'issued',
      externalOrderId: 'ORDER-1',
      pdfUrl: `/api/v1/invoices/${invoice.id}/pdf`,
    });
    const badLimit = await user.rest<ErrorBody>('/api/v1/invoices?limit=0');
    expect(badLimit.status).toBe(400);
    const pdf = await user.rest(`/api/v1/invoices/${invoice.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.text.startsWith('%PDF')).toBe(true);

    // Rendered PDFs are kept for repeated downloads, but never outlive a change of the invoice.
    const again = await user.rest(`/api/v1/invoices/${invoice.id}/pdf`);
    expect(again.text).toBe(pdf.text);
    invoice.status = 'paid';
    invoice.paidAt = new Date('2026-11-22T10:00:00Z');
    await em.flush();
    const paid = await user.rest(`/api/v1/invoices/${invoice.id}/pdf`);
    expect(paid.status).toBe(200);
    expect(paid.text.startsWith('%PDF')).toBe(true);
    expect(paid.text).not.toBe(pdf.text);
  });

  it('deactivates through REST', async () => {
    const res = await user.rest<{ success: boolean; status: string }>(
      `/api/v1/fixture-basic/deactivate/${integrationId}`,
      {
        method: 'POST',
        body: {},
      },
    );
    expect(res.body).toMatchObject({ success: true, status: 'disabled' });
    const sync = await user.rest<ErrorBody>(`/api/v1/fixture-basic/sync/${integrationId}`, {
      method: 'POST',
      body: {},
    });
    expect(sync.status).toBe(412);
  });

  it('answers OAuth routes generically', async () => {
    const notOAuth = await user.rest<ErrorBody>('/api/v1/fixture-basic/auth/url');
    expect(notOAuth.status).toBe(400);
    const callback = await host.rest<ErrorBody>(
      `/api/v1/fixture-rich/auth/callback?code=${OAUTH_CODE}&state=bogus-state`,
    );
    expect(callback.status).toBeGreaterThanOrEqual(400);
    expect(callback.status).toBeLessThan(500);
    expect(callback.body.error.code).toBeTruthy();
  });

  it('limits password guessing with 429', async () => {
    let last = 0;
    for (let i = 0; i < 11; i++) {
      const res = await host.rest('/trpc/auth.login', {
        method: 'POST',
        body: { email: user.email, password: WRONG_PASSWORD },
      });
      last = res.status;
    }
    expect(last).toBe(429);
  });

  it('never logs a secret: passwords, API tokens, secret settings, OAuth codes, session cookies', () => {
    const logs = host.logs();
    expect(logs).toContain('request completed');
    const cookieValue = user.cookie.split('=')[1]!;
    for (const secret of [
      user.password,
      user.token,
      SECRET_SETTING,
      WRONG_PASSWORD,
      OAUTH_CODE,
      cookieValue,
    ]) {
      expect(logs.includes(secret), `a log line contains ${secret}`).toBe(false);
    }
  });
});
