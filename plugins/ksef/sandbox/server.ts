import {
  createDecipheriv,
  createHash,
  constants,
  privateDecrypt,
  randomBytes,
  verify,
  X509Certificate,
} from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  baseFaultsSchema,
  createFaultState,
  createLedger,
  keepSandboxState,
  loadSandboxState,
  registerControlRoutes,
  registerFaultHook,
  registerRequestCounter,
} from '@mch/plugin-sdk/sandbox-kit';
import { FA3_XSD, validateXmlBatch } from '../src/xsd.ts';
import { makeKeys, makeKsefCertificate, type IssuedCertificate } from './keys.ts';
import { ksefNumber } from './ksef-number.ts';
import { createLimits, type LimitProfile } from './limits.ts';
import { sessionUpo, invoiceUpo } from './upo.ts';
import { batchStatus, registerBatchRoutes, type BatchState } from './batch.ts';

/**
 * The KSeF 2.0 API as the plugin uses it, shaped by `reference/ksef/open-api.json` (schema names in
 * the comments) and the integrator guide (`uwierzytelnianie.md`, `sesja-interaktywna.md`,
 * `faktury/weryfikacja-faktury.md`, `limity/limity-api.md`, `faktury/numer-ksef.md`).
 */

export const faultsSchema = baseFaultsSchema.extend({
  /** Each sent invoice stays "150 Trwa przetwarzanie" this long (slow processing). */
  processingMs: z.number().int().min(0).max(600_000).default(0),
  /** Every sent invoice is refused: status 450 (semantic verification error). */
  rejectInvoices: z.boolean().default(false),
  /**
   * Switched on, every access token issued so far has expired: protected calls with one answer 401
   * ("Token dostępowy wygasł", open-api.json 401 ProblemDetails) until the client refreshes it
   * (`POST /auth/token/refresh`) or signs in again; tokens issued after work (uwierzytelnianie.md:
   * the access token lives minutes, the refresh token days).
   */
  expireTokens: z.boolean().default(false),
  /** Authentication (`GET /auth/{ref}`) stays "100 in progress" this long. */
  authDelayMs: z.number().int().min(0).max(600_000).default(0),
  /**
   * The next N invoices KSeF decides keep, for good, a status code the API does not document
   * (999; open-api.json SessionInvoiceStatusResponse lists the known ones). Counts down as it fires.
   */
  unexpectedStatus: z.number().int().min(0).default(0),
  /**
   * The next N invoices sent to an online session are refused at intake: 400 with 21403
   * "Nieprawidłowy skrót pliku" (api-changelog.md, error codes of POST
   * /sessions/online/{ref}/invoices), as KSeF answers an invoice whose hash does not match its
   * content. Counts down as it fires.
   */
  refuseIntake: z.number().int().min(0).default(0),
});

export interface Context {
  nip: string;
}
interface AuthOperation extends Context {
  referenceNumber: string;
  authenticationToken: string;
  startedAt: number;
  status: { code: number; description: string; details?: string[] };
  redeemed: boolean;
  /** The KSeF token signed in with (revoking it ends what it gave, tokeny-ksef.md §4). */
  token?: string;
}
export interface SentInvoice {
  ordinalNumber: number;
  /** Batch sessions: the file's name in the archive (open-api.json `invoiceFileName`). */
  invoiceFileName?: string;
  referenceNumber: string;
  invoiceHash: string;
  invoiceSize: number;
  invoiceNumber: string | null;
  invoicingDate: string;
  readyAt: number;
  status: { code: number; description: string; details?: string[]; extensions?: Record<string, string> };
  ksefNumber: string | null;
  acquisitionDate: string | null;
  xml: string;
  validated: boolean;
  /** When the sandbox decided it (ms): the benchmark's measure of KSeF-side processing. */
  decidedAt?: number;
  /** Fault `unexpectedStatus`: shown with an undocumented status code whatever was decided. */
  unexpected?: boolean;
  /** Declared issued offline (`offlineMode: true`, tryby-offline.md). */
  offline?: boolean;
}

/**
 * `invoicingMode` (automatyczne-okreslanie-trybu-offline.md): Offline when declared so, or when the
 * day of its issue date (P_1) is before the day KSeF took it (`invoicingDate`), else Online.
 */
export function invoicingModeOf(invoice: SentInvoice): 'Online' | 'Offline' {
  if (invoice.offline) return 'Offline';
  const issued = /<P_1>(\d{4}-\d{2}-\d{2})<\/P_1>/.exec(invoice.xml)?.[1];
  return issued && issued < invoice.invoicingDate.slice(0, 10) ? 'Offline' : 'Online';
}
export interface Session extends Context {
  referenceNumber: string;
  key: Buffer;
  iv: Buffer;
  open: boolean;
  /** Set for batch sessions (sesja-wsadowa.md): the declared package, its parts and its fate. */
  batch?: BatchState;
  createdAt: string;
  updatedAt: string;
  validUntil: string;
  invoices: Map<string, SentInvoice>;
}

const REF_KINDS = { challenge: 'CR', auth: 'AU', session: 'SO', batch: 'SB', invoice: 'EE' } as const;

