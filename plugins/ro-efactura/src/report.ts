import { createHash } from 'node:crypto';
import {
  AuthError,
  RetryableError,
  type ClearanceDocument,
  type ClearanceResult,
  type Logger,
  type PluginDocuments,
  type PluginHttp,
  type PluginStore,
} from '@mch/plugin-sdk';
import type { IssuedDocument } from './document.ts';
import {
  AnafUnavailableError,
  descarcare,
  DownloadError,
  listaMesajeFactura,
  stareMesaj,
  upload,
  type Download,
  type MessageState,
} from './spv-client.ts';
import { toUbl, vatCategory, type Corrections } from './ubl.ts';
import { validateBatch } from './validate.ts';
import { deadlineState, reportingDeadline, reportingDue, romanianToday } from './working-days.ts';

/**
 * Reporting the company's issued documents to RO e-Factura: each document becomes UBL, is checked
 * with the official validator (held with the rule ids when it fails, never uploaded), uploaded once,
 * polled (`stareMesaj`) until ANAF answers, and its signed zip (`descarcare`) kept. The document
 * store (`ctx.documents`, host) hands each document over once through the outbound ledger; this
 * module adds what ANAF needs on top: a write-ahead note per upload so a document handed over again
 * after a crash is first looked for among ANAF's messages instead of being uploaded twice.
 */

/** What this module needs of `ctx.documents` (SDK `PluginDocuments`). */
export type DocumentsPort = Pick<PluginDocuments, 'pending' | 'awaiting' | 'submit' | 'record'>;

export interface ReportDeps {
  http: PluginHttp;
  store: PluginStore;
  log: Logger;
  documents: DocumentsPort;
  /** The seller's CUI as ANAF's `cif` parameter (digits, no `RO`). */
  cif: string;
  /** How a correction that credits is written (setting `corrections`): CreditNote 381 or storno 380. */
  corrections?: Corrections;
  now?: () => Date;
  /** Documents per run (validation runs once per batch). */
  batchSize?: number;
  /** Pause before the second status check of an upload still in processing (doubling after). */
  firstCheckPauseMs?: number;
  /** How long an unconfirmed upload is searched for among ANAF's messages before it is sent again. */
  reconcileAfterMs?: number;
}

export interface ReportCounts {
  uploaded: number;
  held: number;
  accepted: number;
  rejected: number;
  notRequired: number;
  waiting: number;
}

