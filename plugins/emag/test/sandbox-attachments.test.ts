/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read untyped JSON off the wire */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller, type EmagCaller } from '../sandbox/client.ts';

// order/attachments/save: the sandbox downloads the document and accepts only PDFs.
let sb: RunningSandbox;
let ro: EmagCaller;
let files: FastifyInstance;
let filesUrl = '';
const downloads: string[] = [];
type Order = Record<string, any>;

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

beforeAll(async () => {
  files = Fastify();
  files.addHook('onRequest', async (request) => {
    downloads.push(request.url);
  });
  files.get('/invoice.pdf', async (_req, reply) => reply.type('application/pdf').send(PDF));
  // Claims to be a PDF but is an HTML error page: only the content counts.
  files.get('/fake.pdf', async (_req, reply) => reply.type('application/pdf').send('<html>Not found</html>'));
  files.get('/missing.pdf', async (_req, reply) => reply.code(404).send('nope'));
  filesUrl = await files.listen({ port: 0, host: '127.0.0.1' });
  sb = await startSandbox({ orders: 500, seed: 'attach', rateLimit: false });
  ro = emagCaller({ url: sb.url, ...(sb.credentials as { username: string; password: string }) });
});
afterAll(async () => {
  await sb.close();
  await files.close();
});
beforeEach(async () => {
  downloads.length = 0;
  await fetch(`${sb.controlUrl}/reset`, { method: 'POST' });
});

const effects = async () =>
  (((await (await fetch(`${sb.controlUrl}/state`)).json()) as Record<string, any>).effects as Order[]).filter(
    (e) => e.kind === 'order.attachment_saved',
  );
const anOrder = async () => ((await ro.call('order/read', { status: 4 })).body.results as Order[])[0]!;

describe('order/attachments/save', () => {
  it('downloads a PDF invoice, attaches it to the order and records it once', async () => {
    const order = await anOrder();
    const url = `${filesUrl}/invoice.pdf`;
    const res = await ro.call('order/attachments/save', [
      { order_id: order.id, order_type: 3, name: 'Factura FCT-001', url, type: 1 },
    ]);
    expect(res.body).toEqual({ isError: false, messages: [], results: [] });
    expect(downloads).toEqual(['/invoice.pdf']);
    const after = ((await ro.call('order/read', { id: order.id })).body.results as Order[])[0]!;
    expect(after.attachments).toEqual([
      expect.objectContaining({ order_id: order.id, name: 'Factura FCT-001', url, type: 1 }),
    ]);
    const saved = await effects();
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ target: String(order.id), data: { url, type: 1, bytes: PDF.length } });
  });

  it('does not download the same URL again unless force_download is 1', async () => {
    const order = await anOrder();
    const att = {
      order_id: order.id,
      order_type: 3,
      name: 'Factura',
      url: `${filesUrl}/invoice.pdf`,
      type: 1,
    };
    await ro.call('order/attachments/save', [att]);
    await ro.call('order/attachments/save', [{ ...att, force_download: 0 }]);
    expect(downloads).toHaveLength(1);
    expect(await effects()).toHaveLength(1);
    await ro.call('order/attachments/save', [{ ...att, force_download: 1 }]);
    expect(downloads).toHaveLength(2);
    expect(await effects()).toHaveLength(2);
  });

  it('rejects a document that is not a PDF, and an unreachable one', async () => {
    const order = await anOrder();
    const fake = await ro.call('order/attachments/save', [
      { order_id: order.id, order_type: 3, name: 'x', url: `${filesUrl}/fake.pdf`, type: 1 },
    ]);
    expect(fake.status).toBe(200);
    expect(fake.body.isError).toBe(true);
    expect(fake.body.messages?.[0]).toMatch(/Only \.pdf files are accepted/);
    const missing = await ro.call('order/attachments/save', [
      { order_id: order.id, order_type: 3, name: 'x', url: `${filesUrl}/missing.pdf`, type: 1 },
    ]);
    expect(missing.body.isError).toBe(true);
    expect(missing.body.messages?.[0]).toMatch(/HTTP 404/);
    expect(downloads).toEqual(['/fake.pdf', '/missing.pdf']);
    expect(await effects()).toHaveLength(0);
  });

  it('validates order, order_type, type and warranty line', async () => {
    const order = await anOrder();
    const url = `${filesUrl}/invoice.pdf`;
    const cases = [
      { order_id: 42, order_type: 3, url },
      { order_id: order.id, url },
      { order_id: order.id, order_type: 2, url },
      { order_id: order.id, order_type: 3, url, type: 2 },
      { order_id: order.id, order_type: 3, url: 'ftp://x/y.pdf' },
      { order_id: order.id, order_type: 3, url, type: 3 },
    ];
    for (const c of cases) expect((await ro.call('order/attachments/save', [c])).body.isError).toBe(true);
    expect(downloads).toHaveLength(0);
    const warranty = await ro.call('order/attachments/save', [
      {
        order_id: order.id,
        order_type: 3,
        url,
        type: 3,
        order_product_id: order.products[0].id,
        name: 'Garantie',
      },
    ]);
    expect(warranty.body.isError).toBe(false);
  });

  it('accepts attachments on FBE (type 2) orders', async () => {
    const fbe = emagCaller({ url: sb.url, username: 'ro-fbe@sandbox.emag', password: 'sandbox-ro-fbe' });
    const order = ((await fbe.call('order/read', { type: 2, status: 4 })).body.results as Order[])[0]!;
    const res = await fbe.call('order/attachments/save', [
      { order_id: order.id, order_type: 2, name: 'Factura', url: `${filesUrl}/invoice.pdf`, type: 1 },
    ]);
    expect(res.body.isError).toBe(false);
    expect((await effects())[0]).toMatchObject({ account: 'ro-fbe', target: String(order.id) });
  });
});
