import type { ApiCall } from './api.ts';
import { formatDate } from './dates.ts';
import { asEntityList, fail, ok, toInt, type Envelope } from './envelope.ts';
import type { AttachmentRecord } from './order-generator.ts';

/**
 * `order/attachments/save` (API doc "Order invoices and warranties"): eMAG downloads each
 * document from its public `url` and accepts only PDF files. The sandbox really downloads
 * it, so a client that uploads a broken or non-PDF link finds out here, not in production.
 */
const ATTACHMENT_TYPES = new Set([1, 3, 4, 8, 10, 11]);
const MAX_BYTES = 10 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 10_000;
const MAX_ENTITIES = 50;

export async function saveAttachments({ account, data, ctx }: ApiCall): Promise<Envelope> {
  const list = asEntityList(data);
  if (!list || list.length === 0) return fail('data must be a list of attachments');
  if (list.length > MAX_ENTITIES) return fail(`Maximum ${MAX_ENTITIES} entities per request`);
  const acc = ctx.store.of(account);
  const errors: string[] = [];
  const accepted: { index: number; id: number; record: AttachmentRecord; bytes: number; skipped: boolean }[] =
    [];

  for (const a of list) {
    const orderId = toInt(a.order_id);
    const index = orderId === undefined ? -1 : ctx.store.find(acc, orderId);
    if (orderId === undefined || index < 0) {
      errors.push(`Order ${String(a.order_id)} not found`);
      continue;
    }
    const header = ctx.store.header(acc, index);
    const orderType = toInt(a.order_type);
    if (orderType !== header.type) {
      errors.push(`Order ${orderId}: order_type is required and must be the order's type (${header.type})`);
      continue;
    }
    const type = a.type === undefined ? 1 : toInt(a.type);
    if (type === undefined || !ATTACHMENT_TYPES.has(type)) {
      errors.push(`Order ${orderId}: type must be one of 1, 3, 4, 8, 10, 11`);
      continue;
    }
    const name = a.name === undefined ? '' : typeof a.name === 'string' ? a.name : undefined;
    if (name === undefined || name.length > 60) {
      errors.push(`Order ${orderId}: name must be a text of at most 60 characters`);
      continue;
    }
    const url = typeof a.url === 'string' ? a.url : '';
    if (url.length < 1 || url.length > 1024 || !/^https?:\/\//.test(url)) {
      errors.push(`Order ${orderId}: url must be a valid http(s) URL of at most 1024 characters`);
      continue;
    }
    const force = toInt(a.force_download ?? 0) === 1 ? 1 : 0;
    let orderProductId: number | undefined;
    if (type === 3) {
      orderProductId = toInt(a.order_product_id);
      const lines = ctx.store.order(acc, index).products as { id: number }[];
      if (orderProductId === undefined || !lines.some((l) => l.id === orderProductId)) {
        errors.push(
          `Order ${orderId}: a warranty (type 3) needs the order_product_id of one of the order's products`,
        );
        continue;
      }
    }
    const existing = ctx.store.of(account).overlay.get(index)?.attachments ?? [];
    // force_download 0 and an unchanged URL: eMAG does not download it again.
    const skipped = force === 0 && existing.some((e) => e.url === url && e.type === type);
    let bytes = 0;
    if (!skipped) {
      const download = await downloadPdf(url);
      if ('error' in download) {
        errors.push(`Order ${orderId}: ${download.error}`);
        continue;
      }
      bytes = download.bytes;
    }
    const record: AttachmentRecord = {
      name,
      url,
      type,
      force_download: force,
      created: formatDate(ctx.now()),
      ...(orderProductId !== undefined ? { order_product_id: orderProductId } : {}),
    };
    accepted.push({ index, id: orderId, record, bytes, skipped });
  }
  if (errors.length > 0) return fail(...errors);
  for (const a of accepted) {
    if (a.skipped) continue;
    const existing = acc.overlay.get(a.index)?.attachments ?? [];
    const kept = existing.filter(
      (e) => !(e.type === a.record.type && e.order_product_id === a.record.order_product_id),
    );
    ctx.store.mutate(acc, a.index, { attachments: [...kept, a.record] });
    ctx.ledger.record({
      kind: 'order.attachment_saved',
      account: account.key,
      target: String(a.id),
      data: { url: a.record.url, type: a.record.type, name: a.record.name, bytes: a.bytes },
    });
  }
  return ok([]);
}

async function downloadPdf(url: string): Promise<{ bytes: number } | { error: string }> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    return { error: `the file could not be downloaded from ${url} (${(error as Error).message})` };
  }
  if (!response.ok)
    return { error: `the file could not be downloaded from ${url} (HTTP ${response.status})` };
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.length > MAX_BYTES) return { error: 'the file is larger than 10 MB' };
  // A PDF starts with "%PDF-" (ISO 32000-1, 7.5.2); the Content-Type alone proves nothing.
  const magic = Buffer.from(body.subarray(0, 1024)).toString('latin1');
  if (!magic.includes('%PDF-')) return { error: 'Only .pdf files are accepted' };
  return { bytes: body.length };
}
