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
import { isOutage, KsefClient, KsefError, type InvoiceStatus, type SessionInvoice } from './ksef-client.ts';
import { offlineCertificate, offlineDue, qrCodeII, type OfflineCertificate } from './offline.ts';
import { NIP_KEY } from './test-connection.hook.ts';
import { FA3_XSD, validateXmlBatch } from './xsd.ts';
import { writeZip } from './zip.ts';

/**
 * Online session for a trickle, batch session from BATCH_FROM waiting documents. Why 4: the job
 * runs every minute, and limity-api.md lets an online session send 180 invoices an hour (30 a
 * minute in bursts) — 3 a minute sustained — while batch sessions may be opened 60 times an hour,
 * once a minute, whatever they hold. Up to 3 documents a run the online route keeps within its
 * hourly budget and gives each its KSeF number soonest; from 4 one batch costs a single opening
 * and closing (sesja-wsadowa.md: batches "every few minutes" for e-commerce).
 */
export const BATCH_FROM = 4;
/** Documents per ledger claim and per batch session (KSeF takes up to 10 000 a session, limity.md). */
const BATCH_MAX = 1000;
/** Parallel UPO downloads (the links are outside the API limits). */
const DOWNLOADS = 8;
/** Answers of a batch session stored together (one write for so many documents). */
const RECORD_EVERY = 250;
/** How long one run waits for KSeF's answers before leaving the rest to the next run. */
const POLL_BUDGET_MS = 120_000;

export interface Settings {
  environment?: string;
  consumerInvoices?: 'all' | 'business';
}

/** What the document's clearance keeps to follow it up (no secrets). */
interface SentReference {
  session: string;
  /** Online sessions: KSeF's element reference of the invoice. */
  invoice?: string;
  /** Batch sessions: the file's name in the archive (`invoiceFileName` in KSeF's answers). */
  file?: string;
  nip: string;
  /** SHA-256 (Base64URL) of the FA(3) file: QR code I is built from it. */
  hash: string;
  /** When the FA(3) was made (its DataWytworzeniaFa): the same file is made again from it. */
  generatedAt?: string;
  /** Issued offline (tryby-offline.md): sent with `offlineMode`, QR code II kept on it. */
  offline?: boolean;
  /** QR code II of a document issued offline. */
  certificateQr?: string;
}

const QR_HOSTS: Record<string, string> = {
  'api-test': 'https://qr-test.ksef.mf.gov.pl',
  'api-demo': 'https://qr-demo.ksef.mf.gov.pl',
  api: 'https://qr.ksef.mf.gov.pl',
};

const nipOf = (doc: ClearanceDocument) => doc.document.seller.taxId.replace(/\D/g, '').slice(-10);

function qrBase(ctx: PluginContext): string {
  const settings = ctx.settings as Settings;
  return ctx.config.KSEF_QR_URL || QR_HOSTS[settings.environment ?? 'api-test'] || QR_HOSTS['api-test']!;
}

function qrFor(ctx: PluginContext, doc: ClearanceDocument, ref: Pick<SentReference, 'nip' | 'hash'>): string {
  const [y, m, d] = doc.issueDate.split('-');
  return `${qrBase(ctx).replace(/\/$/, '')}/invoice/${ref.nip}/${d}-${m}-${y}/${ref.hash}`;
}

/**
 * What a document issued offline keeps on it until KSeF numbers it (kody-qr.md "Oznaczenie pod
 * kodem QR"): QR code I labelled OFFLINE, QR code II labelled CERTYFIKAT, and its deadline.
 */
function offlineExtras(
  ctx: PluginContext,
  doc: ClearanceDocument,
  ref: SentReference,
): Partial<ClearanceResult> {
  if (!ref.offline) return {};
  return {
    qr: { payload: qrFor(ctx, doc, ref), label: 'OFFLINE' },
    ...(ref.certificateQr ? { qrCodes: [{ payload: ref.certificateQr, label: 'CERTYFIKAT' }] } : {}),
    due: offlineDue(doc.issueDate),
  };
}

