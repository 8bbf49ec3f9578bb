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

export interface InvoiceStatus {
  referenceNumber: string;
  ksefNumber?: string | null;
  invoiceNumber?: string | null;
  status: StatusInfo;
}

/** A KSeF answer the client does not take: what was asked and what came back, in words. */
export class KsefError extends Error {}

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
      if (response.status !== 200) throw new RetryableError(`KSeF did not give its public keys: ${describe(response)}`);
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
    if (!token) throw new AuthError('No KSeF token is set: paste the token made in the KSeF application into the connection settings.');
    const certs = await this.#certs();
    const challenge = await this.#ctx.http.request({ method: 'POST', path: 'auth/challenge', idempotent: false });
    if (challenge.status !== 200) throw new RetryableError(`KSeF did not start signing in: ${describe(challenge)}`);
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
    if (init.status !== 202) throw new KsefError(`KSeF refused to sign in with the KSeF token: ${describe(init)}`);
    const { referenceNumber, authenticationToken } = init.json<{
      referenceNumber: string;
      authenticationToken: { token: string };
    }>();
    const bearer = { authorization: `Bearer ${authenticationToken.token}` };
    for (let attempt = 0; ; attempt++) {
      const status = await this.#ctx.http.request({ path: `auth/${referenceNumber}`, headers: bearer });
      if (status.status !== 200) throw new KsefError(`KSeF did not tell how signing in went: ${describe(status)}`);
      const info = status.json<{ status: StatusInfo }>().status;
      if (info.code === 200) break;
      if (info.code !== 100)
        throw new AuthError(
          `KSeF refused the KSeF token for NIP ${nip} (${[info.description, ...(info.details ?? [])].join(': ')}). Make a new token in the KSeF application with the right to send invoices and paste it into the connection settings.`,
        );
      if (attempt > 60) throw new RetryableError('KSeF is still checking the KSeF token after a minute; trying again later.');
      await sleep(Math.min(1000, 100 * (attempt + 1)), undefined, { signal: this.#ctx.signal });
    }
    const redeem = await this.#ctx.http.request({ method: 'POST', path: 'auth/token/redeem', headers: bearer });
    if (redeem.status !== 200) throw new KsefError(`KSeF did not hand out access tokens: ${describe(redeem)}`);
    const tokens = redeem.json<{ accessToken: { token: string; validUntil: string }; refreshToken: { token: string; validUntil: string } }>();
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
        const next = { ...current, access: accessToken.token, accessUntil: Date.parse(accessToken.validUntil) };
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
        this.#ctx.http.request({ ...request, headers: { ...request.headers, authorization: `Bearer ${tokens.access}` } }),
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
    if (response.status !== 201) throw new KsefError(`KSeF did not open a session: ${describe(response)}`);
    return { referenceNumber: response.json<{ referenceNumber: string }>().referenceNumber, key, iv };
  }

  /** Sends one invoice into the session; answers KSeF's element reference number. */
  async send(nip: string, session: { referenceNumber: string; key: Buffer; iv: Buffer }, xml: string): Promise<string> {
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
      },
    });
    if (response.status !== 202) throw new KsefError(`KSeF did not take the invoice: ${describe(response)}`);
    return response.json<{ referenceNumber: string }>().referenceNumber;
  }

  async close(nip: string, sessionRef: string): Promise<void> {
    const response = await this.authed(nip, { method: 'POST', path: `sessions/online/${sessionRef}/close`, rateGroup: 'session' });
    if (response.status !== 204) throw new KsefError(`KSeF did not close session ${sessionRef}: ${describe(response)}`);
  }

  async invoiceStatus(nip: string, sessionRef: string, invoiceRef: string): Promise<InvoiceStatus> {
    const response = await this.authed(nip, { path: `sessions/${sessionRef}/invoices/${invoiceRef}`, rateGroup: 'status' });
    if (response.status !== 200) throw new KsefError(`KSeF did not tell the invoice's status: ${describe(response)}`);
    return response.json<InvoiceStatus>();
  }

  async upo(nip: string, sessionRef: string, ksefNumber: string): Promise<string> {
    const response = await this.authed(nip, { path: `sessions/${sessionRef}/invoices/ksef/${ksefNumber}/upo`, rateGroup: 'upo' });
    if (response.status !== 200) throw new KsefError(`KSeF did not give the UPO of ${ksefNumber}: ${describe(response)}`);
    return response.body;
  }
}

/** QR code I (kody-qr.md "Kod I"): the verification link of an invoice file. */
export function qrCodeI(options: { qrBaseUrl: string; nip: string; issueDate: string; xml: string }): string {
  const [y, m, d] = options.issueDate.split('-');
  const digest = createHash('sha256').update(Buffer.from(options.xml, 'utf8')).digest('base64url');
  return `${options.qrBaseUrl.replace(/\/$/, '')}/invoice/${options.nip}/${d}-${m}-${y}/${digest}`;
}
