import {
  constants,
  createCipheriv,
  createHash,
  publicEncrypt,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { startSandbox } from '../sandbox/index.ts';
import { isValidKsefNumber, ksefNumber } from '../sandbox/ksef-number.ts';
import { loadKsefValidator } from '../sandbox/testing/openapi.ts';
import { buildFa3 } from '../src/fa3.ts';
import { sampleClearanceDocument } from '../src/sample-documents.ts';
import { UPO_XSD, validateXml } from '../src/xsd.ts';
import { writeZip } from '../src/zip.ts';
import { setFaults, until } from './support.ts';

/**
 * The KSeF sandbox as a client sees it: every JSON answer the plugin reads is checked against
 * open-api.json; the token, the session key and the invoices are encrypted as the guide says.
 */
const NIP = '5265877635';
let sb: RunningSandbox;
const validator = loadKsefValidator();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('base64');

async function call(
  method: string,
  specPath: string,
  url: string,
  init: { token?: string; json?: unknown } = {},
) {
  const response = await fetch(`${sb.url}/v2${url}`, {
    method,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  const body =
    text && response.headers.get('content-type')?.includes('json')
      ? (JSON.parse(text) as Record<string, unknown>)
      : text;
  if (response.headers.get('content-type')?.includes('application/json') && typeof body === 'object')
    expect(
      validator.validate(method, specPath, response.status, body),
      `${method} ${url} → ${response.status}`,
    ).toBeNull();
  return { status: response.status, body: body as Record<string, any>, headers: response.headers }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function signIn(token: string, nip = NIP) {
  const certs = (await call('GET', '/security/public-key-certificates', '/security/public-key-certificates'))
    .body as unknown as {
    certificate: string;
    usage: string[];
  }[];
  const cert = (usage: string) =>
    new X509Certificate(Buffer.from(certs.find((c) => c.usage.includes(usage))!.certificate, 'base64'));
  const challenge = await call('POST', '/auth/challenge', '/auth/challenge');
  expect(challenge.status).toBe(200);
  const encryptedToken = publicEncrypt(
    {
      key: cert('KsefTokenEncryption').publicKey,
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
    },
    Buffer.from(`${token}|${challenge.body.timestampMs}`),
  ).toString('base64');
  const init = await call('POST', '/auth/ksef-token', '/auth/ksef-token', {
    json: {
      challenge: challenge.body.challenge,
      contextIdentifier: { type: 'Nip', value: nip },
      encryptedToken,
    },
  });
  expect(init.status).toBe(202);
  const authToken = init.body.authenticationToken.token as string;
  const status = await call('GET', '/auth/{referenceNumber}', `/auth/${init.body.referenceNumber}`, {
    token: authToken,
  });
  return { status, authToken, symmetric: cert('SymmetricKeyEncryption') };
}

beforeAll(async () => {
  sb = await startSandbox({ seed: 'openapi' });
});
afterAll(() => sb?.close());

describe('KSeF sandbox against open-api.json', () => {
  it('numbers documents in the official format with the CRC-8 of the guide', () => {
    // faktury/numer-ksef.md example.
    expect(isValidKsefNumber('5265877635-20250826-0100001AF629-AF')).toBe(true);
    expect(isValidKsefNumber('5265877635-20250826-0100001AF629-AE')).toBe(false);
    const made = ksefNumber(NIP, new Date('2026-12-03T10:00:00Z'), 7);
    expect(made).toMatch(/^5265877635-20261203-[0-9A-F]{12}-[0-9A-F]{2}$/);
    expect(isValidKsefNumber(made)).toBe(true);
  });

  it('signs in with a KSeF token, opens a session, clears an invoice, refuses its duplicate with 440, serves an XSD-valid UPO', async () => {
    const { status, authToken, symmetric } = await signIn(sb.credentials.ksefToken!);
    expect(status.body.status.code).toBe(200);
    const redeem = await call('POST', '/auth/token/redeem', '/auth/token/redeem', { token: authToken });
    expect(redeem.status).toBe(200);
    expect(
      (await call('POST', '/auth/token/redeem', '/auth/token/redeem', { token: authToken })).status,
    ).toBe(400);
    const refreshed = await call('POST', '/auth/token/refresh', '/auth/token/refresh', {
      token: redeem.body.refreshToken.token,
    });
    expect(refreshed.status).toBe(200);
    const access = refreshed.body.accessToken.token as string;

    const key = randomBytes(32);
    const iv = randomBytes(16);
    const open = await call('POST', '/sessions/online', '/sessions/online', {
      token: access,
      json: {
        formCode: { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' },
        encryption: {
          encryptedSymmetricKey: publicEncrypt(
            { key: symmetric.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
            key,
          ).toString('base64'),
          initializationVector: iv.toString('base64'),
        },
      },
    });
    expect(open.status).toBe(201);
    const session = open.body.referenceNumber as string;
    const send = async (xml: string) => {
      const plain = Buffer.from(xml);
      const c = createCipheriv('aes-256-cbc', key, iv);
      const enc = Buffer.concat([c.update(plain), c.final()]);
      const r = await call(
        'POST',
        '/sessions/online/{referenceNumber}/invoices',
        `/sessions/online/${session}/invoices`,
        {
          token: access,
          json: {
            invoiceHash: sha(plain),
            invoiceSize: plain.length,
            encryptedInvoiceHash: sha(enc),
            encryptedInvoiceSize: enc.length,
            encryptedInvoiceContent: enc.toString('base64'),
          },
        },
      );
      expect(r.status).toBe(202);
      return r.body.referenceNumber as string;
    };
    const xml = buildFa3(sampleClearanceDocument('a'));
    const first = await send(xml);
    const again = await send(xml);
    const bad = await send(
      xml
        .replace('<P_2>FV/2026/12/7</P_2>', '<P_2>FV/2026/12/99</P_2>')
        .replace('<P_12>23</P_12>', '<P_12>19</P_12>'),
    );
    const statusOf = (ref: string) =>
      call(
        'GET',
        '/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}',
        `/sessions/${session}/invoices/${ref}`,
        { token: access },
      );
    const done = await until(
      'first invoice processed',
      async () => {
        const s = await statusOf(first);
        return s.body.status.code !== 150 && s;
      },
      30_000,
    );
    expect(done.body.status.code).toBe(200);
    expect(isValidKsefNumber(done.body.ksefNumber)).toBe(true);
    const duplicate = await until(
      'duplicate processed',
      async () => {
        const s = await statusOf(again);
        return s.body.status.code !== 150 && s;
      },
      30_000,
    );
    expect(duplicate.body.status.code).toBe(440);
    expect(duplicate.body.status.extensions.originalKsefNumber).toBe(done.body.ksefNumber);
    const refused = await until(
      'invalid processed',
      async () => {
        const s = await statusOf(bad);
        return s.body.status.code !== 150 && s;
      },
      30_000,
    );
    expect(refused.body.status.code).toBe(450);
    expect(refused.body.status.details.join(' ')).toContain('P_12');

    const upo = await call(
      'GET',
      '/sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo',
      `/sessions/${session}/invoices/ksef/${done.body.ksefNumber}/upo`,
      { token: access },
    );
    expect(upo.status).toBe(200);
    expect(await validateXml(upo.body as unknown as string, UPO_XSD)).toEqual([]);
    expect(
      (
        await call('POST', '/sessions/online/{referenceNumber}/close', `/sessions/online/${session}/close`, {
          token: access,
        })
      ).status,
    ).toBe(204);
    const closed = await call('GET', '/sessions/{referenceNumber}', `/sessions/${session}`, {
      token: access,
    });
    expect(closed.body.status.code).toBe(200);
    expect(closed.body.successfulInvoiceCount).toBe(1);
    expect(closed.body.failedInvoiceCount).toBe(2);
    const sessionUpo = await fetch(closed.body.upo.pages[0].downloadUrl, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(await validateXml(await sessionUpo.text(), UPO_XSD)).toEqual([]);
  }, 60_000);

  it('refuses a wrong token (450), answers 401 for expired tokens, 429 with Retry-After over the limits, 503 in an outage', async () => {
    const wrong = await signIn('not-a-token');
    expect(wrong.status.body.status.code).toBe(450);
    expect(wrong.status.body.status.details).toEqual(['Nieprawidłowy token']);
    const { authToken } = await signIn(sb.credentials.ksefToken!);
    const { body } = await call('POST', '/auth/token/redeem', '/auth/token/redeem', { token: authToken });
    await setFaults(sb, { expireTokens: true });
    const expired = await fetch(`${sb.url}/v2/sessions/x`, {
      headers: { authorization: `Bearer ${body.accessToken.token}` },
    });
    expect(expired.status).toBe(401);
    await setFaults(sb, { expireTokens: false, errorRate: 1 });
    expect((await fetch(`${sb.url}/v2/auth/challenge`, { method: 'POST' })).status).toBe(503);
    await setFaults(sb, { errorRate: 0 });
    let limited: Response | undefined;
    // TE allows 10 × 10 session-status reads a second (limity-api.md "Pozostałe GET /sessions/*").
    for (let i = 0; i < 400 && !limited; i++) {
      const r = await fetch(`${sb.url}/v2/sessions/none`, {
        headers: { authorization: `Bearer ${body.accessToken.token}` },
      });
      if (r.status === 429) limited = r;
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    const tooMany: unknown = await limited!.json();
    expect(validator.validate('GET', '/sessions/{referenceNumber}', 429, tooMany)).toBeNull();
  }, 60_000);

  it('batch session: a ZIP in encrypted parts is uploaded, closed, processed file by file (numbers, 440, 450) with UPO links; published limits refused with their codes', async () => {
    // The previous test spent the session-read limit on purpose: the counters start again.
    expect((await fetch(`${sb.controlUrl}/reset`, { method: 'POST' })).status).toBe(204);
    const { authToken, symmetric } = await signIn(sb.credentials.ksefToken!);
    const redeem = await call('POST', '/auth/token/redeem', '/auth/token/redeem', { token: authToken });
    const access = redeem.body.accessToken.token as string;
    const key = randomBytes(32);
    const iv = randomBytes(16);
    const encryption = {
      encryptedSymmetricKey: publicEncrypt(
        { key: symmetric.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        key,
      ).toString('base64'),
      initializationVector: iv.toString('base64'),
    };
    const formCode = { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' };
    const base = buildFa3(sampleClearanceDocument('a'));
    const files = [1, 2, 3].map((n) => ({
      name: `inv-${n}.xml`,
      content: Buffer.from(base.replace('<P_2>FV/2026/12/7</P_2>', `<P_2>FV/B/${n}</P_2>`)),
    }));
    files.push({ name: 'dup.xml', content: files[0]!.content });
    files.push({
      name: 'bad.xml',
      content: Buffer.from(
        base
          .replace('<P_2>FV/2026/12/7</P_2>', '<P_2>FV/B/9</P_2>')
          .replace('<P_12>23</P_12>', '<P_12>19</P_12>'),
      ),
    });
    const zip = writeZip(files);
    // Two parts, each encrypted on its own with the session key (sesja-wsadowa.md steps 2–3).
    const half = Math.ceil(zip.length / 2);
    const parts = [zip.subarray(0, half), zip.subarray(half)].map((p) => {
      const c = createCipheriv('aes-256-cbc', key, iv);
      return Buffer.concat([c.update(p), c.final()]);
    });
    const open = await call('POST', '/sessions/batch', '/sessions/batch', {
      token: access,
      json: {
        formCode,
        batchFile: {
          fileSize: zip.length,
          fileHash: sha(zip),
          fileParts: parts.map((p, i) => ({ ordinalNumber: i + 1, fileSize: p.length, fileHash: sha(p) })),
        },
        encryption,
      },
    });
    expect(open.status).toBe(201);
    const session = open.body.referenceNumber as string;
    expect(open.body.partUploadRequests).toHaveLength(2);
    // Closing before every part is there: 21205.
    const early = await call(
      'POST',
      '/sessions/batch/{referenceNumber}/close',
      `/sessions/batch/${session}/close`,
      {
        token: access,
      },
    );
    expect(early.status).toBe(400);
    expect(early.body.exception.exceptionDetailList[0].exceptionCode).toBe(21205);
    for (const upload of open.body.partUploadRequests as {
      ordinalNumber: number;
      method: string;
      url: string;
      headers: Record<string, string>;
    }[]) {
      const forged = await fetch(upload.url.replace(/sig=[^&]+/, 'sig=x'), {
        method: upload.method,
        body: parts[0],
      });
      expect(forged.status).toBe(401);
      const put = await fetch(upload.url, {
        method: upload.method,
        headers: { ...upload.headers, 'content-type': 'application/octet-stream' },
        body: parts[upload.ordinalNumber - 1],
      });
      expect(put.status).toBe(201);
    }
    const statusOf = () =>
      call('GET', '/sessions/{referenceNumber}', `/sessions/${session}`, { token: access });
    expect((await statusOf()).body.status.code).toBe(100);
    expect(
      (
        await call('POST', '/sessions/batch/{referenceNumber}/close', `/sessions/batch/${session}/close`, {
          token: access,
        })
      ).status,
    ).toBe(204);
    const again = await call(
      'POST',
      '/sessions/batch/{referenceNumber}/close',
      `/sessions/batch/${session}/close`,
      {
        token: access,
      },
    );
    expect(again.body.exception.exceptionDetailList[0].exceptionCode).toBe(21180);
    const done = await until(
      'batch processed',
      async () => {
        const s = await statusOf();
        return s.body.status.code !== 150 && s;
      },
      30_000,
    );
    expect(done.body.status.code).toBe(200);
    expect(done.body.successfulInvoiceCount).toBe(3);
    expect(done.body.failedInvoiceCount).toBe(2);
    const list = await call(
      'GET',
      '/sessions/{referenceNumber}/invoices',
      `/sessions/${session}/invoices?pageSize=10`,
      {
        token: access,
      },
    );
    expect(list.status).toBe(200);
    const byFile = new Map((list.body.invoices as any[]).map((i) => [i.invoiceFileName, i])); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const n of [1, 2, 3]) {
      const invoice = byFile.get(`inv-${n}.xml`);
      expect(invoice.status.code).toBe(200);
      expect(isValidKsefNumber(invoice.ksefNumber)).toBe(true);
      expect(invoice.invoiceHash).toBe(sha(files[n - 1]!.content));
      const upo = await fetch(invoice.upoDownloadUrl);
      expect(upo.status).toBe(200);
      const text = await upo.text();
      expect(upo.headers.get('x-ms-meta-hash')).toBe(sha(Buffer.from(text)));
      expect(await validateXml(text, UPO_XSD)).toEqual([]);
    }
    expect(byFile.get('dup.xml').status.code).toBe(440);
    expect(byFile.get('dup.xml').status.extensions.originalKsefNumber).toBe(
      byFile.get('inv-1.xml').ksefNumber,
    );
    expect(byFile.get('bad.xml').status.code).toBe(450);
    const one = await call(
      'GET',
      '/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}',
      `/sessions/${session}/invoices/${byFile.get('inv-2.xml').referenceNumber}`,
      { token: access },
    );
    expect(one.body.ksefNumber).toBe(byFile.get('inv-2.xml').ksefNumber);
    const sessionUpo = await fetch(done.body.upo.pages[0].downloadUrl, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(await validateXml(await sessionUpo.text(), UPO_XSD)).toEqual([]);

    // Published limits (open-api.json BatchFileInfo, POST /sessions/batch 400): > 50 parts → 21161,
    // a part over 100 MB → 21157; a part tampered with → session status 405; bad key → 415.
    const declare = (fileParts: unknown[], enc = encryption) =>
      call('POST', '/sessions/batch', '/sessions/batch', {
        token: access,
        json: {
          formCode,
          batchFile: { fileSize: zip.length, fileHash: sha(zip), fileParts },
          encryption: enc,
        },
      });
    const many = await declare(
      Array.from({ length: 51 }, (_, i) => ({
        ordinalNumber: i + 1,
        fileSize: 16,
        fileHash: sha(parts[0]!),
      })),
    );
    expect(many.status).toBe(400);
    expect(many.body.exception.exceptionDetailList[0].exceptionCode).toBe(21161);
    const big = await declare([{ ordinalNumber: 1, fileSize: 100_000_017, fileHash: sha(parts[0]!) }]);
    expect(big.body.exception.exceptionDetailList[0].exceptionCode).toBe(21157);
    const whole = (() => {
      const c = createCipheriv('aes-256-cbc', key, iv);
      return Buffer.concat([c.update(zip), c.final()]);
    })();
    const tampered = Buffer.from(whole);
    tampered[5] = tampered[5]! ^ 0xff;
    const failing = async (part: Buffer, declaredHash: string, enc = encryption) => {
      const o = await declare([{ ordinalNumber: 1, fileSize: part.length, fileHash: declaredHash }], enc);
      expect(o.status).toBe(201);
      const u = o.body.partUploadRequests[0];
      await fetch(u.url, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: part,
      });
      const ref = o.body.referenceNumber as string;
      await call('POST', '/sessions/batch/{referenceNumber}/close', `/sessions/batch/${ref}/close`, {
        token: access,
      });
      const status = await call('GET', '/sessions/{referenceNumber}', `/sessions/${ref}`, { token: access });
      return (status.body.status as { code: number }).code;
    };
    expect(await failing(tampered, sha(whole))).toBe(405);
    expect(
      await failing(whole, sha(whole), {
        ...encryption,
        encryptedSymmetricKey: randomBytes(256).toString('base64'),
      }),
    ).toBe(415);

    // Fault switches apply to batch too: an outage answers 503 to the opening and the upload.
    await setFaults(sb, { errorRate: 1 });
    expect((await fetch(`${sb.url}/v2/sessions/batch`, { method: 'POST' })).status).toBe(503);
    await setFaults(sb, { errorRate: 0 });
  }, 60_000);
});
