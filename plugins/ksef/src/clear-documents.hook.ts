import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConfigError,
  isPluginError,
  PluginErrorCode,
  type ClearanceDocument,
  type ClearanceResult,
  type JobOutput,
  type PluginContext,
} from '@mch/plugin-sdk';
import { createHash } from 'node:crypto';
import { buildFa3 } from './fa3.ts';
import { KsefClient, KsefError, type InvoiceStatus } from './ksef-client.ts';
import { FA3_XSD, validateXmlBatch } from './xsd.ts';

/** Documents handed over per ledger claim (and per XSD run). */
const CHUNK = 50;
/** How long one run waits for KSeF's answers before leaving the rest to the next run. */
const POLL_BUDGET_MS = 120_000;

export interface Settings {
  environment?: string;
  consumerInvoices?: 'all' | 'business';
}

/** What the document's clearance keeps to follow it up (no secrets). */
interface SentReference {
  session: string;
  invoice: string;
  nip: string;
  /** SHA-256 (Base64URL) of the FA(3) file: QR code I is built from it. */
  hash: string;
}

const QR_HOSTS: Record<string, string> = {
  'api-test': 'https://qr-test.ksef.mf.gov.pl',
  'api-demo': 'https://qr-demo.ksef.mf.gov.pl',
  api: 'https://qr.ksef.mf.gov.pl',
};

const nipOf = (doc: ClearanceDocument) => doc.document.seller.taxId.replace(/\D/g, '').slice(-10);

function qrFor(ctx: PluginContext, doc: ClearanceDocument, ref: SentReference): string {
  const settings = ctx.settings as Settings;
  const base = ctx.config.KSEF_QR_URL || QR_HOSTS[settings.environment ?? 'api-test'] || QR_HOSTS['api-test']!;
  const [y, m, d] = doc.issueDate.split('-');
  return `${base.replace(/\/$/, '')}/invoice/${ref.nip}/${d}-${m}-${y}/${ref.hash}`;
}

/** What one KSeF invoice status means for the document (the code table of open-api.json `SessionInvoiceStatusResponse`). */
async function answerFor(
  ctx: PluginContext,
  client: KsefClient,
  doc: ClearanceDocument,
  ref: SentReference,
  status: InvoiceStatus,
): Promise<ClearanceResult | undefined> {
  const { code, description, details, extensions } = status.status;
  const said = [description, ...(details ?? [])].join(': ');
  const qr = (number: string) => ({ payload: qrFor(ctx, doc, ref), label: number });
  if (code === 100 || code === 150) return undefined;
  if (code === 200 && status.ksefNumber) {
    const upo = await client.upo(ref.nip, ref.session, status.ksefNumber);
    return {
      status: 'accepted',
      number: status.ksefNumber,
      reference: { ...ref },
      receipt: { fileName: `UPO-${status.ksefNumber}.xml`, mediaType: 'application/xml', content: upo },
      qr: qr(status.ksefNumber),
    };
  }
  // 440: sent before (a retry after a crash or an outage) — the original is the accepted one.
  if (code === 440 && extensions?.originalKsefNumber) {
    const number = extensions.originalKsefNumber;
    const session = extensions.originalSessionReferenceNumber ?? ref.session;
    const upo = await client.upo(ref.nip, session, number).catch(() => undefined);
    return {
      status: 'accepted',
      number,
      reference: { ...ref, session, duplicateOf: session },
      ...(upo ? { receipt: { fileName: `UPO-${number}.xml`, mediaType: 'application/xml', content: upo } } : {}),
      qr: qr(number),
    };
  }
  if ([405, 410, 415, 430, 435, 450].includes(code)) {
    return {
      status: 'rejected',
      reference: { ...ref },
      errors: (details?.length ? details : [description]).map((message) => ({ location: `KSeF status ${code}`, message })),
    };
  }
  // 500, 550 and anything the API does not document: asked again on the next run.
  return {
    status: 'sent',
    reference: { ...ref },
    errors: [
      {
        location: `KSeF status ${code}`,
        message: `KSeF answered "${said}", which this connector does not know how to take; it asks again on the next run.`,
      },
    ],
  };
}

/**
 * The `documents.job`: hands every new document of the company to KSeF once (FA(3), checked
 * against the XSD first; an invalid one is held with its errors), in an online session, then
 * follows the sent ones until KSeF answers (KSeF number, UPO, QR code I) or refuses them.
 */
