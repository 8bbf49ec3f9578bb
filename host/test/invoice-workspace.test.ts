import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileMappings } from '../src/records/mapping-engine.ts';
import { ALLEGRO_MAPPINGS, allegroOrder } from '../src/records/test-fixtures.ts';
import { importRecords } from '../src/records/import.ts';
import { ExchangeRates } from '../src/invoicing/exchange-rates.ts';
import { SAMPLE_COMPANIES } from '../src/invoicing/seller-identity.ts';
import { createTenant } from '../src/tenancy/index.ts';
import { startTestHost, type TestActor, type TestHost } from './support/test-host.ts';

/**
 * The invoice workspace's API (issue 13 "Invoice workspace", issue 19 "alerts in the console before
 * the deadline passes"): the list's filters (status, clearance state, due for reporting) and sort,
 * the CSV export of the filtered set, the clearance deadline with its urgency, and the alerts a
 * person must act on — each only for the caller's tenant.
 */

interface Item {
  id: string;
  number: string;
  buyerName: string;
  totalGross: string;
  clearance: {
    authority: string;
    authorityTitle: string;
    status: string;
    deadline: string | null;
    attention: string | null;
  } | null;
}
interface Alert {
  id: string;
  severity: string;
  title: string;
  message: string;
  href: string | null;
  count: number;
}

let host: TestHost;
const allegro = compileMappings(ALLEGRO_MAPPINGS);
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  (await host.database.db.pool.query(sql, params)).rows as T[];
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

async function shop() {
  const tenant = await createTenant({
    em: host.database.db.orm.em.fork(),
    name: `Shop ${randomUUID().slice(0, 8)}`,
    company: SAMPLE_COMPANIES.PL,
  });
  const user = await host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
  const integrationId = randomUUID();
  await q(
    `insert into integrations (id, tenant_id, plugin_id, label, status, settings, created_at, updated_at)
     values ($1, $2, 'market-a', 'Main account', 'active', '{}'::jsonb, now(), now())`,
    [integrationId, tenant.id],
  );
  const exchange = new ExchangeRates({
    pool: host.database.db.pool,
    nbpUrl: 'http://127.0.0.1:9',
    bnrUrl: 'http://127.0.0.1:9',
  });
  const forms = [1, 2, 3, 4, 5, 6].map((i) => allegroOrder(i));
  const outcomes = await importRecords({
    db: host.database.db,
    tenantId: tenant.id,
    integrationId,
    pluginId: 'market-a',
    mappingName: 'invoice',
    mappings: allegro,
    settings: { defaultVatRate: 23 },
    rates: exchange,
    records: forms.map((f) => ({ externalId: f.id, revision: f.revision, data: f })),
  });
  const ids = outcomes.map((o) => (o as { hostId: string }).hostId);
  return { tenantId: tenant.id, user, integrationId, ids };
}

const clearance = (status: string, due?: { by: string; warnFrom: string }, errors: unknown[] = []) =>
  JSON.stringify({
    authority: 'ro-efactura',
    authorityTitle: 'RO e-Factura',
    status,
    number: status === 'accepted' ? '5001' : null,
    errors,
    ...(due ? { due: { ...due, timeZone: 'Europe/Bucharest' } } : {}),
    updatedAt: new Date().toISOString(),
  });

async function list(user: TestActor, query: string) {
  const r = await user.rest<{ invoices: Item[]; total: number }>(`/api/v1/invoices?${query}`);
  expect(r.status).toBe(200);
  return r.body;
}

async function csv(user: TestActor, query: string) {
  const response = await fetch(`${host.url}/api/v1/invoices.csv?${query}`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host?.stop();
});