/** A document KSeF could not be reached for, issued offline (tryby-offline.md, offline24). */
function offlineResult(
  ctx: PluginContext,
  doc: ClearanceDocument,
  xml: string,
  generatedAt: Date,
  certificate: OfflineCertificate,
): ClearanceResult {
  const nip = nipOf(doc);
  const hash = hashOf(xml);
  const certificateQr = qrCodeII({
    qrBaseUrl: qrBase(ctx),
    contextNip: nip,
    sellerNip: nip,
    certificate,
    hash,
  });
  const reference: SentReference = {
    session: '',
    nip,
    hash,
    generatedAt: generatedAt.toISOString(),
    offline: true,
    certificateQr,
  };
  return { status: 'offline', xml, reference: { ...reference }, ...offlineExtras(ctx, doc, reference) };
}

/** The FA(3) of a document as it was first made (same DataWytworzeniaFa, so the same SHA-256). */
function xmlOf(doc: ClearanceDocument): string {
  const ref = doc.clearance?.reference as SentReference | undefined;
  return ref?.generatedAt ? buildFa3(doc, { now: new Date(ref.generatedAt) }) : buildFa3(doc);
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
  const qr = (number: string) => ({
    qr: { payload: qrFor(ctx, doc, ref), label: number },
    // An invoice issued offline keeps QR code II on its visualisation (kody-qr.md).
    ...(ref.certificateQr ? { qrCodes: [{ payload: ref.certificateQr, label: 'CERTYFIKAT' }] } : {}),
  });
  if (code === 100 || code === 150) return undefined;
  if (code === 200 && status.ksefNumber) {
    const url = (status as SessionInvoice).upoDownloadUrl;
    const upo =
      ref.file && url
        ? await client.download(url)
        : await client.upo(ref.nip, ref.session, status.ksefNumber);
    return {
      status: 'accepted',
      number: status.ksefNumber,
      reference: { ...ref },
      receipt: { fileName: `UPO-${status.ksefNumber}.xml`, mediaType: 'application/xml', content: upo },
      ...qr(status.ksefNumber),
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
      ...(upo
        ? { receipt: { fileName: `UPO-${number}.xml`, mediaType: 'application/xml', content: upo } }
        : {}),
      ...qr(number),
    };
  }
  if ([405, 410, 415, 430, 435, 450].includes(code)) {
    return {
      status: 'rejected',
      reference: { ...ref, code },
      errors: (details?.length ? details : [description]).map((message) => ({
        location: 'KSeF verification',
        message: `KSeF refused the invoice: ${message}. It has no KSeF number; fix what KSeF names and issue the invoice again.`,
      })),
    };
  }
  // 500, 550 and anything the API does not document: kept as sent, with the answer shown on the
  // document, and asked again at every run (the other documents go on meanwhile).
  return {
    status: 'sent',
    reference: { ...ref, code },
    ...offlineExtras(ctx, doc, ref),
    errors: [
      {
        location: 'KSeF answer',
        message: `KSeF answered "${said}", an answer this connector does not know, so the invoice has no KSeF number yet. KSeF is asked again at every run; if this stays for a day, look the invoice up in the KSeF application.`,
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
  if (!documents)
    throw new ConfigError(
      'This connection is not tied to a company; connect KSeF again from the company settings.',
    );
  const client = new KsefClient(ctx);
  const counts: Record<string, number> = {
    sent: 0,
    accepted: 0,
    rejected: 0,
    held: 0,
    notRequired: 0,
    offline: 0,
  };
  const sessions = new Map<string, { referenceNumber: string; key: Buffer; iv: Buffer }>();
  /** Sessions left after KSeF refused an invoice into them; closed with the others. */
  const retired: [string, { referenceNumber: string }][] = [];
  // Without a usable offline certificate an outage only delays sending (no QR code II possible).
  const certificate = await offlineCertificate(ctx).catch((error: unknown) => {
    ctx.log.warn({ err: error }, 'KSeF offline certificate unusable; no offline invoicing');
    return undefined;
  });
  /** KSeF was found unreachable in this run: the rest is issued offline at once. */
  let outage = false;

  try {
    for (;;) {
      const pending = await documents.pending(BATCH_MAX);
      const batch = pending.length >= BATCH_FROM;
      if (pending.length === 0) break;
      // The connection test signs in for this NIP when the token is changed.
      const seller = nipOf(pending[0]!);
      if ((await ctx.store.get<string>(NIP_KEY)) !== seller) await ctx.store.set(NIP_KEY, seller);
      const prepared = new Map<string, ClearanceResult>();
      const xmls = new Map<string, string>();
      // Whole seconds, as DataWytworzeniaFa keeps it: the file can be made again byte for byte.
      const generatedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      for (const doc of pending) {
        if (ctx.settings.consumerInvoices === 'business' && doc.document.buyer.kind === 'consumer') {
          prepared.set(doc.id, { status: 'not-required' });
          continue;
        }
        try {
          xmls.set(doc.id, buildFa3(doc, { now: generatedAt }));
        } catch (error) {
          prepared.set(doc.id, {
            status: 'pending',
            errors: [
              {
                location: 'document',
                message: `${(error as Error).message}; the invoice was not sent to KSeF. Issue a correction with a valid value.`,
              },
            ],
          });
        }
      }
      const ids = [...xmls.keys()];
      // Signing in and claiming the documents in the ledger go on while the schema is checked
      // (the documents to send wait for all three).
      const signedIn = ids.length > 0 && !(outage && certificate) ? client.warmUp(seller) : undefined;
      const checking = validateXmlBatch(
        ids.map((id) => xmls.get(id)!),
        FA3_XSD,
      ).then((checked) =>
        ids.forEach((id, i) => {
          const errors = checked[i]!;
          if (errors.length === 0) return;
          prepared.set(id, {
            status: 'pending',
            xml: xmls.get(id)!,
            errors: errors.map((e) => ({
              location: e.location,
              message: `${e.message} — the FA(3) failed the official schema, so it was not sent to KSeF.`,
            })),
          });
        }),
      );
      /** The schema check itself failed (not a document): the run fails with it, nothing sent. */
      let unchecked: { error: unknown } | undefined;
      checking.catch((error: unknown) => (unchecked = { error }));

      let stop: unknown;
      const outcomes = await documents.submit(pending, async (claimed) => {
        await checking;
        // Not signed in: nothing can be sent; handled as a failed send (offline in an outage).
        stop = await signedIn;
        const results: Record<string, ClearanceResult> = {};
        const toSend: ClearanceDocument[] = [];
        for (const doc of claimed) {
          const ready = prepared.get(doc.id);
          if (ready) results[doc.id] = ready;
          else toSend.push(doc);
        }
        // KSeF unreachable and an offline certificate at hand: what did not go is issued offline.
        const goOffline = () => {
          if (!certificate || !(outage || isOutage(stop))) return;
          outage = true;
          stop = undefined;
          for (const doc of toSend)
            if (!results[doc.id])
              results[doc.id] = offlineResult(ctx, doc, xmls.get(doc.id)!, generatedAt, certificate);
        };
        if ((outage || stop) && certificate) {
          goOffline();
          return results;
        }
        if (stop) return results;
        if (batch) {
          // No result for a document of a batch that failed to go: it is handed over again.
          for (const [nip, docs] of groupByNip(toSend)) {
            try {
              Object.assign(results, await sendBatch(client, nip, docs, xmls, generatedAt));
            } catch (error) {
              stop = error;
              break;
            }
          }
          goOffline();
          return results;
        }
        for (const doc of toSend) {
          if (stop) break;
          const xml = xmls.get(doc.id)!;
          const nip = nipOf(doc);
          for (let attempt = 1; ; attempt++) {
            try {
              let session = sessions.get(nip);
              if (!session) {
                session = await client.openSession(nip);
                sessions.set(nip, session);
              }
              const invoice = await client.send(nip, session, xml);
              results[doc.id] = {
                status: 'sent',
                xml,
                reference: {
                  session: session.referenceNumber,
                  invoice,
                  nip,
                  hash: hashOf(xml),
                  generatedAt: generatedAt.toISOString(),
                },
              };
            } catch (error) {
              if (!refusedAtIntake(error)) {
                // An outage, a limit or the token: the rest of the chunk goes on a later run
                // (an auth failure ends the run).
                stop = error;
                break;
              }
              // KSeF would not take this invoice into the session (a closed session, or the
              // invoice itself): once more in a new session (the old one is closed at the end as
              // usual); refused there too, it is the invoice's: held with KSeF's words, and the
              // next invoice goes on in that session.
              if (attempt === 1) {
                const old = sessions.get(nip);
                if (old) retired.push([nip, old]);
                sessions.delete(nip);
                continue;
              }
              results[doc.id] = {
                status: 'pending',
                xml,
                errors: [
                  {
                    location: 'KSeF intake',
                    message: `${error.message.replace(/\.?$/, '.')} It was not sent and has no KSeF number; the other invoices went on. Check the invoice's data; if it is right, report this message to support.`,
                  },
                ],
              };
            }
            break;
          }
        }
        goOffline();
        return results;
      });
      // Claimed or not (all busy), the check is over before the run goes on.
      await checking.catch(() => undefined);
      if (unchecked) throw unchecked.error;
      for (const o of outcomes) {
        if (o.status !== 'done') continue;
        const s = o.result.status;
        if (s === 'sent') counts.sent! += 1;
        else if (s === 'offline') counts.offline! += 1;
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
    for (const [nip, session] of [...retired, ...sessions]) {
      await client
        .close(nip, session.referenceNumber)
        .catch((error: unknown) => ctx.log.warn({ err: error }, 'KSeF session not closed'));
    }
  }

  // Invoices issued offline go once KSeF answers again (not in a run that found it unreachable).
  // What is awaited is read once for both: the offline ones are sent, the sent ones followed.
  let awaiting: ClearanceDocument[] | null = await documents.awaiting(5 * BATCH_MAX);
  if (!outage && (await sendOffline(ctx, client, counts, awaiting))) awaiting = null;

  // Follow the sent ones until KSeF answers, within this run's budget.
  const deadline = Date.now() + POLL_BUDGET_MS;
  // The documents followed, read again only after a round changed some (a batch KSeF is still
  // processing changes none: a thousand documents are not read anew every poll).
  for (let round = 0; ; round++) {
    awaiting ??= await documents.awaiting(5 * BATCH_MAX);
    let open = 0;
    let changed = false;
    const batches = new Map<string, ClearanceDocument[]>();
    for (const doc of awaiting) {
      if (doc.clearance?.status !== 'sent') continue;
      const ref = doc.clearance.reference as SentReference | undefined;
      if (!ref?.session) continue;
      if (ref.file) {
        const list = batches.get(ref.session);
        if (list) list.push(doc);
        else batches.set(ref.session, [doc]);
        continue;
      }
      if (!ref.invoice) continue;
      try {
        const status = await client.invoiceStatus(ref.nip, ref.session, ref.invoice);
        const answer = await answerFor(ctx, client, doc, ref, status);
        if (!answer) {
          open += 1;
          continue;
        }
        await documents.record(doc.id, answer);
        changed = true;
        tally(counts, answer);
      } catch (error) {
        if (!(error instanceof KsefError)) throw error;
        await documents.record(doc.id, unanswered(ctx, doc, ref, error));
        changed = true;
      }
    }
    for (const [session, docs] of batches) {
      const followed = await followBatch(ctx, client, session, docs, counts);
      open += followed.open;
      changed ||= followed.changed;
    }
    if (open === 0 || Date.now() > deadline) break;
    if (changed) awaiting = null;
    // KSeF processes a batch in moments to minutes: asked every 100 ms for two seconds, then less
    // and less often, at most every 2 s (sessions' reads: 10/s, 120/min, 1 200/h, limity-api.md —
    // this stays under 60 a minute and, within a run's budget, under 120 an hour).
    await sleep(Math.min(2000, round < 20 ? 100 : 100 * (round - 18)), undefined, { signal: ctx.signal });
  }
  return { counts };
}

/** KSeF refused the request itself (400 and the like), not an outage, a limit or the sign-in. */
function refusedAtIntake(error: unknown): error is KsefError {
  return (
    error instanceof KsefError &&
    (error.status ?? 0) >= 400 &&
    (error.status ?? 0) < 500 &&
    error.status !== 429
  );
}

const hashOf = (xml: string) => createHash('sha256').update(Buffer.from(xml, 'utf8')).digest('base64url');

function tally(counts: Record<string, number>, answer: ClearanceResult): void {
  if (answer.status === 'accepted') counts.accepted! += 1;
  else if (answer.status === 'rejected') counts.rejected! += 1;
}

function unanswered(
  ctx: PluginContext,
  doc: ClearanceDocument,
  ref: SentReference,
  error: Error,
): ClearanceResult {
  return {
    status: 'sent',
    reference: { ...ref },
    ...offlineExtras(ctx, doc, ref),
    errors: [{ location: 'KSeF answer', message: `${error.message}; KSeF is asked again at the next run.` }],
  };
}

function groupByNip(docs: readonly ClearanceDocument[]): Map<string, ClearanceDocument[]> {
  const out = new Map<string, ClearanceDocument[]>();
  for (const doc of docs) out.set(nipOf(doc), [...(out.get(nipOf(doc)) ?? []), doc]);
  return out;
}

/** One batch session for `docs` (file `<document id>.xml` each); their `sent` results. */
async function sendBatch(
  client: KsefClient,
  nip: string,
  docs: readonly ClearanceDocument[],
  xmls: ReadonlyMap<string, string>,
  generatedAt: Date,
): Promise<Record<string, ClearanceResult>> {
  const files = docs.map((d) => ({ name: `${d.id}.xml`, content: Buffer.from(xmls.get(d.id)!, 'utf8') }));
  const session = await client.sendBatch(nip, writeZip(files));
  return Object.fromEntries(
    docs.map((d) => {
      const xml = xmls.get(d.id)!;
      const reference: SentReference = {
        session,
        file: `${d.id}.xml`,
        nip,
        hash: hashOf(xml),
        generatedAt: generatedAt.toISOString(),
      };
      return [d.id, { status: 'sent', xml, reference: { ...reference } }];
    }),
  );
}

/**
 * Sends the documents issued offline (tryby-offline.md: `offlineMode: true`, the very file whose
 * SHA-256 is in their QR codes): a batch from BATCH_FROM, else an online session; each becomes
 * `sent` (QR codes and deadline kept) and is followed like any other. KSeF still unreachable: they
 * stay offline for the next run. A crash after KSeF took them is met by its duplicate answer (440).
 * Answers whether there were any (the documents awaited are then read again).
 */
async function sendOffline(
  ctx: PluginContext<Settings>,
  client: KsefClient,
  counts: Record<string, number>,
  awaiting: readonly ClearanceDocument[],
): Promise<boolean> {
  const documents = ctx.documents!;
  const waiting = awaiting.filter((d) => d.clearance?.status === 'offline').slice(0, BATCH_MAX);
  for (const [nip, docs] of groupByNip(waiting)) {
    const xmls = new Map<string, string>();
    for (const doc of docs) {
      const ref = doc.clearance!.reference as unknown as SentReference;
      const xml = xmlOf(doc);
      if (hashOf(xml) !== ref.hash) {
        await documents.record(doc.id, {
          status: 'offline',
          reference: { ...ref },
          ...offlineExtras(ctx, doc, ref),
          errors: [
            {
              location: 'document',
              message:
                'The invoice changed since it was issued offline, so its file no longer matches its QR codes; it was not sent to KSeF. Issue a correction.',
            },
          ],
        });
        continue;
      }
      xmls.set(doc.id, xml);
    }
    const ready = docs.filter((d) => xmls.has(d.id));
    const sent = (doc: ClearanceDocument, session: string, at: { invoice?: string; file?: string }) => {
      const ref = doc.clearance!.reference as unknown as SentReference;
      const reference: SentReference = { ...ref, session, ...at };
      return { status: 'sent', reference: { ...reference }, ...offlineExtras(ctx, doc, reference) } as const;
    };
    try {
      if (ready.length >= BATCH_FROM) {
        const files = ready.map((d) => ({
          name: `${d.id}.xml`,
          content: Buffer.from(xmls.get(d.id)!, 'utf8'),
        }));
        const session = await client.sendBatch(nip, writeZip(files), { offline: true });
        for (const doc of ready) {
          await documents.record(doc.id, sent(doc, session, { file: `${doc.id}.xml` }));
          counts.sent! += 1;
        }
        continue;
      }
      if (ready.length === 0) continue;
      const session = await client.openSession(nip);
      try {
        for (const doc of ready) {
          const invoice = await client.send(nip, session, xmls.get(doc.id)!, { offline: true });
          await documents.record(doc.id, sent(doc, session.referenceNumber, { invoice }));
          counts.sent! += 1;
        }
      } finally {
        await client
          .close(nip, session.referenceNumber)
          .catch((error: unknown) => ctx.log.warn({ err: error }, 'KSeF session not closed'));
      }
    } catch (error) {
      if (isPluginError(error) && error.code === PluginErrorCode.AUTH) throw error;
      ctx.log.warn({ err: error }, 'KSeF: invoices issued offline not sent yet; tried again on the next run');
      return true;
    }
  }
  return waiting.length > 0;
}

/** Batch session codes meaning the package as a whole was not taken (SessionStatusResponse). */
const BATCH_FAILED = new Set([405, 415, 420, 430, 435, 440, 500]);

/**
 * Follows one batch session: still processing → counted open; processed (200, or 445 none valid)
 * → each invoice's status from the session's list, matched on its file name; refused as a whole
 * → its documents are sent again in a new batch (nothing of it was accepted, so no duplicate).
 */
async function followBatch(
  ctx: PluginContext<Settings>,
  client: KsefClient,
  session: string,
  docs: ClearanceDocument[],
  counts: Record<string, number>,
): Promise<{ open: number; changed: boolean }> {
  const documents = ctx.documents!;
  const ref0 = docs[0]!.clearance!.reference as unknown as SentReference;
  let status: { code: number; description: string; details?: string[] | null };
  try {
    status = await client.sessionStatus(ref0.nip, session);
  } catch (error) {
    if (!(error instanceof KsefError)) throw error;
    ctx.log.warn({ err: error, session }, 'KSeF batch status not read; asked again');
    return { open: docs.length, changed: false };
  }
  if (status.code === 100 || status.code === 150) return { open: docs.length, changed: false };
  if (BATCH_FAILED.has(status.code)) {
    ctx.log.warn({ session, status }, 'KSeF refused a whole batch; its documents are sent again');
    try {
      // The same files again (same SHA-256: an offline one still matches its QR codes).
      const files = docs.map((d) => ({ name: `${d.id}.xml`, content: Buffer.from(xmlOf(d), 'utf8') }));
      const again = await client.sendBatch(ref0.nip, writeZip(files), { offline: Boolean(ref0.offline) });
      for (const doc of docs) {
        const ref = doc.clearance!.reference as unknown as SentReference;
        const reference: SentReference = { ...ref, session: again, file: `${doc.id}.xml` };
        await documents.record(doc.id, {
          status: 'sent',
          reference: { ...reference },
          ...offlineExtras(ctx, doc, reference),
        });
      }
    } catch (error) {
      if (!(error instanceof KsefError) && !isPluginError(error)) throw error;
      const said = [status.description, ...(status.details ?? [])].join(': ');
      for (const doc of docs) {
        const ref = doc.clearance!.reference as unknown as SentReference;
        await documents.record(doc.id, {
          status: 'sent',
          reference: { ...ref },
          ...offlineExtras(ctx, doc, ref),
          errors: [
            {
              location: 'KSeF batch',
              message: `KSeF refused the whole batch ("${said}") and sending it again failed (${error.message}); it is sent again at the next run.`,
            },
          ],
        });
      }
    }
    return { open: docs.length, changed: true };
  }
  let list: SessionInvoice[];
  try {
    list = await client.sessionInvoices(ref0.nip, session);
  } catch (error) {
    if (!(error instanceof KsefError)) throw error;
    ctx.log.warn({ err: error, session }, 'KSeF batch invoices not listed; asked again');
    return { open: docs.length, changed: false };
  }
  const byFile = new Map(list.map((i) => [i.invoiceFileName ?? '', i]));
  let open = 0;
  const queue = [...docs];
  // Answers are stored RECORD_EVERY at a time (one write each, while the downloads go on); a
  // crash loses at most those, which stay `sent` and are followed again.
  let answers: Record<string, ClearanceResult> = {};
  let unwritten = 0;
  const writes: Promise<void>[] = [];
  let failed: { error: unknown } | undefined;
  const flush = () => {
    const ready = answers;
    answers = {};
    unwritten = 0;
    writes.push(
      documents.recordAll(ready).catch((error: unknown) => {
        failed ??= { error };
      }),
    );
  };
  await Promise.all(
    Array.from({ length: DOWNLOADS }, async () => {
      for (let doc = queue.shift(); doc; doc = queue.shift()) {
        const ref = doc.clearance!.reference as unknown as SentReference;
        const invoice = byFile.get(ref.file!);
        if (!invoice) {
          open += 1;
          continue;
        }
        try {
          const answer = await answerFor(ctx, client, doc, ref, invoice);
          if (!answer) {
            open += 1;
            continue;
          }
          answers[doc.id] = answer;
          unwritten += 1;
          tally(counts, answer);
        } catch (error) {
          if (!(error instanceof KsefError)) throw error;
          answers[doc.id] = unanswered(ctx, doc, ref, error);
          unwritten += 1;
        }
        if (unwritten >= RECORD_EVERY) flush();
      }
    }),
  );
  flush();
  await Promise.all(writes);
  if (failed) throw failed.error;
  return { open, changed: true };
}