export async function clearDocuments(ctx: PluginContext<Settings>): Promise<JobOutput> {
  const documents = ctx.documents;
  if (!documents) throw new ConfigError('This connection is not tied to a company; connect KSeF again from the company settings.');
  const client = new KsefClient(ctx as PluginContext);
  const counts: Record<string, number> = { sent: 0, accepted: 0, rejected: 0, held: 0, notRequired: 0 };
  const sessions = new Map<string, { referenceNumber: string; key: Buffer; iv: Buffer }>();

  try {
    for (;;) {
      const pending = await documents.pending(CHUNK);
      if (pending.length === 0) break;
      const prepared = new Map<string, ClearanceResult>();
      const xmls = new Map<string, string>();
      for (const doc of pending) {
        if (ctx.settings.consumerInvoices === 'business' && doc.document.buyer.kind === 'consumer') {
          prepared.set(doc.id, { status: 'not-required' });
          continue;
        }
        try {
          xmls.set(doc.id, buildFa3(doc));
        } catch (error) {
          prepared.set(doc.id, {
            status: 'pending',
            errors: [{ location: 'document', message: `${(error as Error).message}; the invoice was not sent to KSeF. Issue a correction with a valid value.` }],
          });
        }
      }
      const ids = [...xmls.keys()];
      const checked = await validateXmlBatch(ids.map((id) => xmls.get(id)!), FA3_XSD);
      ids.forEach((id, i) => {
        const errors = checked[i]!;
        if (errors.length === 0) return;
        prepared.set(id, {
          status: 'pending',
          xml: xmls.get(id)!,
          errors: errors.map((e) => ({ location: e.location, message: `${e.message} — the FA(3) failed the official schema, so it was not sent to KSeF.` })),
        });
      });

      let stop: unknown;
      const outcomes = await documents.submit(pending, async (claimed) => {
        const results: Record<string, ClearanceResult> = {};
        for (const doc of claimed) {
          const ready = prepared.get(doc.id);
          if (ready) {
            results[doc.id] = ready;
            continue;
          }
          if (stop) break;
          const xml = xmls.get(doc.id)!;
          const nip = nipOf(doc);
          try {
            let session = sessions.get(nip);
            if (!session) {
              session = await client.openSession(nip);
              sessions.set(nip, session);
            }
            const invoice = await client.send(nip, session, xml);
            const hash = createHash('sha256').update(Buffer.from(xml, 'utf8')).digest('base64url');
            results[doc.id] = { status: 'sent', xml, reference: { session: session.referenceNumber, invoice, nip, hash } };
          } catch (error) {
            // The rest of the chunk is tried on a later run; an auth failure ends the run.
            stop = error;
          }
        }
        return results;
      });
      for (const o of outcomes) {
        if (o.status !== 'done') continue;
        const s = o.result.status;
        if (s === 'sent') counts.sent! += 1;
        else if (s === 'not-required') counts.notRequired! += 1;
        else if (s === 'pending') counts.held! += 1;
      }
      if (stop) {
        if (isPluginError(stop) && stop.code === PluginErrorCode.AUTH) throw stop;
        ctx.log.warn({ err: stop }, 'KSeF: sending stopped; the rest goes on the next run');
        break;
      }
      if (outcomes.every((o) => o.status === 'busy' || o.status === 'failed')) break;
    }
  } finally {
    for (const [nip, session] of sessions) {
      await client.close(nip, session.referenceNumber).catch((error: unknown) => ctx.log.warn({ err: error }, 'KSeF session not closed'));
    }
  }

  // Follow the sent ones until KSeF answers, within this run's budget.
  const deadline = Date.now() + POLL_BUDGET_MS;
  for (let round = 0; ; round++) {
    const awaiting = (await documents.awaiting(500)).filter((d) => d.clearance?.status === 'sent');
    let open = 0;
    for (const doc of awaiting) {
      const ref = doc.clearance?.reference as SentReference | undefined;
      if (!ref?.session || !ref.invoice) continue;
      try {
        const status = await client.invoiceStatus(ref.nip, ref.session, ref.invoice);
        const answer = await answerFor(ctx as PluginContext, client, doc, ref, status);
        if (!answer) {
          open += 1;
          continue;
        }
        await documents.record(doc.id, answer);
        if (answer.status === 'accepted') counts.accepted! += 1;
        else if (answer.status === 'rejected') counts.rejected! += 1;
      } catch (error) {
        if (!(error instanceof KsefError)) throw error;
        await documents.record(doc.id, {
          status: 'sent',
          reference: { ...ref },
          errors: [{ location: 'KSeF status', message: `${error.message}; asked again on the next run.` }],
        });
      }
    }
    if (open === 0 || Date.now() > deadline) break;
    await sleep(Math.min(2000, 250 * (round + 1)), undefined, { signal: ctx.signal });
  }
  return { counts };
}
