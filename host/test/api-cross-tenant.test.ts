import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/api/router.ts';
import { ApiToken } from '../src/db/entities/api-token.entity.ts';
import { Company } from '../src/db/entities/company.entity.ts';
import { User } from '../src/db/entities/user.entity.ts';
import { Integration } from '../src/db/entities/integration.entity.ts';
import { InvoiceSeries } from '../src/db/entities/invoice-series.entity.ts';
import { Invoice } from '../src/db/entities/invoice.entity.ts';
import { SyncRun } from '../src/db/entities/sync-run.entity.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

/**
 * The cross-tenant walk: every tRPC procedure and every REST route, called by tenant B's admin
 * with tenant A's ids, answers 403/404 (or, for lists, only B's own data) and never shows A's data.
 * A procedure or route missing from the tables below fails the test, so new ones must be added.
 */
describe('cross-tenant isolation', () => {
  let host: TestHost;
  let a: TestActor;
  let b: TestActor;
  /** A second user of tenant B, signed out everywhere by the walk (b keeps its session). */
  let b2: TestActor;
  const A = {
    tenantId: '',
    tokenId: '',
    tenantName: 'Alpha Sentinel Tenant',
    integrationId: '',
    invoiceId: '',
    invoiceNumber: 'FV/2026/7731',
    runId: '',
    username: 'alpha-login-sentinel',
    password: 'alpha-password-sentinel-9f',
    orderId: 'ALPHA-ORDER-5521',
    companyId: '',
    templateId: '',
    templateName: 'Alpha Template Sentinel',
    seriesId: '',
  };
  const sentinels = () => [
    A.tenantId,
    A.tenantName,
    A.integrationId,
    A.invoiceId,
    A.invoiceNumber,
    A.runId,
    A.username,
    A.password,
    A.orderId,
    A.companyId,
    A.templateId,
    A.templateName,
    a.email,
  ];

  beforeAll(async () => {
    host = await startTestHost();
    host.plantSecret(A.password);
    const tenantA = await host.createTenant(A.tenantName);
    const tenantB = await host.createTenant('Beta Tenant');
    A.tenantId = tenantA.id;
    A.companyId = tenantA.companyId;
    a = await host.createActor({ role: 'tenant_admin', tenantId: tenantA.id });
    b = await host.createActor({ role: 'tenant_admin', tenantId: tenantB.id });
    b2 = await host.createActor({ role: 'tenant_user', tenantId: tenantB.id });
    A.tokenId = (await host.database.db.orm.em.fork().findOneOrFail(ApiToken, { userId: a.id })).id;
    const created = await a.trpc.integrations.create.mutate({
      pluginId: 'fixture-basic',
      label: 'Alpha account',
      settings: { username: A.username, password: A.password },
    });
    A.integrationId = created.id;
    const template = await a.trpc.invoiceTemplates.create.mutate({ name: A.templateName, layout: 'classic' });
    A.templateId = template.id;
    // B has its own integration, so "lists" have something to return.
    await b.trpc.integrations.create.mutate({
      pluginId: 'fixture-basic',
      settings: { username: 'beta-user', password: 'beta-password' },
    });

    const em = host.database.db.orm.em.fork();
    const series = await em.findOneOrFail(InvoiceSeries, { tenantId: A.tenantId });
    A.seriesId = series.id;
    const invoice = em.create(Invoice, {
      tenantId: A.tenantId,
      companyId: tenantA.companyId,
      seriesId: series.id,
      sequence: 7731,
      number: A.invoiceNumber,
      integrationId: A.integrationId,
      pluginId: 'fixture-basic',
      externalOrderId: A.orderId,
      buyer: { name: 'Alpha Buyer' },
      issueDate: '2026-11-20',
      saleDate: '2026-11-20',
      currency: 'RON',
      netTotal: '100.00',
      vatTotal: '19.00',
      grossTotal: '119.00',
    });
    const run = em.create(SyncRun, {
      tenantId: A.tenantId,
      integrationId: A.integrationId,
      jobId: 'sync-orders',
      trigger: 'manual',
      status: 'failed',
      counts: { fetched: 3, created: 0, updated: 0, unchanged: 0, failed: 3 },
      error: 'alpha failure',
      startedAt: new Date(),
    });
    await em.flush();
    A.invoiceId = invoice.id;
    A.runId = run.id;
  });
  afterAll(() => host?.stop());

  function assertNoAlphaData(what: string, payload: unknown): void {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    for (const sentinel of sentinels()) {
      expect(text.includes(sentinel), `${what} leaked ${sentinel}: ${text.slice(0, 500)}`).toBe(false);
    }
  }

  /** Calls that take one of A's ids: must fail with 403/404. */
  const denied: Record<string, () => Promise<unknown>> = {
    'integrations.get': () => b.trpc.integrations.get.query({ id: A.integrationId }),
    'integrations.getSettings': () => b.trpc.integrations.getSettings.query({ id: A.integrationId }),
    'integrations.updateSettings': () =>
      b.trpc.integrations.updateSettings.mutate({
        id: A.integrationId,
        settings: { syncFrequencyMinutes: 30 },
      }),
    'integrations.status': () => b.trpc.integrations.status.query({ id: A.integrationId }),
    'integrations.sync': () => b.trpc.integrations.sync.mutate({ id: A.integrationId }),
    'integrations.runs': () => b.trpc.integrations.runs.query({ id: A.integrationId }),
    'integrations.run': () => b.trpc.integrations.run.query({ runId: A.runId }),
    'integrations.deactivate': () => b.trpc.integrations.deactivate.mutate({ id: A.integrationId }),
    'integrations.enable': () => b.trpc.integrations.enable.mutate({ id: A.integrationId }),
    'integrations.remove': () => b.trpc.integrations.remove.mutate({ id: A.integrationId }),
    'integrations.testConnection': () => b.trpc.integrations.testConnection.mutate({ id: A.integrationId }),
    'integrations.action': () =>
      b.trpc.integrations.action.mutate({
        id: A.integrationId,
        action: 'cancel-order',
        input: { orderId: 1 },
      }),
    'integrations.authUrl': () =>
      b.trpc.integrations.authUrl.mutate({ pluginId: 'fixture-basic', integrationId: A.integrationId }),
    'integrations.create': () =>
      b.trpc.integrations.create.mutate({
        pluginId: 'fixture-basic',
        tenantId: A.tenantId,
        settings: { username: 'intruder', password: 'intruder' },
      }),
    'integrations.list': () => b.trpc.integrations.list.query({ tenantId: A.tenantId }),
    'invoices.list': () => b.trpc.invoices.list.query({ integrationId: A.integrationId }),
    'invoices.get': () => b.trpc.invoices.get.query({ id: A.invoiceId }),
    'invoices.document': () => b.trpc.invoices.document.query({ id: A.invoiceId }),
    'invoices.orderHistory': () =>
      b.trpc.invoices.orderHistory.query({ integrationId: A.integrationId, externalOrderId: A.orderId }),
    'tenant.get': () => b.trpc.tenant.get.query({ tenantId: A.tenantId }),
    'tenant.updateCompany': () =>
      b.trpc.tenant.updateCompany.mutate({ tenantId: A.tenantId, name: 'Hijacked' }),
    'admin.metrics': () => b.trpc.admin.metrics.query(),
    'admin.integrations': () => b.trpc.admin.integrations.query({ tenantId: A.tenantId }),
    'admin.tenants': () => b.trpc.admin.tenants.query(),
    'admin.setPluginEnabled': () =>
      b.trpc.admin.setPluginEnabled.mutate({
        tenantId: A.tenantId,
        pluginId: 'fixture-basic',
        enabled: false,
      }),
    'admin.batch': () => b.trpc.admin.batch.mutate({ ids: [A.integrationId], action: 'disable' }),
    'plugins.catalog': () => b.trpc.plugins.catalog.query(),
    'plugins.preview': () => b.trpc.plugins.preview.mutate({ manifest: '{}' }),
    'invoiceTemplates.list': () => b.trpc.invoiceTemplates.list.query({ tenantId: A.tenantId }),
    'invoiceTemplates.create': () =>
      b.trpc.invoiceTemplates.create.mutate({ companyId: A.companyId, name: 'Intruder', layout: 'classic' }),
    'invoiceTemplates.update': () =>
      b.trpc.invoiceTemplates.update.mutate({ id: A.templateId, name: 'Hijacked' }),
    'invoiceTemplates.uploadLogo': () =>
      b.trpc.invoiceTemplates.uploadLogo.mutate({ id: A.templateId, logo: null }),
    'invoiceSeries.list': () => b.trpc.invoiceSeries.list.query({ tenantId: A.tenantId }),
    'invoiceSeries.create': () =>
      b.trpc.invoiceSeries.create.mutate({
        companyId: A.companyId,
        code: 'INTRUDER',
        pattern: 'X/{yyyy}/{n}',
      }),
    'invoiceSeries.update': () =>
      b.trpc.invoiceSeries.update.mutate({ id: A.seriesId, pattern: 'HIJACKED/{yyyy}/{n}' }),
    'invoiceSeries.choose': () =>
      b.trpc.invoiceSeries.choose.mutate({ integrationId: A.integrationId, seriesId: null }),
    'invoiceSeries.chosen': () => b.trpc.invoiceSeries.chosen.query({ integrationId: A.integrationId }),
    'admin.setTenantDisabled': () =>
      b.trpc.admin.setTenantDisabled.mutate({ tenantId: A.tenantId, disabled: true }),
    'team.users': () => b.trpc.team.users.query({ tenantId: A.tenantId }),
    'team.createUser': () =>
      b.trpc.team.createUser.mutate({
        tenantId: A.tenantId,
        email: 'intruder@alpha.test',
        role: 'tenant_admin',
      }),
    'team.setDisabled': () => b.trpc.team.setDisabled.mutate({ userId: a.id, disabled: true }),
    'team.resetPassword': () => b.trpc.team.resetPassword.mutate({ userId: a.id }),
    'team.tokens': () => b.trpc.team.tokens.query({ userId: a.id }),
    'team.revokeToken': () => b.trpc.team.revokeToken.mutate({ id: A.tokenId }),
    'account.revokeToken': () => b.trpc.account.revokeToken.mutate({ id: A.tokenId }),
    'products.list': () => b.trpc.products.list.query({ tenantId: A.tenantId }),
    'products.conflicts': () => b.trpc.products.conflicts.query({ tenantId: A.tenantId }),
    'products.update': () =>
      b.trpc.products.update.mutate({ tenantId: A.tenantId, changes: [{ id: A.invoiceId, stock: 1 }] }),
    'products.importFromOffers': () =>
      b.trpc.products.importFromOffers.mutate({ integrationId: A.integrationId }),
  };

  /** Calls without another tenant's id: they succeed, but show B only its own data. */
  const ownOnly: Record<string, () => Promise<unknown>> = {
    'system.info': () => b.trpc.system.info.query(),
    'system.me': () => b.trpc.system.me.query(),
    // The same for every tenant: the local sandboxes' test sign-ins, or null off demo mode.
    'system.demo': () => b.trpc.system.demo.query(),
    'auth.me': () => b.trpc.auth.me.query(),
    'auth.login': () => host.trpc().auth.login.mutate({ email: b.email, password: b.password }),
    'auth.logout': async () =>
      host.trpc({ cookie: await host.login(b.email, b.password) }).auth.logout.mutate(),
    'plugins.list': () => b.trpc.plugins.list.query(),
    'integrations.list': () => b.trpc.integrations.list.query(),
    'invoices.list': () => b.trpc.invoices.list.query(),
    'alerts.list': () => b.trpc.alerts.list.query(),
    // A tenant admin's webhook is always its own tenant's, whatever tenant id it names.
    'alerts.webhook': () => b.trpc.alerts.webhook.query({ tenantId: A.tenantId }),
    // Tested before one is set (and after it is removed): nothing is sent off this machine.
    'alerts.testWebhook': () => b.trpc.alerts.testWebhook.mutate({ tenantId: A.tenantId }),
    'alerts.setWebhook': () =>
      b.trpc.alerts.setWebhook.mutate({ tenantId: A.tenantId, url: 'https://hooks.example.com/b' }),
    'alerts.removeWebhook': () => b.trpc.alerts.removeWebhook.mutate({ tenantId: A.tenantId }),
    'tenant.get': () => b.trpc.tenant.get.query(),
    'invoiceTemplates.list': () => b.trpc.invoiceTemplates.list.query(),
    'invoiceSeries.list': () => b.trpc.invoiceSeries.list.query(),
    'account.tokens': () => b.trpc.account.tokens.query(),
    'account.createToken': () => b.trpc.account.createToken.mutate({ name: 'walk' }),
    'account.changePassword': () =>
      b.trpc.account.changePassword.mutate({ currentPassword: b.password, newPassword: b.password }),
    'account.signOutEverywhere': () => b2.trpc.account.signOutEverywhere.mutate(),
    'products.list': () => b.trpc.products.list.query(),
    'products.conflicts': () => b.trpc.products.conflicts.query(),
  };

  it('covers every tRPC procedure', () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    const covered = new Set([...Object.keys(denied), ...Object.keys(ownOnly)]);
    expect(procedures.filter((p) => !covered.has(p))).toEqual([]);
    expect([...covered].filter((p) => !procedures.includes(p))).toEqual([]);
  });

  it('denies every tRPC procedure on the other tenant with 403/404 and no data', async () => {
    for (const [path, call] of Object.entries(denied)) {
      const error = await call().then(
        (value) => new Error(`${path} succeeded: ${JSON.stringify(value).slice(0, 300)}`),
        (e: unknown) => e,
      );
      expect(error, path).toBeInstanceOf(TRPCClientError);
      const data = (error as TRPCClientError<never>).data as unknown as { httpStatus: number };
      expect([403, 404], `${path}: ${(error as Error).message}`).toContain(data.httpStatus);
      assertNoAlphaData(path, { message: (error as Error).message, data });
    }
  });

  it('answers list-like procedures with the caller’s own data only', async () => {
    for (const [path, call] of Object.entries(ownOnly)) {
      assertNoAlphaData(path, await call());
    }
  });

  /** Every REST route under /api, with how to call it for A's ids (or B's own lists). */
  type RestCallSpec = { path: string; body?: unknown; own?: boolean };
  const restWebhook: Record<string, () => RestCallSpec> = {};
  const restCalls = (): Record<string, RestCallSpec> => ({
    ...Object.fromEntries(Object.entries(restWebhook).map(([k, f]) => [k, f()])),
    'GET /api/v1/invoices': { path: `/api/v1/invoices?integrationId=${A.integrationId}` },
    'GET /api/v1/invoices.csv': { path: `/api/v1/invoices.csv?integrationId=${A.integrationId}` },
    'GET /api/v1/account/tokens': { path: '/api/v1/account/tokens', own: true },
    'DELETE /api/v1/account/tokens/:id': { path: `/api/v1/account/tokens/${A.tokenId}` },
    'GET /api/v1/invoices/:id/pdf': { path: `/api/v1/invoices/${A.invoiceId}/pdf` },
    'GET /api/v1/invoices/:id': { path: `/api/v1/invoices/${A.invoiceId}` },
    'POST /api/v1/invoices/:id/corrections': {
      path: `/api/v1/invoices/${A.invoiceId}/corrections`,
      body: { key: 'intruder', kind: 'cancellation', reason: 'Intruder correction' },
    },
    'GET /api/v1/invoices/:id/xml': { path: `/api/v1/invoices/${A.invoiceId}/xml` },
    'GET /api/v1/invoices/:id/clearance-receipt': {
      path: `/api/v1/invoices/${A.invoiceId}/clearance-receipt`,
    },
    'GET /api/v1/invoices/held': { path: `/api/v1/invoices/held?integrationId=${A.integrationId}` },
    'GET /api/v1/:pluginId/integrations': { path: '/api/v1/fixture-basic/integrations', own: true },
    'POST /api/v1/:pluginId/integrations': {
      path: '/api/v1/fixture-basic/integrations',
      body: { tenantId: A.tenantId, settings: { username: 'intruder', password: 'intruder' } },
    },
    'GET /api/v1/:pluginId/auth/url': {
      path: `/api/v1/fixture-rich/auth/url?integrationId=${A.integrationId}`,
    },
    'GET /api/v1/:pluginId/auth/callback': {
      path: '/api/v1/fixture-rich/auth/callback?code=x&state=y',
      own: true,
    },
    'GET /api/v1/:pluginId/status/:integrationId': {
      path: `/api/v1/fixture-basic/status/${A.integrationId}`,
    },
    'POST /api/v1/:pluginId/sync/:integrationId': {
      path: `/api/v1/fixture-basic/sync/${A.integrationId}`,
      body: {},
    },
    'POST /api/v1/:pluginId/deactivate/:integrationId': {
      path: `/api/v1/fixture-basic/deactivate/${A.integrationId}`,
      body: {},
    },
    'POST /api/v1/:pluginId/actions/:integrationId/:action': {
      path: `/api/v1/fixture-basic/actions/${A.integrationId}/cancel-order`,
      body: { orderId: 1 },
    },
    'GET /api/v1/:pluginId/settings/:integrationId': {
      path: `/api/v1/fixture-basic/settings/${A.integrationId}`,
    },
    'PUT /api/v1/:pluginId/settings/:integrationId': {
      path: `/api/v1/fixture-basic/settings/${A.integrationId}`,
      body: { settings: { syncFrequencyMinutes: 30 } },
    },
    'POST /api/v1/:pluginId/integration/test-connection': {
      path: '/api/v1/fixture-basic/integration/test-connection',
      body: { integrationId: A.integrationId },
    },
    'GET /api/v1/:pluginId/integration/status': {
      path: '/api/v1/fixture-basic/integration/status',
      own: true,
    },
    'GET /api/v1/:pluginId/integration/flows': { path: '/api/v1/fixture-basic/integration/flows', own: true },
    'GET /api/v1/:pluginId/integration/configuration': {
      path: '/api/v1/fixture-basic/integration/configuration',
      own: true,
    },
  });

  // Webhooks authenticate by the signed token in their URL, not by the caller: a wrong token is 404.
  for (const method of ['GET', 'POST', 'PUT']) {
    restWebhook[`${method} /api/v1/webhooks/:integrationId/:webhookId/:token`] = () => ({
      path: `/api/v1/webhooks/${A.integrationId}/new-order/not-the-token`,
      ...(method === 'GET' ? {} : { body: { id: 1 } }),
    });
  }

  restWebhook['GET /public/invoices/:id/:token'] = () => ({
    path: `/public/invoices/${A.invoiceId}/forged-token.pdf`,
  });

  it('covers every REST route', () => {
    const routes = host.app
      .http!.registeredRoutes.filter(
        (r) =>
          r.method !== 'HEAD' &&
          (r.url.startsWith('/api/') || (r.url.includes(':') && !r.url.startsWith('/trpc/'))),
      )
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(routes.filter((r) => !(r in restCalls()))).toEqual([]);
    expect(Object.keys(restCalls()).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('denies every REST route on the other tenant with 403/404 and no data', async () => {
    for (const [route, call] of Object.entries(restCalls())) {
      const method = route.split(' ')[0]!;
      const res = await b.rest(call.path, {
        method,
        ...(call.body === undefined ? {} : { body: call.body }),
      });
      if (!call.own) {
        expect([403, 404], `${route} answered ${res.status}: ${res.text.slice(0, 300)}`).toContain(
          res.status,
        );
        expect(res.body, route).toHaveProperty('error.code');
      }
      assertNoAlphaData(route, res.text);
    }
  });

  it('left tenant A untouched', async () => {
    const em = host.database.db.orm.em.fork();
    const row = await em.findOneOrFail(Integration, { id: A.integrationId });
    expect(row.status).toBe('active');
    expect(row.settings.syncFrequencyMinutes).toBe(60);
    const company = await em.findOneOrFail(Company, { tenantId: A.tenantId });
    expect(company.name).toBe(A.tenantName);
    expect(await em.count(Integration, { tenantId: A.tenantId })).toBe(1);
    expect((await em.findOneOrFail(User, { id: a.id })).disabledAt).toBeNull();
    expect((await em.findOneOrFail(ApiToken, { id: A.tokenId })).revokedAt).toBeNull();
    expect(await em.count(User, { tenantId: A.tenantId })).toBe(1);
    const mine = await a.trpc.integrations.get.query({ id: A.integrationId });
    expect(mine.id).toBe(A.integrationId);
    const pdf = await a.rest(`/api/v1/invoices/${A.invoiceId}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
  });
});
