import type { Effect, RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { ALLEGRO_ACCEPT, apiHeaders, obtainTokens } from '../sandbox/testing/consent.ts';

let sb: RunningSandbox;
let token: string;
let formIds: string[];

const pdf = (size = 1200): Buffer => {
  const body = Buffer.alloc(size, 0x20);
  body.write('%PDF-1.4\n');
  return body;
};

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
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function effects(kind?: string): Promise<Effect[]> {
  const state = (await (await fetch(`${sb.controlUrl}/state`)).json()) as { effects: Effect[] };
  return kind ? state.effects.filter((e) => e.kind === kind) : state.effects;
}

beforeAll(async () => {
  sb = await startSandbox({ orders: 30, seed: 'effects', rateLimit: false });
  token = (await obtainTokens({ sandbox: sb })).access_token;
  const list = await call('GET', '/order/checkout-forms?limit=10');
  formIds = (list.body?.checkoutForms as { id: string }[]).map((f) => f.id);
});
afterAll(async () => {
  await sb.close();
});

describe('Allegro sandbox invoices', () => {
  it('creates an invoice once, uploads its PDF once, and records both effects', async () => {
    const id = formIds[0] ?? '';
    const created = await call('POST', `/order/checkout-forms/${id}/invoices`, {
      body: { file: { name: 'FV-1-2026.pdf' }, invoiceNumber: 'FV/1/2026' },
    });
    expect(created.status).toBe(201);
    const invoiceId = String(created.body?.id);
    const again = await call('POST', `/order/checkout-forms/${id}/invoices`, {
      body: { file: { name: 'x.pdf' } },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ errors: [{ code: 'CONFLICT' }] });

    const upload = await call('PUT', `/order/checkout-forms/${id}/invoices/${invoiceId}/file`, {
      raw: pdf(),
    });
    expect(upload.status).toBe(200);
    const reupload = await call('PUT', `/order/checkout-forms/${id}/invoices/${invoiceId}/file`, {
      raw: pdf(),
    });
    expect(reupload.status).toBe(409);

    const listed = await call('GET', `/order/checkout-forms/${id}/invoices`);
    expect(listed.body).toMatchObject({
      invoices: [{ id: invoiceId, invoiceNumber: 'FV/1/2026', file: { name: 'FV-1-2026.pdf' } }],
    });

    expect(await effects('invoice.created')).toEqual([
      expect.objectContaining({
        target: id,
        account: 'sklep-alfa',
        data: expect.objectContaining({ invoiceId }),
      }),
    ]);
    expect(await effects('invoice.file_uploaded')).toEqual([
      expect.objectContaining({ target: id, data: expect.objectContaining({ invoiceId, size: 1200 }) }),
    ]);
  });

  it('refuses bad invoice files: too large (413), not a PDF or empty (422), wrong type (415), unknown (404)', async () => {
    const id = formIds[1] ?? '';
    const created = await call('POST', `/order/checkout-forms/${id}/invoices`, {
      body: { file: { name: 'a.pdf' } },
    });
    const path = `/order/checkout-forms/${id}/invoices/${String(created.body?.id)}/file`;
    const big = await call('PUT', path, { raw: pdf(3 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ errors: [{ code: 'FILE_TOO_LARGE' }] });
    expect((await call('PUT', path, { raw: pdf(3 * 1024 * 1024) })).status).toBe(200);

    const id2 = formIds[2] ?? '';
    const created2 = await call('POST', `/order/checkout-forms/${id2}/invoices`, {
      body: { file: { name: 'b.pdf' } },
    });
    const path2 = `/order/checkout-forms/${id2}/invoices/${String(created2.body?.id)}/file`;
    expect((await call('PUT', path2, { raw: Buffer.from('<html>not a pdf</html>') })).status).toBe(422);
    expect((await call('PUT', path2, { raw: pdf(), type: 'application/octet-stream' })).status).toBe(415);
    expect(
      (await call('PUT', `/order/checkout-forms/${id2}/invoices/nope/file`, { raw: pdf() })).status,
    ).toBe(404);
    expect(
      (await call('POST', `/order/checkout-forms/${id2}/invoices`, { body: { file: { name: 'c.pdf' } } }))
        .status,
    ).toBe(409);
    expect(
      (
        await call('POST', `/order/checkout-forms/${formIds[3] ?? ''}/invoices`, {
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
    expect(state.requests['POST /order/checkout-forms/:id/invoices']).toBeGreaterThanOrEqual(6);
    expect(state.requests['PUT /order/checkout-forms/:id/fulfillment']).toBeGreaterThanOrEqual(5);
    expect(state.breaches).toBe(0);
  });
});
