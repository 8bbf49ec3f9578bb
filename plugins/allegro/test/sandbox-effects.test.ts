import type { Effect, RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { ALLEGRO_ACCEPT, apiHeaders, obtainTokens } from '../sandbox/testing/consent.ts';

let sb: RunningSandbox;
let token: string;
let formIds: string[];
interface ListedForm {
  id: string;
  invoice: { required: boolean };
  payment: { type: string };
}
let forms: ListedForm[];

const pdf = (size = 1200): Buffer => {
  const body = Buffer.alloc(size, 0x20);
  body.write('%PDF-1.4\n');
  return body;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The scan and the metadata cooldown, shortened (Allegro: a few seconds each). */
const SCAN_MS = 500;
const COOLDOWN_MS = 400;

async function call(
  method: string,
  path: string,
  init: { body?: unknown; raw?: Buffer; type?: string } = {},
) {
  const headers: Record<string, string> = apiHeaders(token);
  let body: Uint8Array | string | undefined;
  if (init.raw) {
    headers['content-type'] = init.type ?? 'application/pdf';
    body = new Uint8Array(init.raw);
  } else if (init.body !== undefined) {
    headers['content-type'] = ALLEGRO_ACCEPT;
    body = JSON.stringify(init.body);
  }
  const res = await fetch(sb.url + path, { method, headers, body });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

async function effects(kind?: string): Promise<Effect[]> {
  const state = (await (await fetch(`${sb.controlUrl}/state`)).json()) as { effects: Effect[] };
  return kind ? state.effects.filter((e) => e.kind === kind) : state.effects;
}
const setFaults = (patch: unknown) =>
  fetch(`${sb.controlUrl}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });

interface ListedInvoice {
  id: string;
  invoiceNumber?: string;
  file: { name: string; uploadedAt?: string; securityVerification?: { status: string } };
}
const listInvoices = async (id: string) =>
  ((await call('GET', `/order/checkout-forms/${id}/invoices`)).body as { invoices: ListedInvoice[] })
    .invoices;

/** Orders whose buyer asked for an invoice, paid the regular way (10 invoices allowed). */
const regular = () => forms.filter((f) => f.invoice.required && f.payment.type !== 'EXTENDED_TERM');
const invoiceOf = async (orderId: string, n: number) => {
  const created = await call('POST', `/order/checkout-forms/${orderId}/invoices`, {
    body: { file: { name: `FV-${n}.pdf` }, invoiceNumber: `FV/${n}/2026` },
  });
  return created;
};

beforeAll(async () => {
  sb = await startSandbox({
    orders: 300,
    seed: 'effects',
    rateLimit: false,
    extra: { invoiceScanMs: SCAN_MS, invoiceMetadataCooldownMs: COOLDOWN_MS },
  });
  token = (await obtainTokens({ sandbox: sb })).access_token;
  forms = [];
  for (let offset = 0; offset < 300; offset += 100) {
    const list = await call('GET', `/order/checkout-forms?limit=100&offset=${offset}`);
    forms.push(...(list.body?.checkoutForms as ListedForm[]));
  }
  formIds = forms.map((f) => f.id);
});
afterAll(async () => {
  await sb.close();
});

describe('Allegro sandbox invoices (reference/README.md "Invoices", Corrections)', () => {
  it('takes up to 10 invoices per order: a repeated POST creates another, 409 only at the limit', async () => {
    const id = regular()[0]!.id;
    const ids: string[] = [];
    for (let n = 1; n <= 10; n++) {
      const created = await invoiceOf(id, n);
      expect(created.status, `invoice ${n}`).toBe(201);
      ids.push(String(created.body?.id));
      expect(
        (await call('PUT', `/order/checkout-forms/${id}/invoices/${ids.at(-1)}/file`, { raw: pdf() })).status,
      ).toBe(200);
      await sleep(SCAN_MS + 30); // the next one waits for this file's scan
    }
    expect(new Set(ids).size).toBe(10);
    const full = await invoiceOf(id, 11);
    expect(full.status).toBe(409);
    expect(full.body).toMatchObject({ errors: [{ code: 'CONFLICT' }] });
    const listed = await listInvoices(id);
    expect(listed.map((i) => i.id)).toEqual(ids);
    expect(listed.every((i) => i.file.securityVerification?.status === 'ACCEPTED')).toBe(true);
    expect((await effects('invoice.created')).filter((e) => e.target === id)).toHaveLength(10);
    expect((await effects('invoice.file_uploaded')).filter((e) => e.target === id)).toHaveLength(10);
  });

  it('refuses an invoice for an order whose buyer did not ask for one (422 ORDER-WITHOUT-INVOICE)', async () => {
    const id = forms.find((f) => !f.invoice.required)!.id;
    const refused = await invoiceOf(id, 1);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ errors: [{ code: 'ORDER-WITHOUT-INVOICE' }] });
    expect(await listInvoices(id)).toEqual([]);
    expect((await effects('invoice.created')).filter((e) => e.target === id)).toEqual([]);
  });

  it('lets a deferred-payment business order hold one invoice only', async () => {
    const deferred = forms.find((f) => f.payment.type === 'EXTENDED_TERM');
    expect(deferred, 'a deferred-payment order among 300').toBeDefined();
    expect(deferred!.invoice.required).toBe(true);
    const created = await invoiceOf(deferred!.id, 1);
    expect(created.status).toBe(201);
    await call('PUT', `/order/checkout-forms/${deferred!.id}/invoices/${String(created.body?.id)}/file`, {
      raw: pdf(),
    });
    await sleep(SCAN_MS + 30);
    expect((await invoiceOf(deferred!.id, 2)).status).toBe(409);
  });

  it('scans each file (WAITING → ACCEPTED | REJECTED) and refuses new metadata while one is scanned (422)', async () => {
    const id = regular()[1]!.id;
    const first = await invoiceOf(id, 1);
    await call('PUT', `/order/checkout-forms/${id}/invoices/${String(first.body?.id)}/file`, { raw: pdf() });
    expect((await listInvoices(id))[0]?.file.securityVerification?.status).toBe('WAITING');
    const scanning = await invoiceOf(id, 2);
    expect(scanning.status).toBe(422);
    expect(scanning.body).toMatchObject({ errors: [{ code: 'INVOICE-FILE-SECURITY-SCAN-IN-PROGRESS' }] });
    await sleep(SCAN_MS + 30);
    expect((await listInvoices(id))[0]?.file.securityVerification?.status).toBe('ACCEPTED');

    await setFaults({ rejectFiles: 1 });
    const second = await invoiceOf(id, 2);
    expect(second.status).toBe(201);
    const path = `/order/checkout-forms/${id}/invoices/${String(second.body?.id)}/file`;
    expect((await call('PUT', path, { raw: pdf() })).status).toBe(200);
    await sleep(SCAN_MS + 30);
    await setFaults({ rejectFiles: 0 });
    expect((await listInvoices(id))[1]?.file.securityVerification?.status).toBe('REJECTED');
    // The rejected invoice keeps its file: uploading again to it is a conflict.
    expect((await call('PUT', path, { raw: pdf() })).status).toBe(409);
  });

  it('answers 429 to metadata added too fast without a file, and takes it after the pause', async () => {
    const id = regular()[2]!.id;
    expect((await invoiceOf(id, 1)).status).toBe(201);
    const fast = await invoiceOf(id, 2);
    expect(fast.status).toBe(429);
    expect(Number(fast.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await sleep(COOLDOWN_MS + 50);
    expect((await invoiceOf(id, 2)).status).toBe(201);
    // Both exist, neither has a file: a client that retried blindly now owns two invoices.
    expect((await listInvoices(id)).map((i) => i.invoiceNumber)).toEqual(['FV/1/2026', 'FV/2/2026']);
  });

  it('lists invoices the seller added elsewhere', async () => {
    const id = regular()[3]!.id;
    const added = await fetch(`${sb.controlUrl}/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkoutFormId: id, invoiceNumber: 'PANEL/7/2026' }),
    });
    expect(added.status).toBe(201);
    expect(await listInvoices(id)).toEqual([
      expect.objectContaining({
        invoiceNumber: 'PANEL/7/2026',
        file: expect.objectContaining({
          securityVerification: expect.objectContaining({ status: 'ACCEPTED' }),
        }),
      }),
    ]);
    expect((await effects('invoice.created')).filter((e) => e.target === id)).toEqual([]);
  });

  it('loses answers on demand: the invoice is created, the client never hears of it', async () => {
    const id = regular()[4]!.id;
    await setFaults({ lostAnswers: 1, lostAnswerRoutes: ['POST /order/checkout-forms/:id/invoices'] });
    await expect(invoiceOf(id, 1)).rejects.toThrow();
    expect((await listInvoices(id)).map((i) => i.invoiceNumber)).toEqual(['FV/1/2026']);
    expect((await effects('invoice.created')).filter((e) => e.target === id)).toHaveLength(1);
    expect(
      ((await (await fetch(`${sb.controlUrl}/faults`)).json()) as { lostAnswers: number }).lostAnswers,
    ).toBe(0);
  });

  it('refuses bad invoice files: too large (413), not a PDF or empty (422), wrong type (415), unknown (404)', async () => {
    const id = regular()[5]!.id;
    const created = await invoiceOf(id, 1);
    const path = `/order/checkout-forms/${id}/invoices/${String(created.body?.id)}/file`;
    const big = await call('PUT', path, { raw: pdf(3 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ errors: [{ code: 'FILE_TOO_LARGE' }] });
    expect((await call('PUT', path, { raw: pdf(3 * 1024 * 1024) })).status).toBe(200);

    const id2 = regular()[6]!.id;
    const created2 = await invoiceOf(id2, 1);
    const path2 = `/order/checkout-forms/${id2}/invoices/${String(created2.body?.id)}/file`;
    expect((await call('PUT', path2, { raw: Buffer.from('<html>not a pdf</html>') })).status).toBe(422);
    expect((await call('PUT', path2, { raw: pdf(), type: 'application/octet-stream' })).status).toBe(415);
    expect(
      (await call('PUT', `/order/checkout-forms/${id2}/invoices/nope/file`, { raw: pdf() })).status,
    ).toBe(404);
    expect(
      (
        await call('POST', `/order/checkout-forms/${regular()[7]!.id}/invoices`, {
          body: { invoiceNumber: 'x' },
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await call('POST', '/order/checkout-forms/00000000-0000-4000-8000-000000000000/invoices', {
          body: { file: { name: 'a.pdf' } },
        })
      ).status,
    ).toBe(404);
    expect((await effects('invoice.file_uploaded')).filter((e) => e.target === id2)).toEqual([]);
  });
});

describe('Allegro sandbox fulfillment', () => {
  it('updates the status with a fresh revision, bumps the revision, emits an event; stale revisions get 409', async () => {
    const id = formIds[4] ?? '';
    const before = (await call('GET', `/order/checkout-forms/${id}`)).body as { revision: string };
    const stats = (await call('GET', '/order/event-stats')).body as { latestEvent: { id: string } };
    const ok = await call(
      'PUT',
      `/order/checkout-forms/${id}/fulfillment?checkoutForm.revision=${before.revision}`,
      {
        body: { status: 'PROCESSING' },
      },
    );
    expect(ok.status).toBe(204);
    const after = (await call('GET', `/order/checkout-forms/${id}`)).body as {
      revision: string;
      fulfillment: { status: string };
    };
    expect(after.fulfillment.status).toBe('PROCESSING');
    expect(after.revision).not.toBe(before.revision);
    expect(after.revision).toMatch(/^[0-9a-f]{8}$/);

    const stale = await call(
      'PUT',
      `/order/checkout-forms/${id}/fulfillment?checkoutForm.revision=${before.revision}`,
      {
        body: { status: 'SENT' },
      },
    );
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ errors: [{ code: 'CONFLICT', path: 'checkoutForm.revision' }] });

    const events = (await call('GET', `/order/events?from=${stats.latestEvent.id}`)).body as {
      events: { type: string; order: { checkoutForm: { id: string; revision: string } } }[];
    };
    expect(events.events).toEqual([
      expect.objectContaining({
        type: 'FULFILLMENT_STATUS_CHANGED',
        order: expect.objectContaining({ checkoutForm: { id, revision: after.revision } }),
      }),
    ]);
    const changed = (await effects('fulfillment.updated')).filter((e) => e.target === id);
    expect(changed).toHaveLength(1);
    expect(changed[0]?.data).toMatchObject({
      status: 'PROCESSING',
      fromRevision: before.revision,
      revision: after.revision,
    });

    const updated = await call('GET', `/order/checkout-forms?fulfillment.status=PROCESSING&limit=100`);
    expect((updated.body?.checkoutForms as { id: string }[]).map((f) => f.id)).toContain(id);
  });

  it('refuses unknown or forbidden statuses (422) and unknown orders (404)', async () => {
    const id = formIds[5] ?? '';
    expect(
      (await call('PUT', `/order/checkout-forms/${id}/fulfillment`, { body: { status: 'RETURNED' } })).status,
    ).toBe(422);
    expect(
      (await call('PUT', `/order/checkout-forms/${id}/fulfillment`, { body: { status: 'FLYING' } })).status,
    ).toBe(422);
    expect(
      (
        await call('PUT', '/order/checkout-forms/00000000-0000-4000-8000-000000000000/fulfillment', {
          body: { status: 'SENT' },
        })
      ).status,
    ).toBe(404);
  });

  it('makes a buyer modification bump the revision, so a seller holding the old one gets 409', async () => {
    const id = formIds[6] ?? '';
    const before = (await call('GET', `/order/checkout-forms/${id}`)).body as { revision: string };
    const res = await fetch(`${sb.controlUrl}/buyer-modify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkoutFormId: id }),
    });
    const { revision } = (await res.json()) as { revision: string };
    expect(revision).not.toBe(before.revision);
    const stale = await call(
      'PUT',
      `/order/checkout-forms/${id}/fulfillment?checkoutForm.revision=${before.revision}`,
      {
        body: { status: 'PROCESSING' },
      },
    );
    expect(stale.status).toBe(409);
    const fresh = await call(
      'PUT',
      `/order/checkout-forms/${id}/fulfillment?checkoutForm.revision=${revision}`,
      {
        body: { status: 'PROCESSING' },
      },
    );
    expect(fresh.status).toBe(204);
  });
});

describe('request counters', () => {
  it('counts requests per route pattern', async () => {
    const state = (await (await fetch(`${sb.controlUrl}/state`)).json()) as {
      requests: Record<string, number>;
      breaches: number;
    };
    expect(state.requests['POST /order/checkout-forms/:id/invoices']).toBeGreaterThanOrEqual(20);
    expect(state.requests['PUT /order/checkout-forms/:id/fulfillment']).toBeGreaterThanOrEqual(5);
    expect(state.breaches).toBe(0);
  });
});