/** Whether RO e-Factura takes the document: a Romanian VAT place of supply, not an intra-EU supply. */
export function reportable(doc: IssuedDocument): { required: true } | { required: false; why: string } {
  if (doc.seller.address.country.toUpperCase() !== 'RO')
    return { required: false, why: 'The seller is not established in Romania.' };
  if (doc.taxCountry.toUpperCase() !== 'RO' || doc.oss)
    return {
      required: false,
      why: `The VAT is ${doc.taxCountry}'s (One-Stop-Shop distance sale), not Romania's.`,
    };
  const categories = new Set(doc.vatSummary.map((s) => vatCategory(doc, s.vatRate)));
  // The host's verdict first: it checked the buyer's VAT id (in VIES), whatever form the id was
  // written in (a Hungarian taxpayer's domestic `13397951-4-31` is its `HU13397951`).
  if (doc.reverseCharge || (categories.size === 1 && categories.has('K')))
    return {
      required: false,
      why: 'An intra-Community supply is reported in the recapitulative statement, not in e-Factura.',
    };
  if (categories.size === 1 && categories.has('G'))
    return {
      required: false,
      why: 'An export outside the EU is not reported in e-Factura; the customs export declaration covers it.',
    };
  return { required: true };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface UploadNote {
  at: string;
  sha256: string;
  number: string;
  /** ANAF's index once it answered: a document handed over again is then known as sent. */
  uploadIndex?: string;
}

function deadlineReference(doc: ClearanceDocument, today: string) {
  const deadline = reportingDeadline(doc.issueDate);
  return { deadline, urgency: deadlineState(deadline, today) };
}

/** What a document not sent because ANAF refused the sign-in shows (plain words, with its deadline). */
export function signInNeeded(deadline: string): string {
  return `Not sent to ANAF yet: ANAF no longer accepts this integration's sign-in. A person with SPV rights for the company must sign in at ANAF again from the integration's page; the document is sent then. It must reach ANAF by ${deadline}.`;
}

/** What a document sent before shows while ANAF's answer cannot be fetched for want of a sign-in. */
export function answerAfterSignIn(deadline: string): string {
  return `Sent to ANAF; its answer is fetched once a person with SPV rights for the company signs in at ANAF again from the integration's page. It must be accepted by ${deadline}.`;
}

/**
 * One pass: answers for documents sent before, then new documents validated and uploaded. When
 * ANAF refuses the sign-in (AuthError from `ctx.http`), every document it stopped gets a clear
 * state saying so, the others keep theirs, and the AuthError is thrown at the end so the host asks
 * for a new sign-in; the stopped documents are handed over again afterwards.
 */
export async function reportDocuments(deps: ReportDeps): Promise<ReportCounts> {
  const counts: ReportCounts = { uploaded: 0, held: 0, accepted: 0, rejected: 0, notRequired: 0, waiting: 0 };
  const today = romanianToday(deps.now?.() ?? new Date());
  const followUpAuth = await followUp(deps, counts, today);
  const pending = await deps.documents.pending(deps.batchSize ?? 200);
  let uploadAuth: AuthError | null = null;
  if (pending.length > 0) uploadAuth = await uploadPass(deps, counts, today, pending);
  const authError = uploadAuth ?? followUpAuth;
  if (authError) throw authError;
  return counts;
}

/** Validates and uploads the pending documents; returns the AuthError that stopped it, if any. */
async function uploadPass(
  deps: ReportDeps,
  counts: ReportCounts,
  today: string,
  pending: ClearanceDocument[],
): Promise<AuthError | null> {
  let authError: AuthError | null = null;
  await deps.documents.submit(pending, async (claimed) => {
    const results: Record<string, ClearanceResult> = {};
    const toCheck: { doc: ClearanceDocument; xml: string; standard: 'UBL' | 'CN' }[] = [];
    for (const doc of claimed) {
      const scope = reportable(doc.document);
      if (!scope.required) {
        results[doc.id] = { status: 'not-required', errors: [{ message: scope.why }] };
        counts.notRequired++;
        continue;
      }
      try {
        const ubl = toUbl(doc.document, {
          corrections: deps.corrections ?? 'credit-note',
          ...(doc.corrected
            ? { correctedNumber: doc.corrected.number, correctedIssueDate: doc.corrected.issueDate }
            : {}),
        });
        toCheck.push({ doc, xml: ubl.xml, standard: ubl.standard });
      } catch (error) {
        results[doc.id] = {
          status: 'pending',
          due: reportingDue(doc.issueDate),
          errors: [{ message: `The document cannot be written as UBL: ${(error as Error).message}` }],
        };
        counts.held++;
      }
    }
    const verdicts = await validateBatch(toCheck.map((c) => c.xml));
    for (const [i, { doc, xml, standard }] of toCheck.entries()) {
      const verdict = verdicts[i]!;
      const ref = deadlineReference(doc, today);
      const due = reportingDue(doc.issueDate);
      if (!verdict.ok) {
        // Held: not uploaded; the seller sees each rule and its text (CIUS-RO / EN 16931).
        results[doc.id] = {
          status: 'pending',
          due,
          xml,
          reference: { ...ref, held: true },
          errors: [
            ...verdict.errors.map((e) => ({ location: e.rule, message: e.message })),
            {
              location: 'deadline',
              message: `Not sent to ANAF: it must be reported by ${ref.deadline} (5 working days from issue). Fix the company or customer data named above and issue a correction; the correction is reported instead.`,
            },
          ],
        };
        counts.held++;
        continue;
      }
      if (authError) {
        await stoppedBySignIn(deps, doc, xml, ref);
        continue;
      }
      let result;
      try {
        result = await uploadOnce(deps, doc, xml, standard, ref);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        // ANAF refuses the sign-in: nothing was uploaded for this one nor will be for the rest of
        // the batch. They get no result (the host hands them over again, SDK `submit`) but a
        // state saying why; the documents already answered above keep theirs.
        authError = error;
        await stoppedBySignIn(deps, doc, xml, ref);
        continue;
      }
      if (result) {
        results[doc.id] = { ...result, due };
        if (result.status === 'sent') counts.uploaded++;
        else if (result.status === 'rejected') counts.rejected++;
      } else counts.waiting++;
    }
    return results;
  });
  return authError;
}

/** A document left unsent because ANAF refused the sign-in: `pending`, saying what to do and by when. */
async function stoppedBySignIn(
  deps: ReportDeps,
  doc: ClearanceDocument,
  xml: string,
  ref: { deadline: string },
): Promise<void> {
  await deps.documents.record(doc.id, {
    status: 'pending',
    xml,
    reference: { ...ref, signInNeeded: true },
    due: reportingDue(doc.issueDate),
    errors: [{ location: 'ANAF sign-in', message: signInNeeded(ref.deadline) }],
  });
}

/**
 * Uploads one valid document, unless an earlier attempt may have reached ANAF (a crash or a lost
 * answer after the write-ahead note): then ANAF's messages are searched for it first. Returns
 * undefined to leave the document for a later run (its upload is not yet known either way).
 */
async function uploadOnce(
  deps: ReportDeps,
  doc: ClearanceDocument,
  xml: string,
  standard: 'UBL' | 'CN',
  ref: Record<string, unknown>,
): Promise<ClearanceResult | undefined> {
  const noteKey = `upload:${doc.id}`;
  const note = await deps.store.get<UploadNote>(noteKey);
  const hash = sha256(xml);
  if (note) {
    // Answered before (the crash came after the upload): no search; else look among ANAF's messages.
    const earlier: EarlierUpload = note.uploadIndex
      ? { found: note.uploadIndex }
      : await findEarlierUpload(deps, note);
    const age = (deps.now?.() ?? new Date()).getTime() - Date.parse(note.at);
    const window = deps.reconcileAfterMs ?? 30 * 60_000;
    // Not provably absent: looked for again later (at most four windows, then sent again).
    if (earlier === 'unsure') return age < 4 * window ? undefined : uploadAgain();
    if (earlier !== 'absent') {
      const found = earlier.found;
      deps.log.info(
        { documentId: doc.id, uploadIndex: found },
        'found an earlier upload of this document at ANAF; not uploading again',
      );
      return {
        status: 'sent',
        number: null,
        xml,
        reference: { ...ref, uploadIndex: found, uploadedAt: note.at },
      };
    }
    if (age < window) return undefined;
  }
  return uploadAgain();

  async function uploadAgain(): Promise<ClearanceResult | undefined> {
    await deps.store.set(noteKey, {
      at: (deps.now?.() ?? new Date()).toISOString(),
      sha256: hash,
      number: doc.number,
    } satisfies UploadNote);
    let answer;
    try {
      answer = await upload(deps.http, {
        xml,
        standard,
        cif: deps.cif,
        extern: isForeignBuyer(doc.document),
      });
    } catch (error) {
      // A definite "not now" (gateway down, token refused) did nothing at ANAF: upload freely later.
      // A lost answer keeps the note, so the next attempt first looks for this upload at ANAF.
      if (error instanceof AnafUnavailableError || error instanceof AuthError)
        await deps.store.delete(noteKey);
      throw error;
    }
    if (!answer.ok)
      return {
        status: 'rejected',
        xml,
        reference: ref,
        errors: answer.errors.map((message) => ({ message })),
      };
    await deps.store.set(`index:${answer.uploadIndex}`, doc.id);
    await deps.store.set(noteKey, {
      at: new Date().toISOString(),
      sha256: hash,
      number: doc.number,
      uploadIndex: answer.uploadIndex,
    } satisfies UploadNote);
    return {
      status: 'sent',
      number: null,
      xml,
      reference: { ...ref, uploadIndex: answer.uploadIndex, uploadedAt: new Date().toISOString() },
    };
  }
}

function isForeignBuyer(doc: IssuedDocument): boolean {
  const c = doc.buyer.address?.country?.toUpperCase();
  return Boolean(c && c !== 'RO');
}

/** An upload of this document among ANAF's messages that this plugin never recorded. */
/** Where an earlier upload stands: found (its index), provably absent, or not readable yet. */
type EarlierUpload = { found: string } | 'absent' | 'unsure';

async function findEarlierUpload(deps: ReportDeps, note: UploadNote): Promise<EarlierUpload> {
  const days = Math.min(60, Math.max(1, Math.ceil((Date.now() - Date.parse(note.at)) / 86_400_000) + 1));
  const messages = await listaMesajeFactura(deps.http, deps.cif, days);
  // A message that cannot be read yet (ANAF still processing it, a failed download) may be this
  // very upload: then nobody can say it is not there, and sending again could send it twice.
  let unsure = false;
  for (const m of messages) {
    if (m.type !== 'FACTURA TRIMISA') continue;
    if (await deps.store.get(`index:${m.uploadIndex}`)) continue;
    const d = await descarcare(deps.http, m.id).catch(() => {
      unsure = true;
      return null;
    });
    if (d && sha256(d.content) === note.sha256) return { found: m.uploadIndex };
  }
  return unsure ? 'unsure' : 'absent';
}

/**
 * Answers for documents sent earlier: accepted with the signed zip, rejected with ANAF's errors.
 * When ANAF refuses the sign-in, each document still waiting says its answer comes after a new
 * sign-in (still `sent`) and the AuthError is returned for the caller to throw after its own pass.
 */
async function followUp(deps: ReportDeps, counts: ReportCounts, today: string): Promise<AuthError | null> {
  const awaiting = await deps.documents.awaiting(deps.batchSize ?? 200);
  const refused: { error: AuthError | null } = { error: null };
  for (const doc of awaiting) {
    const { signInNeeded: _stale, ...kept } = doc.clearance?.reference ?? {};
    const ref: Record<string, unknown> = { ...kept, ...deadlineReference(doc, today) };
    const due = reportingDue(doc.issueDate);
    const uploadIndex = typeof ref.uploadIndex === 'string' ? ref.uploadIndex : null;
    if (!uploadIndex) continue;
    const waitForSignIn = async (error: AuthError) => {
      refused.error = error;
      counts.waiting++;
      await deps.documents.record(doc.id, {
        status: 'sent',
        reference: { ...ref, signInNeeded: true },
        due,
        errors: [{ location: 'ANAF sign-in', message: answerAfterSignIn(ref.deadline as string) }],
      });
    };
    if (refused.error) {
      await waitForSignIn(refused.error);
      continue;
    }
    // ANAF limits status checks per upload (about 100 a day, reference README): a document still
    // in processing is asked again after a growing pause (30 s, 1 min, 2 min … at most 1 h).
    const nowMs = (deps.now?.() ?? new Date()).getTime();
    if (typeof ref.nextCheckAt === 'string' && Date.parse(ref.nextCheckAt) > nowMs) {
      counts.waiting++;
      continue;
    }
    let state: MessageState;
    try {
      state = await stareMesaj(deps.http, uploadIndex);
    } catch (error) {
      if (error instanceof AuthError) {
        await waitForSignIn(error);
        continue;
      }
      if (error instanceof RetryableError) {
        counts.waiting++;
        continue;
      }
      throw error;
    }
    if (state.state === 'in prelucrare') {
      counts.waiting++;
      const checks = (typeof ref.checks === 'number' ? ref.checks : 0) + 1;
      const pauseMs = Math.min(3_600_000, (deps.firstCheckPauseMs ?? 30_000) * 2 ** (checks - 1));
      await deps.documents.record(doc.id, {
        status: 'sent',
        reference: { ...ref, checks, nextCheckAt: new Date(nowMs + pauseMs).toISOString() },
        due,
        errors: [],
      });
      continue;
    }
    if (state.state === 'error') {
      await deps.documents.record(doc.id, {
        status: 'sent',
        reference: ref,
        due,
        errors: state.errors.map((message) => ({
          message: `ANAF could not tell the state of upload ${uploadIndex}: ${message}`,
        })),
      });
      counts.waiting++;
      continue;
    }
    if (state.state === 'XML cu erori nepreluat de sistem') {
      await deps.documents.record(doc.id, {
        status: 'rejected',
        reference: ref,
        due,
        errors: [
          {
            message:
              'ANAF could not read the XML (XML cu erori nepreluat de sistem); correct the document and issue it again.',
          },
        ],
      });
      counts.rejected++;
      continue;
    }
    const withDownload = { ...ref, downloadId: state.downloadId };
    let download: Download;
    try {
      download = await descarcare(deps.http, state.downloadId);
    } catch (error) {
      if (error instanceof AuthError) {
        await waitForSignIn(error);
        continue;
      }
      if (!(error instanceof DownloadError) && !(error instanceof RetryableError)) throw error;
      // Still `sent`: ANAF decided, but its signed answer is not with us yet; tried again next run.
      await deps.documents.record(doc.id, {
        status: 'sent',
        reference: { ...withDownload, downloadFailed: true },
        due,
        errors: [
          {
            message: `ANAF answered "${state.state}" (download id ${state.downloadId}) but its signed zip could not be downloaded: ${error.message} It is tried again at the next run.`,
          },
        ],
      });
      counts.waiting++;
      continue;
    }
    const receipt = {
      fileName: `${state.downloadId}.zip`,
      mediaType: 'application/zip',
      content: download.zip.toString('base64'),
    };
    if (state.state === 'ok') {
      await deps.documents.record(doc.id, {
        status: 'accepted',
        number: uploadIndex,
        reference: withDownload,
        due,
        errors: [],
        receipt,
      });
      counts.accepted++;
    } else {
      await deps.documents.record(doc.id, {
        status: 'rejected',
        number: null,
        reference: withDownload,
        due,
        receipt,
        errors: (download.errors.length
          ? download.errors
          : ['ANAF refused the invoice without a reason.']
        ).map((message) => ({
          location: /^\[?([A-Z]{2}-[A-Z0-9-]+)\]?/.exec(message.replace(/^E:\s*/, ''))?.[1] ?? 'ANAF',
          message,
        })),
      });
      counts.rejected++;
    }
  }
  return refused.error;
}
