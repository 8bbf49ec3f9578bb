import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { isValidKsefNumber } from '../sandbox/ksef-number.ts';
import {
  connectAccount,
  startAllegroWorld,
  syncAndWait,
  waitIdle,
  type AllegroWorld,
} from '../../allegro/test/support.ts';
import type { TestActor } from '@mch/host/testing';
import { allInvoices, ksefConfig, ksefInvoices, setFaults, until, type InvoiceItem } from './support.ts';

const NIP = '7740001454';

interface KsefSandboxState {
  requests: Record<string, number>;
  tooMany: number;
  retryAfterIgnored: number;
}

/**
 * Issue 18 "Bad input", through the real host with the Allegro and KSeF sandboxes: a document
 * failing the FA(3) XSD, an answer KSeF does not document, 429s, expired access tokens and a KSeF
 * token KSeF no longer accepts — each said in words where it happened, the other documents going on.
 */
describe('KSeF: bad input and faults, each on its document, the others cleared', () => {
  let world: AllegroWorld;
  let ksef: RunningSandbox;
  let user: TestActor;
  let ksefId: string;
  let allegroId: string;

  const state = async () => (await (await fetch(`${ksef.controlUrl}/state`)).json()) as KsefSandboxState;
  const issued = () => allInvoices(user, `&integrationId=${allegroId}`);
  /** New Allegro orders bought now, invoiced by a sync; answers the invoices that are new. */
  const newInvoices = async (count: number): Promise<InvoiceItem[]> => {
    const before = new Set((await issued()).map((i) => i.id));
    const added = await fetch(`${world.sandbox.controlUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count }),
    });
    expect(added.status).toBe(201);
    expect((await syncAndWait(user, allegroId, 60_000)).status).toBe('succeeded');
    const fresh = (await issued()).filter((i) => !before.has(i.id));
    expect(fresh.length).toBeGreaterThan(0);
    return fresh;
  };
  const cleared = (ids: Set<string>) =>
    until(
      'the new invoices cleared',
      async () => {
        const now = (await issued()).filter((i) => ids.has(i.id));
        return now.every((i) => i.clearance?.status === 'accepted') && now;
      },
      30_000,
    );

  beforeAll(async () => {
    world = await startAllegroWorld({ orders: 16, seed: 'ksef-faults' });
    ksef = await startSandbox({ seed: 'faults' });
    world.overrides.set('ksef', ksefConfig(ksef));
    const tenant = await world.host.createTenant();
    user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    // The sandbox's token names no NIP and the company has no invoice yet: kept, checked on sending.
    const created = await user.trpc.integrations.create.mutate({
      pluginId: 'ksef',
      settings: { ksefToken: ksef.credentials.ksefToken!, environment: 'api-test' },
    });
    ksefId = created.id;
  }, 60_000);
  afterAll(async () => {
    await world?.stop();
    await ksef?.close();
  });

  it('holds a document failing the FA(3) XSD with its located errors, shows an answer KSeF does not document on its document, waits out each 429’s Retry-After, and clears the others', async () => {
    // KSeF is down while the invoices are issued, so every one is still to be sent afterwards.
    await setFaults(ksef, { errorRate: 1, errorStatus: 503 });
    allegroId = await connectAccount(user, 0);
    expect((await syncAndWait(user, allegroId, 60_000)).status).toBe('succeeded');
    await waitIdle(user, ksefId, 30_000);
    const invoices = await issued();
    expect(invoices.length).toBeGreaterThanOrEqual(6);
    expect(invoices.every((i) => i.clearance?.status !== 'accepted')).toBe(true);

    // One document's buyer has a country code that does not exist (FA(3) TKodKraju refuses it).
    const pool = world.host.database.db.pool;
    const { rows } = await pool.query<{ id: string; number: string }>(
      `update invoices set document = jsonb_set(document, '{buyer,address,country}', '"ZZ"')
        where id = (select id from invoices where id = any($1::uuid[]) and type = 'invoice'
                      and document -> 'buyer' -> 'address' ->> 'country' is not null
                    order by number limit 1)
        returning id, number`,
      [invoices.map((i) => i.id)],
    );
    const bad = rows[0]!;

    // Back up: one decided invoice answers a status nobody documents, and the first two calls of
    // the sessions are refused with 429 and `Retry-After: 2`.
    await setFaults(ksef, {
      errorRate: 0,
      unexpectedStatus: 1,
      burst429: 2,
      retryAfter429: 2,
      routes: ['/v2/sessions'],
    });
    await user.trpc.integrations.sync.mutate({ id: ksefId });
    const settled = await until(
      'every document accepted, held or answered oddly',
      async () => {
        const now = await issued();
        return (
          now.every((i) => i.clearance?.status === 'accepted' || (i.clearance?.errors.length ?? 0) > 0) && now
        );
      },
      40_000,
    );

    const held = settled.find((i) => i.id === bad.id)!;
    expect(held.clearance!.status).toBe('pending');
    expect(held.clearance!.errors[0]!.location).toMatch(/KodKraju/);
    expect(held.clearance!.errors[0]!.message).toMatch(/ZZ/);
    expect(held.clearance!.errors[0]!.message).toMatch(/failed the official schema, so it was not sent/);

    const odd = settled.filter((i) => i.id !== bad.id && i.clearance?.status !== 'accepted');
    expect(odd).toHaveLength(1);
    expect(odd[0]!.clearance).toMatchObject({ status: 'sent', number: null });
    expect(odd[0]!.clearance!.errors).toEqual([
      {
        location: 'KSeF answer',
        message: expect.stringMatching(
          /^KSeF answered ".+", an answer this connector does not know, so the invoice has no KSeF number yet\. KSeF is asked again at every run/,
        ),
      },
    ]);
    expect(odd[0]!.clearance!.errors[0]!.message).not.toMatch(/\b999\b/);

    const accepted = settled.filter((i) => i.clearance?.status === 'accepted');
    expect(accepted).toHaveLength(settled.length - 2);
    for (const i of accepted) expect(isValidKsefNumber(i.clearance!.number!)).toBe(true);
    // The held document never reached KSeF; each other one reached it once.
    const atKsef = await ksefInvoices(ksef);
    expect(atKsef.map((s) => s.invoiceNumber).sort()).toEqual(
      settled
        .filter((i) => i.id !== bad.id)
        .map((i) => i.number)
        .sort(),
    );
    const after = await state();
    expect(after.tooMany).toBeGreaterThanOrEqual(2);
    expect(after.retryAfterIgnored).toBe(0);
    await setFaults(ksef, { unexpectedStatus: 0, routes: [] });
  }, 60_000);

  it('refreshes access tokens KSeF says expired and goes on sending', async () => {
    const before = (await state()).requests;
    await setFaults(ksef, { expireTokens: true });
    const fresh = await newInvoices(5);
    await user.trpc.integrations.sync.mutate({ id: ksefId });
    const done = await cleared(new Set(fresh.map((i) => i.id)));
    expect(done).toHaveLength(fresh.length);
    const after = (await state()).requests;
    // Refreshed, not signed in again: the refresh token still worked.
    expect(after['POST /v2/auth/token/refresh'] ?? 0).toBeGreaterThan(
      before['POST /v2/auth/token/refresh'] ?? 0,
    );
    expect(after['POST /v2/auth/ksef-token'] ?? 0).toBe(before['POST /v2/auth/ksef-token'] ?? 0);
    await setFaults(ksef, { expireTokens: false });
  }, 60_000);

  it('an invoice KSeF will not take into its session is held with KSeF’s words; one refused once goes in a new session; the others are cleared', async () => {
    const opened = async () => (await state()).requests['POST /v2/sessions/online'] ?? 0;
    const sessionsBefore = await opened();
    // Three refusals at intake (21403): the first invoice twice (held), the second once (sent
    // again in a fresh session). Up to three invoices go by the online route (BATCH_FROM).
    await setFaults(ksef, { refuseIntake: 3 });
    const fresh = await newInvoices(3);
    expect(fresh.length).toBeGreaterThanOrEqual(2);
    expect(fresh.length).toBeLessThanOrEqual(3);
    await user.trpc.integrations.sync.mutate({ id: ksefId });
    const ids = new Set(fresh.map((i) => i.id));
    const settled = await until(
      'the new invoices cleared or held',
      async () => {
        const now = (await issued()).filter((i) => ids.has(i.id));
        return (
          now.every((i) => i.clearance?.status === 'accepted' || (i.clearance?.errors.length ?? 0) > 0) && now
        );
      },
      30_000,
    );
    const held = settled.filter((i) => i.clearance?.status !== 'accepted');
    expect(held).toHaveLength(1);
    expect(held[0]!.clearance).toMatchObject({ status: 'pending', number: null });
    expect(held[0]!.clearance!.errors).toEqual([
      {
        location: 'KSeF intake',
        message: expect.stringMatching(
          /^KSeF did not take the invoice: Nieprawidłowy skrót pliku\..* It was not sent and has no KSeF number; the other invoices went on\./,
        ),
      },
    ]);
    expect(settled.filter((i) => i.clearance?.status === 'accepted')).toHaveLength(fresh.length - 1);
    // The first session, then a fresh one after each refusal.
    expect((await opened()) - sessionsBefore).toBe(3);
    const atKsef = new Set((await ksefInvoices(ksef)).map((s) => s.invoiceNumber));
    expect(atKsef.has(held[0]!.number)).toBe(false);
    // Held for good: a later run does not send it again.
    await user.trpc.integrations.sync.mutate({ id: ksefId });
    await waitIdle(user, ksefId, 30_000);
    expect((await issued()).find((i) => i.id === held[0]!.id)!.clearance!.status).toBe('pending');
    expect(new Set((await ksefInvoices(ksef)).map((s) => s.invoiceNumber)).has(held[0]!.number)).toBe(false);
  }, 60_000);

  it('a KSeF token KSeF no longer accepts: the connection says to enter a valid one and nothing is cleared; a wrong new one is not saved; a valid one sends what waited', async () => {
    const revoked = await fetch(`${ksef.controlUrl}/tokens/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ksef.credentials.ksefToken }),
    });
    expect(revoked.status).toBe(204);
    const fresh = await newInvoices(5);
    const ids = new Set(fresh.map((i) => i.id));
    const status = await until(
      'the KSeF connection waiting for a valid token',
      async () => {
        const s = await user.trpc.integrations.status.query({ id: ksefId });
        return s.status === 'needs_reauth' && s;
      },
      30_000,
    );
    expect(status.statusReason).toMatch(
      new RegExp(
        `^KSeF did not accept the KSeF token for NIP ${NIP} \\(KSeF said: .+\\), so no invoice was sent\\. Enter a valid KSeF token in the connection settings`,
      ),
    );
    const waiting = (await issued()).filter((i) => ids.has(i.id));
    expect(waiting.every((i) => i.clearance === null)).toBe(true);

    // A token made for another NIP: KSeF refuses it for the company's NIP, so it is not saved.
    const issue = async (nip: string) =>
      (
        (await (
          await fetch(`${ksef.controlUrl}/tokens`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ nip }),
          })
        ).json()) as { token: string }
      ).token;
    const refused = await user.trpc.integrations.updateSettings
      .mutate({ id: ksefId, settings: { ksefToken: await issue('1111111111'), environment: 'api-test' } })
      .catch((error: unknown) => error as Error);
    expect((refused as Error).message).toMatch(
      new RegExp(`^Not saved: KSeF did not accept the KSeF token for NIP ${NIP} .*Enter a valid KSeF token`),
    );
    expect((await user.trpc.integrations.status.query({ id: ksefId })).status).toBe('needs_reauth');

    const saved = await user.trpc.integrations.updateSettings.mutate({
      id: ksefId,
      settings: { ksefToken: await issue(NIP), environment: 'api-test' },
    });
    expect(saved.connection).toMatchObject({ verdict: 'connected' });
    expect(await user.trpc.integrations.status.query({ id: ksefId })).toMatchObject({
      status: 'active',
      statusReason: null,
    });
    await user.trpc.integrations.sync.mutate({ id: ksefId });
    expect(await cleared(ids)).toHaveLength(ids.size);
  }, 60_000);
});