export function reference(kind: keyof typeof REF_KINDS, date = new Date()): string {
  const day = date.toISOString().slice(0, 10).replace(/-/g, '');
  const hex = randomBytes(11).toString('hex').toUpperCase();
  // e.g. 20250514-CR-226FB7B000-3ACF9BE4C0-10 (open-api.json AuthenticationChallengeResponse example): 36 characters.
  return `${day}-${REF_KINDS[kind]}-${hex.slice(0, 10)}-${hex.slice(10, 20)}-${hex.slice(20, 22)}`;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('base64');

export interface KsefSandboxOptions {
  faults?: Record<string, unknown>;
  seed?: string;
  /** `test` (TE: 10× production, limity-api.md "Środowisko TE"), `production`, or `off`. */
  limits?: LimitProfile;
  /** KSeF tokens the sandbox knows: token → the NIP it was issued in (tokeny-ksef.md). */
  tokens: Map<string, string>;
  /** Where the sandbox keeps its KSeF tokens and accepted invoices across restarts (`SandboxOptions.stateDir`). */
  stateDir?: string;
}

/**
 * Kept across restarts, as KSeF keeps them: the KSeF tokens issued (valid until revoked,
 * tokeny-ksef.md), the accepted invoices that make a resent one a duplicate (weryfikacja-faktury.md
 * "Unikalność faktury") and the sequence of KSeF numbers (never given twice, faktury/numer-ksef.md).
 * Sessions and access tokens last minutes and are encrypted to this run's keys: they are not kept.
 */
interface SavedState {
  tokens: [string, string][];
  accepted: [string, { ksefNumber: string; session: string }][];
  sequence: number;
  /** The KSeF certificates it issued (absent in state kept before they were kept). */
  certificates?: Omit<IssuedCertificate, 'x509'>[];
}
const STATE_VERSION = 1;

export function buildServer(options: KsefSandboxOptions): {
  app: FastifyInstance;
  tokens: Map<string, string>;
  /** Writes what is kept across restarts now (after the caller added a token). */
  saveState: () => void;
  /** The sandbox's valid Offline certificate for `nip`, issued now if it has none (kept across restarts). */
  offlineCertificateFor: (nip: string) => IssuedCertificate;
} {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  const keys = makeKeys();
  const ledger = createLedger();
  /** Access and refresh tokens are numbered as issued; `expireTokens` expires those up to here. */
  let tokenSequence = 0;
  let expiredUpTo: number | null = null;
  const faults = createFaultState({
    schema: faultsSchema,
    initial: options.faults,
    seed: options.seed ?? 'ksef',
    onChange: (f) => {
      if (!f.expireTokens) expiredUpTo = null;
      else if (expiredUpTo === null) expiredUpTo = tokenSequence;
    },
  });
  const limits = createLimits(options.limits ?? 'test');
  const tokens = options.tokens;
  const challenges = new Map<string, number>();
  const auths = new Map<string, AuthOperation>();
  const byAuthToken = new Map<string, AuthOperation>();
  interface Issued {
    nip: string;
    validUntil: number;
    auth: string;
    /** The KSeF token it came from (revoked → these end too). */
    token?: string;
    sequence: number;
  }
  const access = new Map<string, Issued>();
  const refresh = new Map<string, Issued>();
  /**
   * Retry-After honoured (limity-api.md: "429 … nagłówek Retry-After"): when each client
   * (address) may call each endpoint again after a 429, and how many calls came earlier.
   */
  const blockedUntil = new Map<string, number>();
  let retryAfterIgnored = 0;
  let tooMany = 0;
  const sessions = new Map<string, Session>();
  /** Invoices accepted, by seller NIP + RodzajFaktury + P_2 (weryfikacja-faktury.md "Unikalność faktury"). */
  const accepted = new Map<string, { ksefNumber: string; session: string }>();
  let sequence = 0;
  /** KSeF certificates issued, by serial number (certyfikaty-KSeF.md). */
  const certificates = new Map<string, IssuedCertificate>();
  const saved = loadSandboxState<SavedState>({ dir: options.stateDir, version: STATE_VERSION });
  if (saved) {
    for (const [token, nip] of saved.tokens) tokens.set(token, nip);
    for (const [key, value] of saved.accepted) accepted.set(key, value);
    sequence = saved.sequence;
    for (const cert of saved.certificates ?? [])
      certificates.set(cert.serialNumber, {
        ...cert,
        x509: new X509Certificate(Buffer.from(cert.certificate, 'base64')),
      });
  }
  const kept = keepSandboxState({
    dir: options.stateDir,
    version: STATE_VERSION,
    snapshot: (): SavedState => ({
      tokens: [...tokens],
      accepted: [...accepted],
      sequence,
      certificates: [...certificates.values()].map(({ x509: _x509, ...cert }) => cert),
    }),
  });
  app.addHook('onClose', async () => kept.close());
  /** Invoices waiting for their FA(3) check, validated in batches (one xmllint run each). */
  let toValidate: SentInvoice[] = [];
  let validating: Promise<void> | null = null;

  registerRequestCounter(app, { ledger });
  const endpointOf = (request: FastifyRequest) =>
    `${request.method} ${request.routeOptions.url ?? request.url}|${request.ip}`;
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/__sandbox')) return;
    // A Retry-After is whole seconds: 100 ms of slack for the clocks of two processes.
    const until = blockedUntil.get(endpointOf(request));
    if (until !== undefined && Date.now() < until - 100) retryAfterIgnored += 1;
  });
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode !== 429) return;
    tooMany += 1;
    const seconds = Number(reply.getHeader('retry-after') ?? 0);
    blockedUntil.set(endpointOf(request), Date.now() + seconds * 1000);
  });
  // Outage: `errorRate: 1` (503 on every call); faults never touch the control endpoint.
  registerFaultHook(app, {
    faults,
    errorBody: (status) =>
      status === 429
        ? { status: { code: 429, description: 'Too Many Requests', details: ['Przekroczono limit żądań.'] } }
        : exception(status === 503 ? 'Usługa chwilowo niedostępna' : 'Nieznany błąd', status),
    // No fixed headers: the hook sends `Retry-After` from the current `retryAfter429`.
  });
  registerControlRoutes(app, {
    ledger,
    faults,
    state: () => ({
      sessions: sessions.size,
      invoices: [...sessions.values()].reduce((n, s) => n + s.invoices.size, 0),
      accepted: accepted.size,
      // 429s answered, and calls a client made to the same endpoint before their Retry-After.
      tooMany,
      retryAfterIgnored,
      // Batch sessions: closed → every file decided (ms), the KSeF-side processing time.
      batches: [...sessions.values()]
        .filter((s) => s.batch?.closedAt !== undefined)
        .map((s) => ({
          session: s.referenceNumber,
          invoices: s.invoices.size,
          processingMs:
            Math.max(s.batch!.closedAt!, ...[...s.invoices.values()].map((i) => i.decidedAt ?? Infinity)) -
            s.batch!.closedAt!,
        })),
    }),
    onReset: () => limits.reset(),
  });
  // Sandbox only: issue a KSeF token for a NIP (the real one is made in the KSeF application, tokeny-ksef.md).
  app.post('/__sandbox/tokens', async (request) => {
    const raw = (request.body as { nip?: unknown } | null)?.nip;
    const nip = typeof raw === 'string' ? raw : '';
    const token = `${reference('auth').slice(0, 20)}|nip-${nip}|${randomBytes(24).toString('hex')}`;
    tokens.set(token, nip);
    return { token };
  });
  // Sandbox only: a KSeF certificate for a NIP, key included — what the KSeF application hands a
  // taxpayer after `POST /certificates/enrollments` (certyfikaty-KSeF.md; that needs an XAdES
  // sign-in, not a KSeF token, so the plugin takes the certificate and key as settings).
  app.post('/__sandbox/certificates', async (request, reply) => {
    const body = (request.body ?? {}) as { nip?: unknown; type?: unknown; keyType?: unknown; days?: unknown };
    if (typeof body.nip !== 'string' || !/^\d{10}$/.test(body.nip))
      return reply.code(400).send({ error: 'nip: ten digits' });
    const issued = makeKsefCertificate({
      nip: body.nip,
      type: body.type === 'Authentication' ? 'Authentication' : 'Offline',
      keyType: body.keyType === 'rsa' ? 'rsa' : 'ec',
      ...(typeof body.days === 'number' ? { days: body.days } : {}),
    });
    certificates.set(issued.serialNumber, issued);
    kept.flush();
    const { x509: _x509, ...view } = issued;
    return reply.code(201).send(view);
  });
  // Sandbox only: what scanning QR code II shows (kody-qr.md "Weryfikacja po zeskanowaniu kodu QR
  // II"): the certificate in the register, of the Offline type and valid; the signature over the
  // link without "https://" and without the signature (RSASSA-PSS SHA-256 salt 32, or ECDSA P-256
  // SHA-256 as IEEE P1363 or DER); the issuer's right in the context and the context's to the
  // seller's NIP (here: its own NIP only); and the invoice with that SHA-256, once KSeF has it.
  app.post('/__sandbox/qr/verify', async (request, reply) => {
    const raw = (request.body as { url?: unknown } | null)?.url;
    let url: URL;
    try {
      url = new URL(String(raw));
    } catch {
      return reply.code(400).send({ error: 'url: a QR code II link' });
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts.length !== 7 || parts[0] !== 'certificate')
      return reply
        .code(400)
        .send({ error: 'url: …/certificate/{type}/{context}/{nip}/{serial}/{hash}/{signature}' });
    const [, contextType, context, sellerNip, serial, hash, signature] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const problems: string[] = [];
    const cert = certificates.get(serial.toUpperCase());
    if (!cert) problems.push('Certyfikat nie istnieje w rejestrze certyfikatów KSeF.');
    else {
      if (cert.type !== 'Offline') problems.push('Certyfikat nie jest certyfikatem typu Offline.');
      if (Date.parse(cert.validTo) < Date.now()) problems.push('Certyfikat utracił ważność.');
      const signed = Buffer.from(`${url.host}/${parts.slice(0, 6).join('/')}`, 'utf8');
      const sig = Buffer.from(signature, 'base64url');
      const key = cert.x509.publicKey;
      const ok =
        key.asymmetricKeyType === 'ec'
          ? verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, sig) ||
            verify('sha256', signed, { key, dsaEncoding: 'der' }, sig)
          : verify('sha256', signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);
      if (!ok) problems.push('Podpis linku jest nieprawidłowy.');
      if (contextType !== 'Nip' || context !== cert.nip)
        problems.push('Wystawca nie ma uprawnień do wystawiania faktur w tym kontekście.');
    }
    if (sellerNip !== context)
      problems.push('Kontekst nie ma prawa wystawiać faktur dla tego NIP sprzedawcy.');
    const digest = Buffer.from(hash, 'base64url').toString('base64');
    const invoice = [...sessions.values()]
      .flatMap((s) => [...s.invoices.values()])
      .find((i) => i.invoiceHash === digest && visibleStatus(i).code === 200);
    return {
      valid: problems.length === 0,
      problems,
      certificate: cert ? { serialNumber: cert.serialNumber, type: cert.type, nip: cert.nip } : null,
      invoice: invoice ? { ksefNumber: invoice.ksefNumber, invoicingMode: invoicingModeOf(invoice) } : null,
    };
  });
  // Sandbox only: revoke a KSeF token, as `DELETE /tokens/{referenceNumber}` does (tokeny-ksef.md
  // §4 "Unieważnienie tokena"); the access and refresh tokens got with it stop working too.
  app.post('/__sandbox/tokens/revoke', async (request, reply) => {
    const raw = (request.body as { token?: unknown } | null)?.token;
    if (typeof raw !== 'string' || !tokens.delete(raw))
      return reply.code(404).send({ error: 'no such token' });
    for (const map of [access, refresh]) for (const [k, v] of map) if (v.token === raw) map.delete(k);
    return reply.code(204).send();
  });
  // Sandbox only: everything an invoice became (for tests: its decrypted XML, number, UPO).
  app.get('/__sandbox/invoices', async () =>
    [...sessions.values()].flatMap((s) =>
      [...s.invoices.values()].map((i) => ({
        session: s.referenceNumber,
        referenceNumber: i.referenceNumber,
        invoiceNumber: i.invoiceNumber,
        status: i.status,
        ksefNumber: i.ksefNumber,
        invoiceHash: i.invoiceHash,
        invoicingMode: invoicingModeOf(i),
        xml: i.xml,
      })),
    ),
  );

  function exception(description: string, code: number, details: string[] = []) {
    // open-api.json ExceptionResponse.
    return {
      exception: {
        exceptionDetailList: [{ exceptionCode: code, exceptionDescription: description, details }],
        serviceCode: randomBytes(8).toString('hex'),
        serviceCtx: 'srvSANDBOX',
        serviceName: 'KSeF sandbox',
        timestamp: new Date().toISOString(),
      },
    };
  }
  const badRequest = (reply: FastifyReply, code: number, description: string, details: string[] = []) =>
    reply.code(400).send(exception(description, code, details));
  const unauthorized = (reply: FastifyReply, detail: string) =>
    reply.code(401).type('application/problem+json').send({
      title: 'Unauthorized',
      status: 401,
      detail,
      instance: '',
      timestamp: new Date().toISOString(),
    });

  /** limity-api.md: per context + IP and endpoint, sliding windows; 429 with Retry-After. */
  function limited(request: FastifyRequest, reply: FastifyReply, endpoint: string, context: string): boolean {
    const decision = limits.hit(endpoint, `${context}|${request.ip}`);
    if (decision.allowed) return false;
    ledger.breach(`${endpoint}|${context}`);
    void reply
      .code(429)
      .header('retry-after', String(decision.retryAfterSeconds))
      .send({
        status: {
          code: 429,
          description: 'Too Many Requests',
          details: [
            `Przekroczono limit ${decision.limit} żądań na ${decision.window}. Spróbuj ponownie po ${decision.retryAfterSeconds} sekundach.`,
          ],
        },
      });
    return true;
  }

  function bearer(request: FastifyRequest): string | undefined {
    const header = request.headers.authorization;
    return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  }
  function accessContext(request: FastifyRequest, reply: FastifyReply): Context | undefined {
    const token = bearer(request);
    const found = token ? access.get(token) : undefined;
    if (!found) return void unauthorized(reply, 'Brak lub nieprawidłowy token dostępowy.');
    if ((expiredUpTo !== null && found.sequence <= expiredUpTo) || found.validUntil < Date.now())
      return void unauthorized(reply, 'Token dostępowy wygasł.');
    return { nip: found.nip };
  }

  // POST /auth/challenge → AuthenticationChallengeResponse (uwierzytelnianie.md step 1).
  app.post('/v2/auth/challenge', async (request, reply) => {
    if (limited(request, reply, 'challenge', 'ip')) return reply;
    const now = Date.now();
    const challenge = reference('challenge', new Date(now));
    challenges.set(challenge, now);
    return { challenge, timestamp: new Date(now).toISOString(), timestampMs: now, clientIp: request.ip };
  });

  // GET /security/public-key-certificates → PublicKeyCertificate[].
  app.get('/v2/security/public-key-certificates', async () =>
    [keys.token, keys.symmetric].map((k) => ({
      certificate: k.certificate,
      certificateId: k.certificateId,
      publicKeyId: k.publicKeyId,
      validFrom: k.validFrom,
      validTo: k.validTo,
      usage: [k.usage],
    })),
  );

  // POST /auth/ksef-token (InitTokenAuthenticationRequest) → 202 AuthenticationInitResponse.
  // encryptedToken = RSA-OAEP(SHA-256)("token|timestampMs") with the KsefTokenEncryption key.
  app.post('/v2/auth/ksef-token', async (request, reply) => {
    const body = request.body as {
      challenge?: string;
      contextIdentifier?: { type?: string; value?: string };
      encryptedToken?: string;
    } | null;
    if (
      !body?.challenge ||
      !body.encryptedToken ||
      body.contextIdentifier?.type !== 'Nip' ||
      !body.contextIdentifier.value
    )
      return badRequest(reply, 21405, 'Błąd walidacji danych wejściowych.', [
        'challenge, contextIdentifier {type: Nip, value} and encryptedToken are required',
      ]);
    if (limited(request, reply, 'other', body.contextIdentifier.value)) return reply;
    const issuedAt = challenges.get(body.challenge);
    const now = Date.now();
    const referenceNumber = reference('auth');
    const operation: AuthOperation = {
      referenceNumber,
      authenticationToken: randomBytes(32).toString('base64url'),
      nip: body.contextIdentifier.value,
      startedAt: now,
      status: { code: 100, description: 'Uwierzytelnianie w toku' },
      redeemed: false,
    };
    const fail = (detail: string) => {
      operation.status = {
        code: 450,
        description: 'Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu',
        details: [detail],
      };
    };
    // The challenge is valid 10 minutes, once (uwierzytelnianie.md).
    if (issuedAt === undefined || now - issuedAt > 10 * 60_000) fail('Nieprawidłowe wyzwanie autoryzacyjne');
    else {
      challenges.delete(body.challenge);
      try {
        const plain = privateDecrypt(
          { key: keys.token.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
          Buffer.from(body.encryptedToken, 'base64'),
        ).toString('utf8');
        const cut = plain.lastIndexOf('|');
        const token = plain.slice(0, cut);
        const timestampMs = Number(plain.slice(cut + 1));
        const nip = tokens.get(token);
        if (nip === undefined || (nip !== '*' && nip !== operation.nip)) fail('Nieprawidłowy token');
        else if (timestampMs !== issuedAt) fail('Nieprawidłowy czas tokena');
        else operation.token = token;
      } catch {
        fail('Nieprawidłowy token');
      }
    }
    auths.set(referenceNumber, operation);
    byAuthToken.set(operation.authenticationToken, operation);
    return reply.code(202).send({
      referenceNumber,
      authenticationToken: {
        token: operation.authenticationToken,
        validUntil: new Date(now + 15 * 60_000).toISOString(),
      },
    });
  });

  // GET /auth/{referenceNumber} (bearer: authenticationToken) → AuthenticationOperationStatusResponse.
  app.get<{ Params: { ref: string } }>('/v2/auth/:ref', async (request, reply) => {
    const operation = byAuthToken.get(bearer(request) ?? '');
    if (!operation || operation.referenceNumber !== request.params.ref)
      return unauthorized(reply, 'Nieprawidłowy token uwierzytelniania.');
    if (operation.status.code === 100 && Date.now() - operation.startedAt >= faults.get().authDelayMs)
      operation.status = { code: 200, description: 'Uwierzytelnianie zakończone sukcesem' };
    return {
      startDate: new Date(operation.startedAt).toISOString(),
      authenticationMethod: 'Token',
      authenticationMethodInfo: { category: 'Token', code: 'token.ksef', displayName: 'Token KSeF' },
      status: operation.status,
      isTokenRedeemed: operation.redeemed,
    };
  });

  const tokenInfo = (token: string, ms: number) => ({
    token,
    validUntil: new Date(Date.now() + ms).toISOString(),
  });

  // POST /auth/token/redeem (bearer: authenticationToken) → AuthenticationTokensResponse, once.
  app.post('/v2/auth/token/redeem', async (request, reply) => {
    const operation = byAuthToken.get(bearer(request) ?? '');
    if (!operation) return unauthorized(reply, 'Nieprawidłowy token uwierzytelniania.');
    if (operation.status.code !== 200 || operation.redeemed)
      return badRequest(reply, 21301, 'Brak autoryzacji.', [
        operation.redeemed
          ? 'Tokeny zostały już pobrane.'
          : `Status uwierzytelniania: ${operation.status.code}`,
      ]);
    operation.redeemed = true;
    const a = randomBytes(32).toString('base64url');
    const r = randomBytes(32).toString('base64url');
    // Access token: minutes; refresh token: days (README "E-invoicing").
    const from = { nip: operation.nip, auth: operation.referenceNumber, token: operation.token };
    access.set(a, { ...from, validUntil: Date.now() + 15 * 60_000, sequence: ++tokenSequence });
    refresh.set(r, { ...from, validUntil: Date.now() + 7 * 86_400_000, sequence: ++tokenSequence });
    return { accessToken: tokenInfo(a, 15 * 60_000), refreshToken: tokenInfo(r, 7 * 86_400_000) };
  });

  // POST /auth/token/refresh (bearer: refreshToken) → AuthenticationTokenRefreshResponse.
  app.post('/v2/auth/token/refresh', async (request, reply) => {
    const found = refresh.get(bearer(request) ?? '');
    if (!found || found.validUntil < Date.now())
      return unauthorized(reply, 'Nieprawidłowy lub wygasły refresh token.');
    const a = randomBytes(32).toString('base64url');
    access.set(a, { ...found, validUntil: Date.now() + 15 * 60_000, sequence: ++tokenSequence });
    return { accessToken: tokenInfo(a, 15 * 60_000) };
  });

  // POST /sessions/online (OpenOnlineSessionRequest) → 201 OpenOnlineSessionResponse.
  app.post('/v2/sessions/online', async (request, reply) => {
    const context = accessContext(request, reply);
    if (!context) return reply;
    if (limited(request, reply, 'session-open', context.nip)) return reply;
    const body = request.body as {
      formCode?: { systemCode?: string; schemaVersion?: string; value?: string };
      encryption?: { encryptedSymmetricKey?: string; initializationVector?: string };
    } | null;
    if (
      body?.formCode?.systemCode !== 'FA (3)' ||
      body.formCode.schemaVersion !== '1-0E' ||
      body.formCode.value !== 'FA'
    )
      return badRequest(reply, 21405, 'Błąd walidacji danych wejściowych.', [
        'formCode must be {systemCode: "FA (3)", schemaVersion: "1-0E", value: "FA"}',
      ]);
    let key: Buffer;
    try {
      key = privateDecrypt(
        { key: keys.symmetric.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        Buffer.from(body.encryption?.encryptedSymmetricKey ?? '', 'base64'),
      );
    } catch {
      return badRequest(reply, 21405, 'Błąd odszyfrowania dostarczonego klucza.');
    }
    const iv = Buffer.from(body.encryption?.initializationVector ?? '', 'base64');
    if (key.length !== 32 || iv.length !== 16)
      return badRequest(reply, 21405, 'Błąd odszyfrowania dostarczonego klucza.', [
        'AES-256 key (32 bytes) and a 16-byte IV',
      ]);
    const now = new Date();
    const session: Session = {
      referenceNumber: reference('session', now),
      nip: context.nip,
      key,
      iv,
      open: true,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      // An online session lives 12 hours (sesja-interaktywna.md).
      validUntil: new Date(now.getTime() + 12 * 3_600_000).toISOString(),
      invoices: new Map(),
    };
    sessions.set(session.referenceNumber, session);
    return reply.code(201).send({ referenceNumber: session.referenceNumber, validUntil: session.validUntil });
  });

  // POST /sessions/online/{ref}/invoices (SendInvoiceRequest) → 202 SendInvoiceResponse.
  app.post<{ Params: { ref: string } }>('/v2/sessions/online/:ref/invoices', async (request, reply) => {
    const context = accessContext(request, reply);
    if (!context) return reply;
    if (limited(request, reply, 'invoice-send', context.nip)) return reply;
    const session = sessions.get(request.params.ref);
    if (!session || session.nip !== context.nip)
      return badRequest(reply, 21405, 'Sesja nie istnieje.', [request.params.ref]);
    if (!session.open) return badRequest(reply, 21180, 'Sesja jest zamknięta.', [session.referenceNumber]);
    const refuse = faults.get().refuseIntake;
    if (refuse > 0) {
      faults.update({ refuseIntake: refuse - 1 });
      return badRequest(reply, 21403, 'Nieprawidłowy skrót pliku.', [
        'Skrót treści nie zgadza się ze skrótem pliku.',
      ]);
    }
    const body = request.body as {
      invoiceHash?: string;
      invoiceSize?: number;
      encryptedInvoiceHash?: string;
      encryptedInvoiceSize?: number;
      encryptedInvoiceContent?: string;
      offlineMode?: boolean;
    } | null;
    const encrypted = Buffer.from(body?.encryptedInvoiceContent ?? '', 'base64');
    if (
      !body?.invoiceHash ||
      encrypted.length === 0 ||
      sha256(encrypted) !== body.encryptedInvoiceHash ||
      encrypted.length !== body.encryptedInvoiceSize
    )
      return badRequest(reply, 21405, 'Błąd walidacji danych wejściowych.', [
        'encryptedInvoiceHash / encryptedInvoiceSize do not match encryptedInvoiceContent',
      ]);
    const now = new Date();
    const invoice: SentInvoice = {
      ordinalNumber: session.invoices.size + 1,
      referenceNumber: reference('invoice', now),
      invoiceHash: body.invoiceHash,
      invoiceSize: body.invoiceSize ?? 0,
      invoiceNumber: null,
      invoicingDate: now.toISOString(),
      readyAt: now.getTime() + faults.get().processingMs,
      status: { code: 150, description: 'Trwa przetwarzanie' },
      ksefNumber: null,
      acquisitionDate: null,
      xml: '',
      validated: false,
      offline: body.offlineMode === true,
    };
    try {
      // AES-256-CBC, PKCS#7 (sesja-interaktywna.md "Szyfrowanie faktury").
      const decipher = createDecipheriv('aes-256-cbc', session.key, session.iv);
      const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
      if (sha256(plain) !== body.invoiceHash || plain.length !== body.invoiceSize) {
        invoice.status = {
          code: 430,
          description: 'Błąd weryfikacji pliku faktury',
          details: ['invoiceHash / invoiceSize do not match the decrypted invoice'],
        };
      } else {
        invoice.xml = plain.toString('utf8');
        invoice.invoiceNumber = /<P_2>([^<]*)<\/P_2>/.exec(invoice.xml)?.[1] ?? null;
        toValidate.push(invoice);
        validateSoon();
      }
    } catch {
      invoice.status = { code: 435, description: 'Błąd odszyfrowania pliku' };
    }
    session.invoices.set(invoice.referenceNumber, invoice);
    session.updatedAt = now.toISOString();
    return reply.code(202).send({ referenceNumber: invoice.referenceNumber });
  });

  function validateSoon(): void {
    if (validating) return;
    validating = (async () => {
      while (toValidate.length > 0) {
        const batch = toValidate;
        toValidate = [];
        const results = await validateXmlBatch(
          batch.map((i) => i.xml),
          FA3_XSD,
        );
        batch.forEach((invoice, index) =>
          decide(
            invoice,
            results[index]!.map((e) => `${e.location}: ${e.message}`),
          ),
        );
      }
    })().finally(() => {
      validating = null;
      if (toValidate.length > 0) validateSoon();
    });
  }

  /** weryfikacja-faktury.md: the XSD, then uniqueness (NIP + RodzajFaktury + P_2): 440 names the original. */
  function decide(invoice: SentInvoice, schemaErrors: string[]): void {
    invoice.validated = true;
    invoice.decidedAt = Date.now();
    const unexpected = faults.get().unexpectedStatus;
    if (unexpected > 0) {
      invoice.unexpected = true;
      faults.update({ unexpectedStatus: unexpected - 1 });
    }
    const session = [...sessions.values()].find((s) => s.invoices.has(invoice.referenceNumber))!;
    if (schemaErrors.length > 0) {
      invoice.status = {
        code: 450,
        description: 'Błąd weryfikacji semantyki dokumentu faktury',
        details: schemaErrors,
      };
      return;
    }
    if (faults.get().rejectInvoices) {
      invoice.status = {
        code: 450,
        description: 'Błąd weryfikacji semantyki dokumentu faktury',
        details: ['Faktura odrzucona (przełącznik sandboksa rejectInvoices).'],
      };
      return;
    }
    const seller = /<Podmiot1>.*?<NIP>(\d{10})<\/NIP>/s.exec(invoice.xml)?.[1] ?? '';
    const kind = /<RodzajFaktury>([^<]*)<\/RodzajFaktury>/.exec(invoice.xml)?.[1] ?? '';
    if (seller !== session.nip) {
      invoice.status = {
        code: 410,
        description: 'Nieprawidłowy zakres uprawnień',
        details: [`Podmiot1 NIP ${seller} is not the session's context ${session.nip}`],
      };
      return;
    }
    const key = `${seller}|${kind}|${invoice.invoiceNumber ?? ''}`;
    const original = accepted.get(key);
    if (original) {
      invoice.status = {
        code: 440,
        description: 'Duplikat faktury',
        details: [
          `Duplikat faktury. Faktura o numerze KSeF: ${original.ksefNumber} została już prawidłowo przesłana do systemu w sesji: ${original.session}`,
        ],
        extensions: {
          originalSessionReferenceNumber: original.session,
          originalKsefNumber: original.ksefNumber,
        },
      };
      return;
    }
    const now = new Date();
    invoice.ksefNumber = ksefNumber(seller, now, ++sequence);
    invoice.acquisitionDate = now.toISOString();
    invoice.status = { code: 200, description: 'Sukces' };
    accepted.set(key, { ksefNumber: invoice.ksefNumber, session: session.referenceNumber });
  }

  /** The status a client sees now: 150 until validated and `processingMs` passed. */
  function visibleStatus(invoice: SentInvoice): SentInvoice['status'] {
    if (!invoice.validated && invoice.status.code === 150) return invoice.status;
    if (Date.now() < invoice.readyAt) return { code: 150, description: 'Trwa przetwarzanie' };
    return invoice.status;
  }

  // POST /sessions/online/{ref}/close → 204.
  app.post<{ Params: { ref: string } }>('/v2/sessions/online/:ref/close', async (request, reply) => {
    const context = accessContext(request, reply);
    if (!context) return reply;
    if (limited(request, reply, 'session-close', context.nip)) return reply;
    const session = sessions.get(request.params.ref);
    if (!session || session.nip !== context.nip)
      return badRequest(reply, 21405, 'Sesja nie istnieje.', [request.params.ref]);
    session.open = false;
    session.updatedAt = new Date().toISOString();
    return reply.code(204).send();
  });

  // GET /sessions/{ref} → SessionStatusResponse (100 open, 170 closed, 200 processed, 440/445).
  app.get<{ Params: { ref: string } }>('/v2/sessions/:ref', async (request, reply) => {
    const context = accessContext(request, reply);
    if (!context) return reply;
    if (limited(request, reply, 'sessions-other', context.nip)) return reply;
    const session = sessions.get(request.params.ref);
    if (!session || session.nip !== context.nip)
      return badRequest(reply, 21405, 'Sesja nie istnieje.', [request.params.ref]);
    const invoices = [...session.invoices.values()];
    const done = invoices.filter((i) => visibleStatus(i).code !== 150);
    const ok = done.filter((i) => visibleStatus(i).code === 200).length;
    let status: { code: number; description: string; details?: string[] } = {
      code: 100,
      description: 'Sesja interaktywna otwarta',
    };
    if (session.batch) status = batchStatus(session, { done: done.length, ok });
    else if (!session.open) {
      if (invoices.length === 0) status = { code: 440, description: 'Sesja anulowana' };
      else if (done.length < invoices.length)
        status = { code: 170, description: 'Sesja interaktywna zamknięta' };
      else if (ok === 0) status = { code: 445, description: 'Błąd weryfikacji, brak poprawnych faktur' };
      else status = { code: 200, description: 'Sesja interaktywna przetworzona pomyślnie' };
    }
    return {
      status,
      dateCreated: session.createdAt,
      dateUpdated: session.updatedAt,
      validUntil: session.validUntil,
      upo:
        status.code === 200
          ? {
              pages: [
                {
                  referenceNumber: session.referenceNumber,
                  downloadUrl: `${baseUrl(request)}/v2/sessions/${session.referenceNumber}/upo/${session.referenceNumber}`,
                  downloadUrlExpirationDate: new Date(Date.now() + 3_600_000).toISOString(),
                },
              ],
            }
          : null,
      invoiceCount: invoices.length,
      successfulInvoiceCount: ok,
      failedInvoiceCount: done.length - ok,
    };
  });

  /** open-api.json SessionInvoiceStatusResponse of one invoice as a client sees it now. */
  function invoiceView(request: FastifyRequest, session: Session, invoice: SentInvoice) {
    let status = visibleStatus(invoice);
    if (status.code !== 150 && invoice.unexpected) {
      status = {
        code: 999,
        description: 'Status spoza dokumentacji (przełącznik sandboksa unexpectedStatus)',
      };
    }
    const final = status.code === 200;
    return {
      ordinalNumber: invoice.ordinalNumber,
      invoiceNumber: invoice.invoiceNumber,
      ksefNumber: final ? invoice.ksefNumber : null,
      referenceNumber: invoice.referenceNumber,
      invoiceHash: invoice.invoiceHash,
      // "zwracana dla faktur wysyłanych wsadowo" (SessionInvoiceStatusResponse.invoiceFileName).
      ...(invoice.invoiceFileName ? { invoiceFileName: invoice.invoiceFileName } : {}),
      invoicingDate: invoice.invoicingDate,
      acquisitionDate: final ? invoice.acquisitionDate : null,
      permanentStorageDate: final ? invoice.acquisitionDate : null,
      // upoDownloadUrl: a plain GET without the access token, outside the API limits, expiring.
      upoDownloadUrl: final ? storage.upoUrl(request, session.referenceNumber, invoice.ksefNumber!) : null,
      upoDownloadUrlExpirationDate: final ? new Date(Date.now() + 3_600_000).toISOString() : null,
      invoicingMode: invoicingModeOf(invoice),
      status,
    };
  }

  // GET /sessions/{ref}/invoices/{invoiceRef} → SessionInvoiceStatusResponse.
  app.get<{ Params: { ref: string; invoiceRef: string } }>(
    '/v2/sessions/:ref/invoices/:invoiceRef',
    async (request, reply) => {
      const context = accessContext(request, reply);
      if (!context) return reply;
      if (limited(request, reply, 'invoice-status', context.nip)) return reply;
      const session = sessions.get(request.params.ref);
      const invoice =
        session?.nip === context.nip ? session.invoices.get(request.params.invoiceRef) : undefined;
      if (!session || !invoice)
        return badRequest(reply, 21405, 'Faktura nie istnieje.', [request.params.invoiceRef]);
      return invoiceView(request, session, invoice);
    },
  );

  // GET /sessions/{ref}/invoices?pageSize (10–1000, default 10) with `x-continuation-token` →
  // SessionInvoicesResponse (api-changelog: paging by continuation token, pageSize unchanged).
  app.get<{ Params: { ref: string }; Querystring: { pageSize?: string } }>(
    '/v2/sessions/:ref/invoices',
    async (request, reply) => {
      const context = accessContext(request, reply);
      if (!context) return reply;
      if (limited(request, reply, 'session-invoices', context.nip)) return reply;
      const session = sessions.get(request.params.ref);
      if (!session || session.nip !== context.nip)
        return badRequest(reply, 21173, 'Brak sesji o wskazanym numerze referencyjnym.', [
          `Sesja o numerze referencyjnym ${request.params.ref} nie została znaleziona.`,
        ]);
      const pageSize = request.query.pageSize === undefined ? 10 : Number(request.query.pageSize);
      if (!Number.isInteger(pageSize) || pageSize < 10 || pageSize > 1000)
        return badRequest(reply, 21405, 'Błąd walidacji danych wejściowych.', [
          'pageSize must be an integer from 10 to 1000',
        ]);
      const token = request.headers['x-continuation-token'];
      const from = typeof token === 'string' ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
      if (!Number.isInteger(from) || from < 0)
        return badRequest(reply, 21405, 'Błąd walidacji danych wejściowych.', ['x-continuation-token']);
      const all = [...session.invoices.values()];
      const page = all.slice(from, from + pageSize);
      const next =
        from + pageSize < all.length ? Buffer.from(String(from + pageSize)).toString('base64') : null;
      return { continuationToken: next, invoices: page.map((i) => invoiceView(request, session, i)) };
    },
  );

  // GET /sessions/{ref}/invoices/ksef/{ksefNumber}/upo → application/xml (UPO v4-3, one document).
  app.get<{ Params: { ref: string; ksef: string } }>(
    '/v2/sessions/:ref/invoices/ksef/:ksef/upo',
    async (request, reply) => {
      const context = accessContext(request, reply);
      if (!context) return reply;
      if (limited(request, reply, 'sessions-other', context.nip)) return reply;
      const session = sessions.get(request.params.ref);
      const invoice =
        session?.nip === context.nip
          ? [...session.invoices.values()].find(
              (i) => i.ksefNumber === request.params.ksef && visibleStatus(i).code === 200,
            )
          : undefined;
      if (!session || !invoice) return badRequest(reply, 21405, 'UPO nie istnieje.', [request.params.ksef]);
      return reply
        .type('application/xml')
        .send(invoiceUpo({ session: session.referenceNumber, nip: session.nip, invoice }));
    },
  );

  // GET /sessions/{ref}/upo/{upoRef} → the session's UPO (all its accepted documents).
  app.get<{ Params: { ref: string; upo: string } }>('/v2/sessions/:ref/upo/:upo', async (request, reply) => {
    const context = accessContext(request, reply);
    if (!context) return reply;
    const session = sessions.get(request.params.ref);
    if (!session || session.nip !== context.nip || request.params.upo !== session.referenceNumber)
      return badRequest(reply, 21405, 'UPO nie istnieje.', [request.params.upo]);
    const invoices = [...session.invoices.values()].filter((i) => visibleStatus(i).code === 200);
    return reply
      .type('application/xml')
      .send(sessionUpo({ session: session.referenceNumber, nip: session.nip, invoices }));
  });

  const storage = registerBatchRoutes(app, {
    sessions,
    faults,
    symmetricKey: keys.symmetric.privateKey,
    accessContext,
    limited,
    badRequest,
    receive: (invoices) => {
      toValidate.push(...invoices);
      validateSoon();
    },
    readyAt: () => Date.now() + faults.get().processingMs,
    invoiceUpo: (session, invoice) => {
      const found = [...session.invoices.values()].find(
        (i) => i.ksefNumber === invoice && visibleStatus(i).code === 200,
      );
      return found
        ? invoiceUpo({ session: session.referenceNumber, nip: session.nip, invoice: found })
        : null;
    },
  });

  const offlineCertificateFor = (nip: string): IssuedCertificate => {
    const soon = Date.now() + 86_400_000;
    const valid = [...certificates.values()].find(
      (c) => c.nip === nip && c.type === 'Offline' && Date.parse(c.validTo) > soon,
    );
    if (valid) return valid;
    const issued = makeKsefCertificate({ nip, type: 'Offline' });
    certificates.set(issued.serialNumber, issued);
    kept.flush();
    return issued;
  };
  return { app, tokens, saveState: () => kept.flush(), offlineCertificateFor };
}

const baseUrl = (request: FastifyRequest) => `${request.protocol}://${request.host}`;
