import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDemo, type DemoMode } from '../../../host/test/support/demo.ts';
import { startTestHost, type TestActor, type TestHost } from '../../../host/test/support/test-host.ts';
import { stopValidator } from '../src/validate.ts';

/**
 * The plugin on the real host (docs/DOCUMENT-PLUGINS.md): demo mode's Romanian company (its eMAG
 * account issuing RON invoices) connects RO e-Factura — the representative signs in on the SPV
 * sandbox's OAuth pages — and every invoice issued after that is reported, accepted and served as
 * UBL at GET /api/v1/invoices/:id/xml.
 */

const ROOT_REGISTRY = new URL('../../../plugin.manifest.json', import.meta.url).pathname;

interface InvoiceItem {
  id: string;
  number: string;
  integrationId: string;
  clearance: { authority: string; status: string; number: string | null; errors: unknown[] } | null;
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
    });
    demo = await startTestDemo(host, overrides);
  }, 120_000);
  afterAll(async () => {
    await demo?.stop();
    await host?.stop();
    stopValidator();
  });

  it('the Romanian company connects e-Factura through ANAF sign-in and its new invoices are reported and accepted', async () => {
    const pool = host.database.db.pool;
    const emag = (
      await pool.query<{ id: string; tenant_id: string; company_id: string }>(
        `select id, tenant_id, company_id from integrations where plugin_id = 'emag'`,
      )
    ).rows[0]!;
    const user = await host.createActor({ role: 'tenant_admin', tenantId: emag.tenant_id });
    // The demo account's first sync ends before anything new is issued.
    await eventually(async () => {
      const runs = (await user.trpc.integrations.runs.query({ id: emag.id })) as { status: string }[];
      return runs.length > 0 && runs.every((r) => r.status !== 'running' && r.status !== 'queued')
        ? true
        : undefined;
    }, 240_000);
    const before = new Set((await invoicesOf(user, emag.id)).map((i) => i.id));

    const created = (await user.trpc.integrations.create.mutate({
      pluginId: 'ro-efactura',
      settings: { cif: 'RO14399840', environment: 'test' },
      companyId: emag.company_id,
    })) as { id: string; status: string };
    expect(created.status).toBe('pending_auth');
    // The representative signs in at ANAF (the sandbox's certificate page) and is sent back.
    const { url } = await user.trpc.integrations.authUrl.mutate({
      pluginId: 'ro-efactura',
      integrationId: created.id,
    });
    const page = await (await fetch(url)).text();
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
    const connected = (await user.trpc.integrations.get.query({ id: created.id })) as { status: string };
    expect(connected.status).toBe('active');

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
    const reported = await eventually(async () => {
      const list = (await invoicesOf(user, emag.id)).filter((i) => fresh.some((f) => f.id === i.id));
      return list.every((i) => i.clearance?.status === 'accepted' || i.clearance?.status === 'rejected')
        ? list
        : undefined;
    }, 420_000);
    expect(reported.map((i) => i.clearance?.status)).toEqual(reported.map(() => 'accepted'));
    for (const i of reported)
      expect(i.clearance).toMatchObject({ authority: 'ro-efactura', number: expect.stringMatching(/^\d+$/) });
    const xml = await user.rest(`/api/v1/invoices/${reported[0]!.id}/xml`);
    expect(xml.status).toBe(200);
    expect(xml.text).toContain('urn:efactura.mfinante.ro:CIUS-RO:1.0.1');
    expect(xml.text).toContain(`<cbc:ID>${reported[0]!.number}</cbc:ID>`);
    // Invoices issued before the connection are not reported (they belong to the seller's own past).
    const old = (await invoicesOf(user, emag.id)).filter((i) => before.has(i.id));
    expect(old.every((i) => i.clearance === null)).toBe(true);

    // The SPV saw each invoice exactly once.
    const spv = demo.sandboxes.find((s) => s.pluginId === 'ro-efactura')!.url;
    const state = (await (await fetch(`${spv}/__sandbox/state`)).json()) as {
      effects: { kind: string; data: { number: string } }[];
    };
    const uploads = state.effects.filter((e) => e.kind === 'invoice.uploaded').map((e) => e.data.number);
    expect(uploads.sort()).toEqual(reported.map((i) => i.number).sort());
  }, 900_000);
});