describe('the invoice workspace API', () => {
  it('filters by clearance state and deadline, sorts by total, and shows each deadline’s urgency', async () => {
    const { user, ids } = await shop();
    const [overdue, soon, later, accepted, rejected] = ids as [string, string, string, string, string];
    await q('update invoices set clearance = $2::jsonb where id = $1', [
      overdue,
      clearance('pending', { by: day(-2), warnFrom: day(-4) }, [
        { location: 'BR-RO-110', message: 'county' },
      ]),
    ]);
    await q('update invoices set clearance = $2::jsonb where id = $1', [
      soon,
      clearance('sent', { by: day(2), warnFrom: day(-1) }),
    ]);
    await q('update invoices set clearance = $2::jsonb where id = $1', [
      later,
      clearance('sent', { by: day(9), warnFrom: day(7) }),
    ]);
    await q('update invoices set clearance = $2::jsonb where id = $1', [
      accepted,
      clearance('accepted', { by: day(-2), warnFrom: day(-4) }),
    ]);
    await q('update invoices set clearance = $2::jsonb, status = $3 where id = $1', [
      rejected,
      clearance('rejected', { by: day(3), warnFrom: day(1) }),
      'paid',
    ]);

    const all = await list(user, 'limit=50');
    expect(all.total).toBe(6);
    const byId = new Map(all.invoices.map((i) => [i.id, i]));
    expect(byId.get(overdue)!.clearance).toMatchObject({
      authorityTitle: 'RO e-Factura',
      deadline: day(-2),
      attention: 'overdue',
    });
    expect(byId.get(soon)!.clearance!.attention).toBe('due-soon');
    expect(byId.get(later)!.clearance!.attention).toBeNull();
    // Accepted in time or not, nothing is left to do.
    expect(byId.get(accepted)!.clearance!.attention).toBeNull();

    const due = await list(user, 'clearance=due');
    expect(due.invoices.map((i) => i.id).sort()).toEqual([overdue, soon].sort());
    expect((await list(user, 'clearance=none')).total).toBe(1);
    expect((await list(user, 'clearance=held')).invoices.map((i) => i.id)).toEqual([overdue]);
    expect((await list(user, 'clearance=rejected')).invoices.map((i) => i.id)).toEqual([rejected]);
    expect((await list(user, 'status=paid')).invoices.map((i) => i.id)).toEqual([rejected]);

    const ascending = (await list(user, 'sort=total')).invoices.map((i) => Number(i.totalGross));
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    const descending = (await list(user, 'sort=-total')).invoices.map((i) => Number(i.totalGross));
    expect(descending).toEqual([...ascending].reverse());

    const bad = await user.rest<{ error: { issues: { path: string; message: string }[] } }>(
      '/api/v1/invoices?clearance=late&sort=price',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i) => i.path).sort()).toEqual(['/clearance', '/sort']);

    // tRPC takes the same filters.
    const viaTrpc = await user.trpc.invoices.list.query({ clearance: 'due', sort: '-issueDate' });
    expect(viaTrpc.total).toBe(2);
  });

  it('exports the filtered set as CSV, streamed in pages, with exact amounts and defused formulas', async () => {
    const { user, ids, integrationId } = await shop();
    await q(
      `update invoices set buyer = jsonb_set(buyer, '{name}', '"=HYPERLINK(\\"x\\")"'),
                    document = jsonb_set(document, '{buyer,name}', '"=HYPERLINK(\\"x\\")"') where id = $1`,
      [ids[0]],
    );
    await q('update invoices set clearance = $2::jsonb where id = $1', [
      ids[1],
      clearance('sent', { by: day(2), warnFrom: day(-1) }),
    ]);
    const whole = await csv(user, `integrationId=${integrationId}`);
    expect(whole.status).toBe(200);
    expect(whole.type).toMatch(/^text\/csv/);
    const lines = whole.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,type,series,number,issue_date,sale_date,plugin,integration_id,marketplace_order,buyer,buyer_tax_id,currency,total_net,total_vat,total_gross,status,corrects,clearance_authority,clearance_status,clearance_number,clearance_deadline',
    );
    expect(lines).toHaveLength(7);
    const listed = await list(user, `integrationId=${integrationId}&limit=50`);
    // Same order as the list, every row's gross total exactly as stored.
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(listed.invoices.map((i) => i.id));
    for (const [i, line] of lines.slice(1).entries())
      expect(line).toContain(`,${listed.invoices[i]!.totalGross},`);
    const formula = lines.find((l) => l.startsWith(ids[0]!))!;
    expect(formula).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines.find((l) => l.startsWith(ids[1]!))).toMatch(new RegExp(`,ro-efactura,sent,,${day(2)}$`));

    const filtered = await csv(user, 'clearance=due');
    expect(filtered.text.trimEnd().split('\r\n')).toHaveLength(2);

    // Paging inside the export: a page size of 1 gives the same rows.
    const { invoicesCsv } = await import('../src/api/queries/invoices-csv.ts');
    const [me] = await q<{ id: string }>('select id from users where email = $1', [user.email]);
    const principal = { userId: me!.id, tenantId: user.tenantId, role: user.role, email: user.email };
    let paged = '';
    for await (const chunk of invoicesCsv(host.database.db, { principal, integrationId }, 1)) paged += chunk;
    expect(paged).toBe(whole.text);

    const stranger = await shop();
    const foreign = await csv(stranger.user, `integrationId=${integrationId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain(ids[0]!);
    expect((await csv(user, 'from=yesterday')).status).toBe(400);
  });

  it('lists the alerts that need a person, for the caller’s tenant only', async () => {
    const { user, tenantId, ids } = await shop();
    await q('update invoices set clearance = $2::jsonb where id = $1', [
      ids[0],
      clearance('pending', { by: day(-1), warnFrom: day(-3) }, [
        { location: 'BR-RO-110', message: 'county' },
      ]),
    ]);
    await q('update invoices set clearance = $2::jsonb where id = $1', [
      ids[1],
      clearance('sent', { by: day(2), warnFrom: day(-1) }),
    ]);
    await q('update invoices set clearance = $2::jsonb where id = $1', [ids[2], clearance('rejected')]);
    const reauth = randomUUID();
    await q(
      `insert into integrations (id, tenant_id, plugin_id, label, status, status_reason, settings, created_at, updated_at)
       values ($1, $2, 'market-b', 'Second account', 'needs_reauth', 'The marketplace refused the saved sign-in.', '{}'::jsonb, now(), now()),
              ($3, $2, 'market-b', 'Old account', 'disabled', 'Deactivated by someone@example.com.', '{}'::jsonb, now(), now())`,
      [reauth, tenantId, randomUUID()],
    );

    const { alerts } = await user.trpc.alerts.list.query();
    const byId = new Map<string, Alert>(alerts.map((a) => [a.id, a]));
    expect(byId.get(`reauth:${reauth}`)).toMatchObject({
      severity: 'error',
      title: 'Second account needs you to connect it again',
      href: `/settings/integrations/${reauth}`,
    });
    expect(byId.get(`reauth:${reauth}`)!.message).toContain('The marketplace refused the saved sign-in.');
    expect(byId.get('overdue:ro-efactura')).toMatchObject({
      severity: 'error',
      count: 1,
      title: '1 document past the RO e-Factura deadline',
      href: '/invoices?clearance=due',
    });
    expect(byId.get('due:ro-efactura')).toMatchObject({ severity: 'warning', count: 1 });
    expect(byId.get('rejected:ro-efactura')).toMatchObject({
      count: 1,
      href: '/invoices?clearance=rejected',
    });
    expect(byId.get('held:ro-efactura')).toMatchObject({ count: 1 });
    // Switched off by a person on purpose: not an alert.
    expect(alerts.filter((a) => a.id.startsWith('disabled:'))).toEqual([]);
    for (const a of alerts) expect(`${a.title} ${a.message}`).not.toMatch(/\/api\/|HTTP \d/);

    const other = await shop();
    expect((await other.user.trpc.alerts.list.query()).alerts).toEqual([]);
  });
});
