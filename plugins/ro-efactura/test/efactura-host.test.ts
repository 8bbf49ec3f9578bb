import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestDemo,
  type DemoMode,
  startTestHost,
  type TestActor,
  type TestHost,
} from '@mch/host/testing';
import { stopValidator } from '../src/validate.ts';

/**
 * The plugin on the real host (docs/DOCUMENT-PLUGINS.md), as `npm start` runs it: demo mode connects
 * the Romanian demo company to the SPV sandbox (consent on the sandbox's own page) before its eMAG
 * account issues RON invoices, and every one is reported and accepted; a person signing in again on
 * the sandbox's OAuth pages keeps the connection, new invoices are reported once each and served
 * as UBL at GET /api/v1/invoices/:id/xml.
 */

const ROOT_REGISTRY = new URL('../../../plugin.manifest.json', import.meta.url).pathname;

interface InvoiceItem {
  id: string;
  number: string;
  integrationId: string;
  clearance: {
    authority: string;
    status: string;
    number: string | null;
    errors: { location?: string; message: string }[];
    deadline: string | null;
  } | null;
}

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function invoicesOf(user: TestActor, integrationId: string): Promise<InvoiceItem[]> {
  const out: InvoiceItem[] = [];
  for (let offset = 0; ; offset += 200) {
    const { body } = await user.rest<{ invoices: InvoiceItem[]; total: number }>(
      `/api/v1/invoices?limit=200&offset=${offset}`,
    );
    out.push(...body.invoices);
    if (body.invoices.length < 200) break;
  }
  return out.filter((i) => i.integrationId === integrationId);
}

/** The representative signs in at ANAF (the sandbox's certificate page) and is sent back. */
async function signInAtAnaf(host: TestHost, user: TestActor, integrationId: string): Promise<void> {
  const { url } = await user.trpc.integrations.authUrl.mutate({ pluginId: 'ro-efactura', integrationId });
  const page = await (await fetch(url)).text();
  expect(page).toContain('certificat digital calificat');
  const form = Object.fromEntries(
    [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      m[1]!,
      m[2]!.replace(/&amp;/g, '&'),
    ]),
  );
  const consent = await fetch(new URL('/anaf-oauth2/v1/authorize', url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form, decision: 'allow' }),
  });
  const back = consent.headers.get('location')!;
  expect(back.startsWith(`${host.url}/api/v1/ro-efactura/auth/callback`)).toBe(true);
  const landed = await fetch(back, { redirect: 'manual', headers: { cookie: user.cookie } });
  expect(landed.status).toBe(303);
  expect(landed.headers.get('location')).toMatch(/connected=/);
}

async function idle(user: TestActor, integrationId: string): Promise<void> {
  await eventually(async () => {
    const runs = (await user.trpc.integrations.runs.query({ id: integrationId })) as { status: string }[];
    return runs.every((r) => r.status !== 'running' && r.status !== 'queued') ? true : undefined;
  }, 240_000);
}

