import {
  constants,
  createCipheriv,
  createHash,
  publicEncrypt,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AuthError,
  isPluginError,
  PluginErrorCode,
  RetryableError,
  type HttpResponse,
  type PluginContext,
} from '@mch/plugin-sdk';

/**
 * KSeF 2.0 over `ctx.http` (the host's limiter and 429/Retry-After handling apply). Flows from the
 * integrator guide: token authentication (uwierzytelnianie.md: challenge → RSA-OAEP SHA-256 of
 * `token|timestampMs` → poll → redeem; refresh), online sessions (sesja-interaktywna.md: AES-256
 * key wrapped with RSA-OAEP SHA-256, invoices AES-256-CBC/PKCS#7 with SHA-256 hashes and sizes).
 * Paths as in open-api.json, relative to `https://api(-test|-demo).ksef.mf.gov.pl/v2`.
 */

interface Tokens {
  nip: string;
  access: string;
  accessUntil: number;
  refresh: string;
  refreshUntil: number;
}

/** Tokens stay in memory only (never in the store's plain column): a new process authenticates again. */
const TOKENS = new Map<string, Tokens>();
const CERTS = new Map<string, { token: X509Certificate; symmetric: X509Certificate }>();

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('base64');

export interface StatusInfo {
  code: number;
  description: string;
  details?: string[] | null;
  extensions?: Record<string, string> | null;
}

/** One part of a batch at most (weryfikacja-faktury.md: 100 MB = 100 000 000 bytes before encryption). */
export const BATCH_PART_BYTES = 100_000_000;

export interface SessionInvoice extends InvoiceStatus {
  invoiceFileName?: string | null;
  invoiceHash: string;
  upoDownloadUrl?: string | null;
}

export interface InvoiceStatus {
  referenceNumber: string;
  ksefNumber?: string | null;
  invoiceNumber?: string | null;
  status: StatusInfo;
}

