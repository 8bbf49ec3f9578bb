import {
  constants,
  createDecipheriv,
  createHash,
  createHmac,
  privateDecrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { createFaultState } from '@mch/plugin-sdk/sandbox-kit';
import { readZip } from '../src/zip.ts';
import { reference, type Context, type SentInvoice, type Session } from './server.ts';

/**
 * Batch sessions (sesja-wsadowa.md; open-api.json `POST /sessions/batch`,
 * `POST /sessions/batch/{referenceNumber}/close`, `SessionStatusResponse` "Sesja wsadowa"):
 * a ZIP of FA(3) files split into parts, each AES-256-CBC/PKCS#7 with the session key (wrapped
 * with RSA-OAEP SHA-256), uploaded with PUT to the URLs the opening answered, then closed and
 * processed as a whole. Limits from weryfikacja-faktury.md "Ograniczenia ilościowe" and
 * open-api.json `BatchFileInfo`: ≤ 50 parts, ≤ 100 MB a part before encryption, ≤ 5 GB a package,
 * ≤ 10 000 invoices a session; 20 minutes per declared part to upload (sesja-wsadowa.md
 * "Limit czasu na przesłanie partów").
 */

const MAX_PARTS = 50;
const MAX_PART_PLAIN = 100_000_000;
/** AES-CBC with PKCS#7 adds 1–16 bytes: the largest encrypted part a 100 MB part can give. */
const MAX_PART_ENCRYPTED = MAX_PART_PLAIN + 16;
const MAX_PACKAGE = 5_000_000_000;
const MAX_INVOICES = 10_000;
const UPLOAD_MS_PER_PART = 20 * 60_000;

export interface BatchState {
  fileSize: number;
  fileHash: string;
  parts: { ordinalNumber: number; fileSize: number; fileHash: string }[];
  uploaded: Map<number, Buffer>;
  /** Key as sent, decrypted at processing: a key that cannot be read fails the session (415). */
  encryptedKey: Buffer;
  uploadUntil: number;
  closed: boolean;
  closedAt?: number;
  /** Set once processing decided the package as a whole failed. */
  failure?: { code: number; description: string; details?: string[] };
  /** OpenBatchSessionRequest.offlineMode: the taxpayer declares its invoices issued offline. */
  offline?: boolean;
}

type StatusInfo = { code: number; description: string; details?: string[] };

export interface BatchDeps {
  sessions: Map<string, Session>;
  faults: ReturnType<typeof createFaultState>;
  symmetricKey: KeyObject;
  accessContext(request: FastifyRequest, reply: FastifyReply): Context | undefined;
  limited(request: FastifyRequest, reply: FastifyReply, endpoint: string, context: string): boolean;
  badRequest(reply: FastifyReply, code: number, description: string, details?: string[]): FastifyReply;
  /** Hands decrypted invoices to the FA(3) check and numbering the online ones go through. */
  receive(invoices: SentInvoice[]): void;
  readyAt(): number;
  /** The UPO of one accepted invoice of the session, or null. */
  invoiceUpo(session: Session, ksefNumber: string): string | null;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('base64');
const baseUrl = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

/** The batch status table of open-api.json `SessionStatusResponse`. */
export function batchStatus(session: Session, counts: { done: number; ok: number }): StatusInfo {
  const batch = session.batch!;
  if (batch.failure) return batch.failure;
  if (!batch.closed) {
    if (Date.now() > batch.uploadUntil)
      return { code: 440, description: 'Sesja anulowana', details: ['Przekroczono czas wysyłki'] };
    return { code: 100, description: 'Sesja wsadowa rozpoczęta' };
  }
  if (counts.done < session.invoices.size || session.invoices.size === 0)
    return { code: 150, description: 'Trwa przetwarzanie' };
  if (counts.ok === 0) return { code: 445, description: 'Błąd weryfikacji, brak poprawnych faktur' };
  return { code: 200, description: 'Sesja wsadowa przetworzona pomyślnie' };
}

export function registerBatchRoutes(app: FastifyInstance, deps: BatchDeps) {
  const { sessions } = deps;
  const secret = randomBytes(32);
  const sign = (text: string) => createHmac('sha256', secret).update(text).digest('base64url');
  const signed = (path: string, until: number) => `se=${until}&sig=${sign(`${path}|${until}`)}`;
  const valid = (path: string, query: { se?: string; sig?: string }) =>
    query.sig === sign(`${path}|${query.se ?? ''}`) && Number(query.se) >= Date.now();

  // POST /sessions/batch (OpenBatchSessionRequest) → 201 OpenBatchSessionResponse.
  app.post('/v2/sessions/batch', async (request, reply) => {
    const context = deps.accessContext(request, reply);
    if (!context) return reply;
    // limity-api.md "Otwarcie sesji wsadowej": 10/s, 20/min, 60/h.
    if (deps.limited(request, reply, 'batch-open', context.nip)) return reply;
    const body = request.body as {
      formCode?: { systemCode?: string; schemaVersion?: string; value?: string };
      batchFile?: {
        fileSize?: number;
        fileHash?: string;
        compressionType?: string | null;
        fileParts?: { ordinalNumber?: number; fileSize?: number; fileHash?: string }[];
      };
      encryption?: { encryptedSymmetricKey?: string; initializationVector?: string };
      offlineMode?: boolean;
    } | null;
    const invalid = (detail: string) =>
      deps.badRequest(reply, 21405, 'Błąd walidacji danych wejściowych.', [detail]);
    if (
      body?.formCode?.systemCode !== 'FA (3)' ||
      body.formCode.schemaVersion !== '1-0E' ||
      body.formCode.value !== 'FA'
    )
      return invalid('formCode must be {systemCode: "FA (3)", schemaVersion: "1-0E", value: "FA"}');
    const file = body.batchFile;
    if (!file || !Number.isInteger(file.fileSize) || !file.fileHash || !Array.isArray(file.fileParts))
      return invalid('batchFile {fileSize, fileHash, fileParts} is required');
    // BatchFileInfo.fileSize: 1 … 5 000 000 000 ("Maksymalny rozmiar paczki to 5GB").
    if (file.fileSize! < 1 || file.fileSize! > MAX_PACKAGE)
      return invalid(`batchFile.fileSize must be from 1 to ${MAX_PACKAGE}`);
    // CompressionType: Zip (default) or TarGz (api-changelog 2.6.0); the sandbox reads Zip only.
    if (file.compressionType && file.compressionType !== 'Zip')
      return invalid('the sandbox takes compressionType Zip only');
    // open-api.json POST /sessions/batch 400: 21161 over 50 parts, 21157 a part over 100 MB.
    if (file.fileParts.length > MAX_PARTS)
      return deps.badRequest(reply, 21161, 'Przekroczono dozwoloną liczbę części pakietu.', [
        `Zadeklarowano ${file.fileParts.length} części; dozwolone ${MAX_PARTS}.`,
      ]);
    if (file.fileParts.length === 0) return invalid('batchFile.fileParts must hold at least one part');
    const ordinals = file.fileParts.map((p) => p.ordinalNumber);
    if (
      file.fileParts.some(
        (p) => !Number.isInteger(p.fileSize) || !p.fileHash || !Number.isInteger(p.ordinalNumber),
      ) ||
      new Set(ordinals).size !== ordinals.length ||
      ordinals.some((n) => n! < 1 || n! > ordinals.length)
    )
      return invalid(
        'each part needs a distinct ordinalNumber from 1 to the number of parts, fileSize and fileHash',
      );
    const oversized = file.fileParts.find((p) => p.fileSize! < 1 || p.fileSize! > MAX_PART_ENCRYPTED);
    if (oversized)
      return deps.badRequest(reply, 21157, 'Nieprawidłowy rozmiar części pakietu.', [
        `Część ${oversized.ordinalNumber}: ${oversized.fileSize} bajtów; część przed zaszyfrowaniem może mieć najwyżej 100 MB.`,
      ]);
    const iv = Buffer.from(body.encryption?.initializationVector ?? '', 'base64');
    if (!body.encryption?.encryptedSymmetricKey || iv.length !== 16)
      return invalid('encryption {encryptedSymmetricKey, initializationVector (16 bytes)} is required');
    const now = new Date();
    const referenceNumber = reference('batch', now);
    const parts = file.fileParts.map((p) => ({
      ordinalNumber: p.ordinalNumber!,
      fileSize: p.fileSize!,
      fileHash: p.fileHash!,
    }));
    const uploadUntil = now.getTime() + UPLOAD_MS_PER_PART * parts.length;
    const session: Session = {
      referenceNumber,
      nip: context.nip,
      key: Buffer.alloc(0),
      iv,
      open: true,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      validUntil: new Date(uploadUntil).toISOString(),
      invoices: new Map(),
      batch: {
        fileSize: file.fileSize!,
        fileHash: file.fileHash,
        parts,
        uploaded: new Map(),
        encryptedKey: Buffer.from(body.encryption.encryptedSymmetricKey, 'base64'),
        uploadUntil,
        closed: false,
        offline: body.offlineMode === true,
      },
    };
    sessions.set(referenceNumber, session);
    // PartUploadRequest: method, url with its own access key, headers (the example's Azure blob one).
    return reply.code(201).send({
      referenceNumber,
      partUploadRequests: parts
        .sort((a, b) => a.ordinalNumber - b.ordinalNumber)
        .map((p) => {
          const path = `/storage/batch/${referenceNumber}/parts/${p.ordinalNumber}`;
          return {
            ordinalNumber: p.ordinalNumber,
            method: 'PUT',
            url: `${baseUrl(request)}${path}?${signed(path, uploadUntil)}`,
            headers: { 'x-ms-blob-type': 'BlockBlob' },
          };
        }),
    });
  });

  // Part upload (sesja-wsadowa.md "5. Przesłanie zadeklarowanych części paczki"): the raw bytes,
  // no access token; 201 taken, 400 bad data, 401 wrong key, 403 no write right (time is up).
  // Not under the API limits (limity-api.md "Wysyłka części paczki").
  void app.register(async (storage) => {
    storage.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_PART_ENCRYPTED },
      (_r, body, done) => done(null, body),
    );
    storage.put<{ Params: { ref: string; n: string }; Querystring: { se?: string; sig?: string } }>(
      '/storage/batch/:ref/parts/:n',
      { bodyLimit: MAX_PART_ENCRYPTED },
      async (request, reply) => {
        const path = `/storage/batch/${request.params.ref}/parts/${request.params.n}`;
        if (!valid(path, request.query)) {
          if (request.query.sig === sign(`${path}|${request.query.se ?? ''}`))
            return reply.code(403).send('Upłynął czas na zapis części paczki.');
          return reply.code(401).send('Nieprawidłowy klucz dostępu do zapisu.');
        }
        const session = sessions.get(request.params.ref);
        const batch = session?.batch;
        const part = batch?.parts.find((p) => p.ordinalNumber === Number(request.params.n));
        if (!session || !batch || !part) return reply.code(400).send('Nieznana część paczki.');
        if (batch.closed) return reply.code(403).send('Sesja jest zamknięta.');
        const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        if (bytes.length === 0) return reply.code(400).send('Pusta część paczki.');
        batch.uploaded.set(part.ordinalNumber, bytes);
        session.updatedAt = new Date().toISOString();
        return reply.code(201).send();
      },
    );
  });

  // UPO download links (SessionInvoiceStatusResponse.upoDownloadUrl): GET without the access token,
  // outside the API limits, expiring; `x-ms-meta-hash` is the UPO's SHA-256 (api-changelog 2.0.0).
  app.get<{ Params: { ref: string; ksef: string }; Querystring: { se?: string; sig?: string } }>(
    '/storage/upo/:ref/:ksef',
    async (request, reply) => {
      const path = `/storage/upo/${request.params.ref}/${request.params.ksef}`;
      if (!valid(path, request.query)) return reply.code(403).send('Link wygasł lub jest nieprawidłowy.');
      const session = sessions.get(request.params.ref);
      const upo = session ? deps.invoiceUpo(session, request.params.ksef) : null;
      if (!upo) return reply.code(404).send('UPO nie istnieje.');
      return reply.type('application/xml').header('x-ms-meta-hash', sha256(upo)).send(upo);
    },
  );

  // POST /sessions/batch/{ref}/close → 204; starts processing (open-api.json 400 codes 21157,
  // 21173, 21180, 21205, 21208).
  app.post<{ Params: { ref: string } }>('/v2/sessions/batch/:ref/close', async (request, reply) => {
    const context = deps.accessContext(request, reply);
    if (!context) return reply;
    // limity-api.md "Zamknięcie sesji wsadowej": 10/s, 20/min, 60/h.
    if (deps.limited(request, reply, 'batch-close', context.nip)) return reply;
    const session = sessions.get(request.params.ref);
    const batch = session?.batch;
    if (!session || !batch || session.nip !== context.nip)
      return deps.badRequest(reply, 21173, 'Brak sesji o wskazanym numerze referencyjnym.', [
        `Sesja o numerze referencyjnym ${request.params.ref} nie została znaleziona.`,
      ]);
    if (Date.now() > batch.uploadUntil && !batch.closed)
      return deps.badRequest(
        reply,
        21208,
        'Czas oczekiwania na requesty upload lub finish został przekroczony.',
        ['Sesja anulowana, przekroczony czas wysyłki.'],
      );
    if (batch.closed || batch.failure)
      return deps.badRequest(reply, 21180, 'Status sesji nie pozwala na wykonanie operacji.', [
        `Status sesji ${batch.failure?.code ?? 150} uniemożliwia jej zamknięcie.`,
      ]);
    const missing = batch.parts.find((p) => !batch.uploaded.has(p.ordinalNumber));
    if (missing)
      return deps.badRequest(reply, 21205, 'Pakiet nie może być pusty.', [
        `Nie przesłano zadeklarowanej '${missing.ordinalNumber}' części pliku.`,
      ]);
    const wrongSize = batch.parts.find((p) => batch.uploaded.get(p.ordinalNumber)!.length !== p.fileSize);
    if (wrongSize)
      return deps.badRequest(reply, 21157, 'Nieprawidłowy rozmiar części pakietu.', [
        `Zadeklarowany rozmiar części '${wrongSize.ordinalNumber}' nie zgadza się z rzeczywistym.`,
      ]);
    batch.closed = true;
    batch.closedAt = Date.now();
    session.open = false;
    session.updatedAt = new Date().toISOString();
    process(session);
    return reply.code(204).send();
  });

  /** The package as a whole (SessionStatusResponse batch codes 405, 415, 420, 430, 435), then each file. */
  function process(session: Session): void {
    const batch = session.batch!;
    const fail = (code: number, description: string, details?: string[]) => {
      batch.failure = { code, description, ...(details ? { details } : {}) };
      batch.uploaded.clear();
    };
    const parts = [...batch.parts].sort((a, b) => a.ordinalNumber - b.ordinalNumber);
    const badHash = parts.find((p) => sha256(batch.uploaded.get(p.ordinalNumber)!) !== p.fileHash);
    if (badHash)
      return fail(405, 'Błąd weryfikacji poprawności dostarczonych elementów paczki', [
        `Skrót części ${badHash.ordinalNumber} nie zgadza się z zadeklarowanym.`,
      ]);
    let key: Buffer;
    try {
      key = privateDecrypt(
        { key: deps.symmetricKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        batch.encryptedKey,
      );
      if (key.length !== 32) throw new Error('not an AES-256 key');
    } catch {
      return fail(415, 'Błąd odszyfrowania dostarczonego klucza');
    }
    session.key = key;
    const plain: Buffer[] = [];
    for (const part of parts) {
      try {
        const decipher = createDecipheriv('aes-256-cbc', key, session.iv);
        const bytes = Buffer.concat([
          decipher.update(batch.uploaded.get(part.ordinalNumber)!),
          decipher.final(),
        ]);
        if (bytes.length > MAX_PART_PLAIN) throw new Error('part over 100 MB');
        plain.push(bytes);
      } catch {
        return fail(435, 'Błąd odszyfrowania zaszyfrowanych części archiwum', [
          `Część ${part.ordinalNumber}.`,
        ]);
      }
    }
    const zip = Buffer.concat(plain);
    if (zip.length !== batch.fileSize || sha256(zip) !== batch.fileHash)
      return fail(405, 'Błąd weryfikacji poprawności dostarczonych elementów paczki', [
        'Rozmiar lub skrót paczki nie zgadza się z zadeklarowanym.',
      ]);
    let files: { name: string; content: Buffer }[];
    try {
      files = readZip(zip);
    } catch (error) {
      return fail(430, 'Błąd dekompresji pierwotnego archiwum', [(error as Error).message]);
    }
    if (files.length === 0) return fail(440, 'Sesja anulowana', ['Nie przesłano faktur']);
    if (files.length > MAX_INVOICES)
      return fail(420, 'Przekroczony limit faktur w sesji', [
        `Paczka zawiera ${files.length} faktur; dozwolone ${MAX_INVOICES}.`,
      ]);
    batch.uploaded.clear();
    const now = new Date();
    const invoices = files.map((f, index): SentInvoice => {
      const xml = f.content.toString('utf8');
      return {
        ordinalNumber: index + 1,
        invoiceFileName: f.name,
        referenceNumber: reference('invoice', now),
        invoiceHash: sha256(f.content),
        invoiceSize: f.content.length,
        invoiceNumber: /<P_2>([^<]*)<\/P_2>/.exec(xml)?.[1] ?? null,
        // A batch's invoicingDate is the session's opening (automatyczne-okreslanie-trybu-offline.md).
        invoicingDate: session.createdAt,
        offline: batch.offline === true,
        readyAt: deps.readyAt(),
        status: { code: 150, description: 'Trwa przetwarzanie' },
        ksefNumber: null,
        acquisitionDate: null,
        xml,
        validated: false,
      };
    });
    for (const invoice of invoices) session.invoices.set(invoice.referenceNumber, invoice);
    deps.receive(invoices);
  }

  return {
    upoUrl(request: FastifyRequest, session: string, ksefNumber: string): string {
      const path = `/storage/upo/${session}/${ksefNumber}`;
      return `${baseUrl(request)}${path}?${signed(path, Date.now() + 3_600_000)}`;
    },
  };
}