describe('RO e-Factura on the host', () => {
  let host: TestHost;
  let demo: DemoMode;
  const overrides = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    host = await startTestHost({
      registryPath: ROOT_REGISTRY,
      role: 'all',
      configOverrides: overrides,
      schedulerPollMs: 200,
      // e-Factura asks ANAF for its verdicts every minute; here every 6 s.
      schedulerIntervalScale: 0.1,
    });
    demo = await startTestDemo(host, overrides);
  }, 120_000);
  afterAll(async () => {
    await demo?.stop();
    await host?.stop();
    stopValidator();
  });

  it('demo mode connects the Romanian company to the e-Factura sandbox and its eMAG invoices are reported', async () => {
    const pool = host.database.db.pool;
    const rows = (
      await pool.query<{
        plugin_id: string;
        id: string;
        status: string;
        tenant_id: string;
        company_id: string;
        country: string;
        label: string;
      }>(
        `select i.plugin_id, i.id, i.status, i.tenant_id, i.company_id, c.country, i.label
           from integrations i join companies c on c.id = i.company_id
          where i.plugin_id in ('emag', 'ro-efactura') order by i.plugin_id`,
      )
    ).rows;
    expect(rows.map((r) => [r.plugin_id, r.country, r.status])).toEqual([
      ['emag', 'RO', 'active'],
      ['ro-efactura', 'RO', 'active'],
    ]);
    // ANAF's sign-in tells no account name: the account keeps the name it was connected under,
    // not an id the host made up.
    expect(rows.map((r) => r.label)).toEqual(['eMAG (demo)', 'RO e-Factura (demo)']);
    const [emag, efactura] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(efactura.company_id).toBe(emag.company_id);
    const user = await host.createActor({ role: 'tenant_admin', tenantId: emag.tenant_id });
    const reported = await eventually(async () => {
      const list = await invoicesOf(user, emag.id);
      return list.length > 0 &&
        list.every((i) => i.clearance?.status === 'accepted' || i.clearance?.status === 'rejected')
        ? list
        : undefined;
    }, 600_000);
    expect(reported.map((i) => i.clearance?.status)).toEqual(reported.map(() => 'accepted'));
  }, 900_000);

  it('a person signs in at ANAF again (reconnect) and new invoices are reported and accepted once each', async () => {
    const pool = host.database.db.pool;
    const emag = (
      await pool.query<{ id: string; tenant_id: string; company_id: string }>(
        `select id, tenant_id, company_id from integrations where plugin_id = 'emag'`,
      )
    ).rows[0]!;
    const efacturaId = (
      await pool.query<{ id: string }>(`select id from integrations where plugin_id = 'ro-efactura'`)
    ).rows[0]!.id;
    const user = await host.createActor({ role: 'tenant_admin', tenantId: emag.tenant_id });
    await eventually(async () => {
      const runs = (await user.trpc.integrations.runs.query({ id: emag.id })) as { status: string }[];
      return runs.length > 0 && runs.every((r) => r.status !== 'running' && r.status !== 'queued')
        ? true
        : undefined;
    }, 240_000);
    const before = new Set((await invoicesOf(user, emag.id)).map((i) => i.id));

    await signInAtAnaf(host, user, efacturaId);
    const connected = (await user.trpc.integrations.get.query({ id: efacturaId })) as {
      status: string;
      companyId: string;
    };
    expect(connected).toMatchObject({
      status: 'active',
      companyId: emag.company_id,
      label: 'RO e-Factura (demo)',
    });

    // New eMAG orders become invoices of the Romanian company…
    const emagSandbox = demo.sandboxes.find((s) => s.pluginId === 'emag')!.url;
    const placed = await fetch(`${emagSandbox}/__sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'ro-main', count: 12 }),
    });
    expect(placed.status).toBe(201);
    await user.trpc.integrations.sync.mutate({ id: emag.id });
    const fresh = await eventually(async () => {
      const list = (await invoicesOf(user, emag.id)).filter((i) => !before.has(i.id));
      return list.length >= 12 ? list : undefined;
    }, 240_000);

    // …each reported to ANAF and accepted, with its upload index as the clearance number.
    const reportedNew = await eventually(async () => {
      const list = (await invoicesOf(user, emag.id)).filter((i) => fresh.some((f) => f.id === i.id));
      return list.every((i) => i.clearance?.status === 'accepted' || i.clearance?.status === 'rejected')
        ? list
        : undefined;
    }, 420_000);
    expect(reportedNew.map((i) => i.clearance?.status)).toEqual(reportedNew.map(() => 'accepted'));
    for (const i of reportedNew)
      expect(i.clearance).toMatchObject({ authority: 'ro-efactura', number: expect.stringMatching(/^\d+$/) });
    const xml = await user.rest(`/api/v1/invoices/${reportedNew[0]!.id}/xml`);
    expect(xml.status).toBe(200);
    expect(xml.text).toContain('urn:efactura.mfinante.ro:CIUS-RO:1.0.1');
    expect(xml.text).toContain(`<cbc:ID>${reportedNew[0]!.number}</cbc:ID>`);

    // The SPV saw each invoice exactly once.
    const spv = demo.sandboxes.find((s) => s.pluginId === 'ro-efactura')!.url;
    const state = (await (await fetch(`${spv}/__sandbox/state`)).json()) as {
      effects: { kind: string; data: { number: string } }[];
    };
    const uploads = state.effects.filter((e) => e.kind === 'invoice.uploaded').map((e) => e.data.number);
    const all = (await invoicesOf(user, emag.id)).filter((i) => i.clearance !== null).map((i) => i.number);
    // Every reported invoice of the demo company (the demo sync's and these new ones) uploaded once.
    expect(uploads.sort()).toEqual(all.sort());
    expect(new Set(uploads).size).toBe(uploads.length);
  }, 900_000);

  it('ANAF refusing the sign-in: the integration asks for a new one, new invoices say why they wait; signed in again, each is accepted once', async () => {
    const pool = host.database.db.pool;
    const emag = (
      await pool.query<{ id: string; tenant_id: string }>(
        `select id, tenant_id from integrations where plugin_id = 'emag'`,
      )
    ).rows[0]!;
    const efacturaId = (
      await pool.query<{ id: string }>(`select id from integrations where plugin_id = 'ro-efactura'`)
    ).rows[0]!.id;
    const user = await host.createActor({ role: 'tenant_admin', tenantId: emag.tenant_id });
    const spv = demo.sandboxes.find((s) => s.pluginId === 'ro-efactura')!.url;
    const faults = async (patch: Record<string, unknown>) => {
      const r = await fetch(`${spv}/__sandbox/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(patch),
      });
      expect(r.status).toBe(200);
    };
    await idle(user, emag.id);
    await idle(user, efacturaId);
    const before = new Set((await invoicesOf(user, emag.id)).map((i) => i.id));

    // ANAF stops accepting the integration's tokens (the refresh token too).
    await faults({ expireTokens: true });
    const emagSandbox = demo.sandboxes.find((s) => s.pluginId === 'emag')!.url;
    const placed = await fetch(`${emagSandbox}/__sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'ro-main', count: 3 }),
    });
    expect(placed.status).toBe(201);
    await user.trpc.integrations.sync.mutate({ id: emag.id });

    // The integration needs a new sign-in; an invoice handed over shows why it is not sent yet.
    const waiting = await eventually(async () => {
      const integration = (await user.trpc.integrations.get.query({ id: efacturaId })) as { status: string };
      const fresh = (await invoicesOf(user, emag.id)).filter((i) => !before.has(i.id));
      const told = fresh.filter((i) => i.clearance?.errors.some((e) => e.location === 'ANAF sign-in'));
      return integration.status === 'needs_reauth' && fresh.length >= 3 && told.length > 0
        ? { fresh, told }
        : undefined;
    }, 240_000);
    for (const i of waiting.told) {
      expect(i.clearance).toMatchObject({
        status: 'pending',
        deadline: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      expect(i.clearance!.errors[0]!.message).toMatch(
        /^Not sent to ANAF yet: ANAF no longer accepts this integration's sign-in\. A person with SPV rights .* must sign in at ANAF again .* It must reach ANAF by \d{4}-\d{2}-\d{2}\.$/,
      );
    }
    // Whatever was not handed over before the refusal waits untouched (no clearance yet).
    for (const i of waiting.fresh)
      expect(i.clearance === null || i.clearance.errors[0]?.location === 'ANAF sign-in').toBe(true);

    // Signed in again: every new invoice is reported and accepted, each uploaded once.
    await faults({ expireTokens: false });
    await signInAtAnaf(host, user, efacturaId);
    expect(await user.trpc.integrations.get.query({ id: efacturaId })).toMatchObject({ status: 'active' });
    // At once rather than at the next minute's run (the sign-in may have queued one already).
    await user.trpc.integrations.sync.mutate({ id: efacturaId }).catch(() => undefined);
    const accepted = await eventually(async () => {
      const list = (await invoicesOf(user, emag.id)).filter((i) => !before.has(i.id));
      return list.every((i) => i.clearance?.status === 'accepted') ? list : undefined;
    }, 420_000);
    for (const i of accepted) expect(i.clearance!.errors).toEqual([]);
    const state = (await (await fetch(`${spv}/__sandbox/state`)).json()) as {
      effects: { kind: string; data: { number: string } }[];
    };
    const numbers = new Set(accepted.map((i) => i.number));
    const uploads = state.effects
      .filter((e) => e.kind === 'invoice.uploaded' && numbers.has(e.data.number))
      .map((e) => e.data.number);
    expect(uploads.sort()).toEqual([...numbers].sort());
  }, 900_000);
});