/** A KSeF answer the client does not take: what was asked and what came back, in words. */
export class KsefError extends Error {
  /** KSeF's HTTP status, when the error is its answer. */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** KSeF could not be reached or answered "unavailable" (5xx, after the host's retries): an outage. */
export function isOutage(error: unknown): boolean {
  if (error instanceof KsefError) return (error.status ?? 0) >= 500;
  return (
    isPluginError(error) && error.code === PluginErrorCode.RETRYABLE && !/rate limited/.test(error.message)
  );
}

function describe(response: HttpResponse): string {
  try {
    const body = response.json<{
      exception?: { exceptionDetailList?: { exceptionDescription?: string; details?: string[] }[] };
      status?: StatusInfo;
      detail?: string;
    }>();
    const detail = body.exception?.exceptionDetailList?.[0];
    if (detail) return [detail.exceptionDescription, ...(detail.details ?? [])].filter(Boolean).join(' — ');
    if (body.status) return [body.status.description, ...(body.status.details ?? [])].join(' — ');
    if (body.detail) return body.detail;
  } catch {
    // not JSON: the text below
  }
  return response.body.slice(0, 300);
}

export class KsefClient {
  readonly #ctx: PluginContext;
  readonly #key: string;
  constructor(ctx: PluginContext) {
    this.#ctx = ctx;
    this.#key = ctx.integration.id;
  }

  async #certs() {
    const base = String(this.#ctx.config.KSEF_API_URL ?? '');
    let certs = CERTS.get(base);
    if (!certs) {
      const response = await this.#ctx.http.request({ path: 'security/public-key-certificates' });
      if (response.status !== 200)
        throw new RetryableError(`KSeF did not give its public keys: ${describe(response)}`);
      const list = response.json<{ certificate: string; usage: string[] }[]>();
      const find = (usage: string) => {
        const entry = list.find((c) => c.usage.includes(usage));
        if (!entry) throw new KsefError(`KSeF published no ${usage} key`);
        return new X509Certificate(Buffer.from(entry.certificate, 'base64'));
      };
      certs = { token: find('KsefTokenEncryption'), symmetric: find('SymmetricKeyEncryption') };
      CERTS.set(base, certs);
    }
    return certs;
  }

  /** Signs in with the vault-kept KSeF token in the context of `nip` (uwierzytelnianie.md). */
  async #authenticate(nip: string): Promise<Tokens> {
    const token = await this.#ctx.secrets.get('ksefToken');
    if (!token)
      throw new AuthError(
        'No KSeF token is set: paste the token made in the KSeF application into the connection settings.',
      );
    const certs = await this.#certs();
    const challenge = await this.#ctx.http.request({
      method: 'POST',
      path: 'auth/challenge',
      idempotent: false,
    });
    if (challenge.status !== 200)
      throw new RetryableError(`KSeF did not start signing in: ${describe(challenge)}`);
    const { challenge: code, timestampMs } = challenge.json<{ challenge: string; timestampMs: number }>();
    const encryptedToken = publicEncrypt(
      { key: certs.token.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      Buffer.from(`${token}|${timestampMs}`),
    ).toString('base64');
    const init = await this.#ctx.http.request({
      method: 'POST',
      path: 'auth/ksef-token',
      json: { challenge: code, contextIdentifier: { type: 'Nip', value: nip }, encryptedToken },
    });
    if (init.status !== 202)
      throw new KsefError(`KSeF refused to sign in with the KSeF token: ${describe(init)}`, init.status);
    const { referenceNumber, authenticationToken } = init.json<{
      referenceNumber: string;
      authenticationToken: { token: string };
    }>();
    const bearer = { authorization: `Bearer ${authenticationToken.token}` };
    for (let attempt = 0; ; attempt++) {
      const status = await this.#ctx.http.request({ path: `auth/${referenceNumber}`, headers: bearer });
      if (status.status !== 200)
        throw new KsefError(`KSeF did not tell how signing in went: ${describe(status)}`, status.status);
      const info = status.json<{ status: StatusInfo }>().status;
      if (info.code === 200) break;
      if (info.code !== 100) {
        TOKENS.delete(this.#key);
        throw new AuthError(
          `KSeF did not accept the KSeF token for NIP ${nip} (KSeF said: ${[info.description, ...(info.details ?? [])].join(': ')}), so no invoice was sent. Enter a valid KSeF token in the connection settings — one made in the KSeF application for NIP ${nip} with the right to send invoices; the invoices waiting are sent once it is accepted.`,
        );
      }
      if (attempt > 60)
        throw new RetryableError('KSeF is still checking the KSeF token after a minute; trying again later.');
      await sleep(Math.min(1000, 100 * (attempt + 1)), undefined, { signal: this.#ctx.signal });
    }
    const redeem = await this.#ctx.http.request({
      method: 'POST',
      path: 'auth/token/redeem',
      headers: bearer,
    });
    if (redeem.status !== 200)
      throw new KsefError(`KSeF did not hand out access tokens: ${describe(redeem)}`, redeem.status);
    const tokens = redeem.json<{
      accessToken: { token: string; validUntil: string };
      refreshToken: { token: string; validUntil: string };
    }>();
    const result: Tokens = {
      nip,
      access: tokens.accessToken.token,
      accessUntil: Date.parse(tokens.accessToken.validUntil),
      refresh: tokens.refreshToken.token,
      refreshUntil: Date.parse(tokens.refreshToken.validUntil),
    };
    TOKENS.set(this.#key, result);
    return result;
  }

  /** Signs in anew with the stored KSeF token (the connection test): throws AuthError when refused. */
  async signIn(nip: string): Promise<void> {
    await this.#authenticate(nip);
  }

  /**
   * Signs in ahead, while the caller does other work (the schema check of a batch). Never
   * rejects: answers the error that stopped it (an outage, a refused token), which any request
   * would meet first, or undefined once signed in.
   */
  async warmUp(nip: string): Promise<unknown> {
    try {
      await this.#tokens(nip);
      return undefined;
    } catch (error) {
      return error;
    }
  }

  /** A fresh access token: refreshed with the refresh token when expired, else a new sign-in. */
  async #tokens(nip: string, force = false): Promise<Tokens> {
    const current = TOKENS.get(this.#key);
    if (current && current.nip === nip && !force && current.accessUntil > Date.now() + 30_000) return current;
    if (current && current.nip === nip && current.refreshUntil > Date.now() + 30_000) {
      const response = await this.#call(() =>
        this.#ctx.http.request({
          method: 'POST',
          path: 'auth/token/refresh',
          headers: { authorization: `Bearer ${current.refresh}` },
        }),
      );
      if (response?.status === 200) {
        const { accessToken } = response.json<{ accessToken: { token: string; validUntil: string } }>();
        const next = {
          ...current,
          access: accessToken.token,
          accessUntil: Date.parse(accessToken.validUntil),
        };
        TOKENS.set(this.#key, next);
        return next;
      }
    }
    return this.#authenticate(nip);
  }

  /** ctx.http turns a 401 into an AuthError: here it means "token expired", answered undefined. */
  async #call(fn: () => Promise<HttpResponse>): Promise<HttpResponse | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (isPluginError(error) && error.code === PluginErrorCode.AUTH) return undefined;
      throw error;
    }
  }

  /** A request with the access token; one refresh (or new sign-in) when KSeF says it expired. */
  async authed(nip: string, request: Parameters<PluginContext['http']['request']>[0]): Promise<HttpResponse> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const tokens = await this.#tokens(nip, attempt > 0);
      const response = await this.#call(() =>
        this.#ctx.http.request({
          ...request,
          headers: { ...request.headers, authorization: `Bearer ${tokens.access}` },
        }),
      );
      if (response) return response;
    }
    throw new RetryableError('KSeF kept refusing fresh access tokens; trying again later.');
  }

  /** Opens an online session for FA(3); the AES key and IV stay with the caller (memory only). */
  async openSession(nip: string): Promise<{ referenceNumber: string; key: Buffer; iv: Buffer }> {
    const certs = await this.#certs();
    const key = randomBytes(32);
    const iv = randomBytes(16);
    const response = await this.authed(nip, {
      method: 'POST',
      path: 'sessions/online',
      rateGroup: 'session',
      json: {
        formCode: { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' },
        encryption: {
          encryptedSymmetricKey: publicEncrypt(
            { key: certs.symmetric.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
            key,
          ).toString('base64'),
          initializationVector: iv.toString('base64'),
        },
      },
    });
    if (response.status !== 201)
      throw new KsefError(`KSeF did not open a session: ${describe(response)}`, response.status);
    return { referenceNumber: response.json<{ referenceNumber: string }>().referenceNumber, key, iv };
  }

  /** Sends one invoice into the session; answers KSeF's element reference number. */
  async send(
    nip: string,
    session: { referenceNumber: string; key: Buffer; iv: Buffer },
    xml: string,
    options: { offline?: boolean } = {},
  ): Promise<string> {
    const plain = Buffer.from(xml, 'utf8');
    const cipher = createCipheriv('aes-256-cbc', session.key, session.iv);
    const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
    const response = await this.authed(nip, {
      method: 'POST',
      path: `sessions/online/${session.referenceNumber}/invoices`,
      rateGroup: 'invoice-send',
      json: {
        invoiceHash: sha256(plain),
        invoiceSize: plain.length,
        encryptedInvoiceHash: sha256(encrypted),
        encryptedInvoiceSize: encrypted.length,
        encryptedInvoiceContent: encrypted.toString('base64'),
        // Issued offline earlier (tryby-offline.md: "należy ustawić parametr offlineMode: true").
        ...(options.offline ? { offlineMode: true } : {}),
      },
    });
    if (response.status !== 202)
      throw new KsefError(`KSeF did not take the invoice: ${describe(response)}`, response.status);
    return response.json<{ referenceNumber: string }>().referenceNumber;
  }

  /**
   * A batch session (sesja-wsadowa.md): the ZIP split into parts of at most 100 MB (before
   * encryption), each AES-256-CBC with one fresh session key wrapped with RSA-OAEP SHA-256, the
   * session opened with the package's and parts' sizes and SHA-256, every part PUT to the URL
   * KSeF answered (its own headers, no access token), then closed. Answers the session reference.
   */
  async sendBatch(nip: string, zip: Buffer, options: { offline?: boolean } = {}): Promise<string> {
    const certs = await this.#certs();
    const key = randomBytes(32);
    const iv = randomBytes(16);
    const count = Math.max(1, Math.ceil(zip.length / BATCH_PART_BYTES));
    const size = Math.ceil(zip.length / count);
    const parts = Array.from({ length: count }, (_, i) => {
      const cipher = createCipheriv('aes-256-cbc', key, iv);
      const plain = zip.subarray(i * size, Math.min(zip.length, (i + 1) * size));
      return Buffer.concat([cipher.update(plain), cipher.final()]);
    });
    const open = await this.authed(nip, {
      method: 'POST',
      path: 'sessions/batch',
      rateGroup: 'batch-session',
      json: {
        formCode: { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' },
        batchFile: {
          fileSize: zip.length,
          fileHash: sha256(zip),
          fileParts: parts.map((p, i) => ({ ordinalNumber: i + 1, fileSize: p.length, fileHash: sha256(p) })),
        },
        encryption: {
          encryptedSymmetricKey: publicEncrypt(
            { key: certs.symmetric.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
            key,
          ).toString('base64'),
          initializationVector: iv.toString('base64'),
        },
        ...(options.offline ? { offlineMode: true } : {}),
      },
    });
    if (open.status !== 201)
      throw new KsefError(`KSeF did not open a batch session: ${describe(open)}`, open.status);
    const { referenceNumber, partUploadRequests } = open.json<{
      referenceNumber: string;
      partUploadRequests: {
        ordinalNumber: number;
        method: string;
        url: string;
        headers: Record<string, string | null>;
      }[];
    }>();
    // Parts are outside the API limits; the guide recommends sending them in parallel.
    await Promise.all(
      partUploadRequests.map(async (upload) => {
        const headers = Object.fromEntries(
          Object.entries(upload.headers ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
        );
        const response = await this.#ctx.http.request({
          method: upload.method as 'PUT',
          path: upload.url,
          rateGroup: 'storage',
          headers: { 'content-type': 'application/octet-stream', ...headers },
          body: parts[upload.ordinalNumber - 1]!,
          idempotent: true,
          timeoutMs: 600_000,
        });
        if (response.status !== 201)
          throw new KsefError(
            `KSeF did not take part ${upload.ordinalNumber} of batch ${referenceNumber} (HTTP ${response.status}): ${response.body.slice(0, 200)}`,
            response.status,
          );
      }),
    );
    const close = await this.authed(nip, {
      method: 'POST',
      path: `sessions/batch/${referenceNumber}/close`,
      rateGroup: 'batch-session',
    });
    if (close.status !== 204)
      throw new KsefError(
        `KSeF did not close batch session ${referenceNumber}: ${describe(close)}`,
        close.status,
      );
    return referenceNumber;
  }

  /** GET /sessions/{ref}: the session's status (SessionStatusResponse). */
  async sessionStatus(nip: string, sessionRef: string): Promise<StatusInfo> {
    const response = await this.authed(nip, { path: `sessions/${sessionRef}`, rateGroup: 'session-status' });
    if (response.status !== 200)
      throw new KsefError(
        `KSeF did not tell the status of session ${sessionRef}: ${describe(response)}`,
        response.status,
      );
    return response.json<{ status: StatusInfo }>().status;
  }

  /** Every invoice of a session with its status, 1 000 a page (GET /sessions/{ref}/invoices). */
  async sessionInvoices(nip: string, sessionRef: string): Promise<SessionInvoice[]> {
    const out: SessionInvoice[] = [];
    let continuation: string | null | undefined;
    do {
      const response = await this.authed(nip, {
        path: `sessions/${sessionRef}/invoices`,
        query: { pageSize: 1000 },
        rateGroup: 'session-invoices',
        ...(continuation ? { headers: { 'x-continuation-token': continuation } } : {}),
      });
      if (response.status !== 200)
        throw new KsefError(
          `KSeF did not list the invoices of session ${sessionRef}: ${describe(response)}`,
          response.status,
        );
      const page = response.json<{ continuationToken?: string | null; invoices: SessionInvoice[] }>();
      out.push(...page.invoices);
      continuation = page.continuationToken;
    } while (continuation);
    return out;
  }

  /** A UPO from its `upoDownloadUrl`: plain GET, no access token, outside the API limits. */
  async download(url: string): Promise<string> {
    const response = await this.#ctx.http.request({ path: url, rateGroup: 'storage' });
    if (response.status !== 200)
      throw new KsefError(
        `KSeF's UPO link answered HTTP ${response.status}; it is fetched again on the next run.`,
      );
    return response.body;
  }

  async close(nip: string, sessionRef: string): Promise<void> {
    const response = await this.authed(nip, {
      method: 'POST',
      path: `sessions/online/${sessionRef}/close`,
      rateGroup: 'session',
    });
    if (response.status !== 204)
      throw new KsefError(`KSeF did not close session ${sessionRef}: ${describe(response)}`, response.status);
  }

  async invoiceStatus(nip: string, sessionRef: string, invoiceRef: string): Promise<InvoiceStatus> {
    const response = await this.authed(nip, {
      path: `sessions/${sessionRef}/invoices/${invoiceRef}`,
      rateGroup: 'status',
    });
    if (response.status !== 200)
      throw new KsefError(`KSeF did not tell the invoice's status: ${describe(response)}`, response.status);
    return response.json<InvoiceStatus>();
  }

  async upo(nip: string, sessionRef: string, ksefNumber: string): Promise<string> {
    const response = await this.authed(nip, {
      path: `sessions/${sessionRef}/invoices/ksef/${ksefNumber}/upo`,
      rateGroup: 'upo',
    });
    if (response.status !== 200)
      throw new KsefError(
        `KSeF did not give the UPO of ${ksefNumber}: ${describe(response)}`,
        response.status,
      );
    return response.body;
  }
}

/** QR code I (kody-qr.md "Kod I"): the verification link of an invoice file. */
export function qrCodeI(options: { qrBaseUrl: string; nip: string; issueDate: string; xml: string }): string {
  const [y, m, d] = options.issueDate.split('-');
  const digest = createHash('sha256').update(Buffer.from(options.xml, 'utf8')).digest('base64url');
  return `${options.qrBaseUrl.replace(/\/$/, '')}/invoice/${options.nip}/${d}-${m}-${y}/${digest}`;
}
