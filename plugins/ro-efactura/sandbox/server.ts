import { createHash, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
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
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { validateBatch } from '../src/validate.ts';
import { writeZip } from '../src/zip.ts';

/**
 * ANAF's SPV e-Factura API and its OAuth 2.0 pages, as reference/README.md "E-invoicing" (RO)
 * describes them; response shapes as ANAF's public API notes show them (quoted per route). Uploads
 * are validated with the same official artefacts as the plugin (src/validate.ts: UBL 2.1 XSD and
 * the CIUS-RO 1.0.9 Schematron), asynchronously, as ANAF does ("in prelucrare" until processed).
 */

export const SANDBOX_CLIENT = {
  clientId: 'efactura-sandbox-client',
  clientSecret: 'efactura-sandbox-secret',
};
/** The CIFs the sandbox's signed-in representative holds SPV rights for. */
export const SANDBOX_CIFS = ['14399840', '18547290'];
/** ANAF access tokens last 90 days, refresh tokens 365 (ANAF OAuth procedure, "Oauth_procedura_inregistrare_aplicatii_portal_ANAF.pdf"). */
const ACCESS_TTL_S = 90 * 86_400;

export const faultsSchema = baseFaultsSchema.extend({
  /** Every API and OAuth route answers 503 (ANAF's API gateway during maintenance / outages). */
  outage: z.boolean().default(false),
  /** Extra time an upload stays "in prelucrare" before it is processed (slow processing). */
  processingDelayMs: z.number().int().min(0).max(3_600_000).default(0),
  /** Every bearer token is treated as expired (401), refresh still works. */
  expireTokens: z.boolean().default(false),
  /** Every processed upload is refused (`nok`) with this message, whatever its validity. */
  rejectAll: z.string().nullable().default(null),
  /** `descarcare` fails: `error` answers 500, `corrupt` sends a damaged zip. */
  downloadFailure: z.enum(['none', 'error', 'corrupt']).default('none'),
});

interface Upload {
  index: string;
  cif: string;
  standard: string;
  xml: string;
  at: number;
  state: 'in prelucrare' | 'ok' | 'nok';
  errors: string[];
  downloadId: string | null;
  readyAt: number;
}

export interface SpvOptions {
  seed: string;
  redirectUri: string;
  faults?: Record<string, unknown>;
  /** Base processing time of an upload (ANAF: seconds to minutes). */
  processingMs?: number;
  /** Where the sandbox keeps its tokens and uploads across restarts (`SandboxOptions.stateDir`). */
  stateDir?: string;
}

/**
 * Kept across restarts: the tokens the representative's consent gave (ANAF's last 90 days, so a
 * client restart never needs a new consent) and every upload with its index and answer.
 */
interface SavedState {
  tokens: [string, { cifs: string[]; expires: number }][];
  refreshTokens: [string, { cifs: string[] }][];
  uploads: [string, Upload][];
  nextIndex: number;
  nextDownload: number;
}
const STATE_VERSION = 1;

const nowStamp = () => stamp(Date.now());
const escAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\n/g, '&#xA;');
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

export function buildServer(options: SpvOptions) {
  const app = Fastify({ logger: false, bodyLimit: 12 * 1024 * 1024 });
  void app.register(formbody);
  app.addContentTypeParser(
    ['application/xml', 'text/xml', 'text/plain'],
    { parseAs: 'string' },
    (_r, body, done) => done(null, body),
  );
  const ledger = createLedger();
  const faults = createFaultState({ schema: faultsSchema, initial: options.faults, seed: options.seed });
  registerRequestCounter(app, { ledger });
  registerFaultHook(app, {
    faults,
    errorBody: (status) => ({
      timestamp: new Date().toISOString(),
      status,
      error: 'Service Unavailable',
      message: '',
    }),
  });
  registerControlRoutes(app, {
    ledger,
    faults,
    state: () => ({
      uploads: uploads.size,
      pending: [...uploads.values()].filter((u) => u.state === 'in prelucrare').length,
    }),
    onReset: () => {
      uploads.clear();
      codes.clear();
      tokens.clear();
      refreshTokens.clear();
    },
  });

  // The Ministry's signing key (a fresh RSA key per sandbox; ANAF signs with its own certificate).
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  const codes = new Map<string, { redirectUri: string; cifs: string[]; expires: number }>();
  const tokens = new Map<string, { cifs: string[]; expires: number }>();
  const refreshTokens = new Map<string, { cifs: string[] }>();
  const uploads = new Map<string, Upload>();
  let nextIndex =
    5_000_000_000 + Number.parseInt(createHash('sha256').update(options.seed).digest('hex').slice(0, 6), 16);
  let nextDownload = 3_000_000_000 + (nextIndex % 1_000_000);
  const saved = loadSandboxState<SavedState>({ dir: options.stateDir, version: STATE_VERSION });
  if (saved) {
    for (const [token, grant] of saved.tokens) tokens.set(token, grant);
    for (const [token, grant] of saved.refreshTokens) refreshTokens.set(token, grant);
    for (const [index, upload] of saved.uploads) uploads.set(index, upload);
    nextIndex = saved.nextIndex;
    nextDownload = saved.nextDownload;
  }
  const kept = keepSandboxState({
    dir: options.stateDir,
    version: STATE_VERSION,
    snapshot: (): SavedState => ({
      tokens: [...tokens],
      refreshTokens: [...refreshTokens],
      uploads: [...uploads],
      nextIndex,
      nextDownload,
    }),
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/__sandbox')) return;
    if (faults.get().outage)
      // ANAF's gateway answers 503 with an HTML page during outages; the plugin treats it as retryable.
      return reply
        .code(503)
        .type('text/html')
        .send('<html><body><h1>503 Service Unavailable</h1></body></html>');
  });

  // ---- OAuth 2.0 (logincert.anaf.ro/anaf-oauth2/v1; reference README "E-invoicing") ----
  app.get('/anaf-oauth2/v1/authorize', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (q.client_id !== SANDBOX_CLIENT.clientId || q.response_type !== 'code')
      return reply
        .code(400)
        .type('text/html')
        .send('<p>Aplicatie necunoscuta (client_id) sau response_type diferit de code.</p>');
    if (q.redirect_uri !== options.redirectUri)
      return reply
        .code(400)
        .type('text/html')
        .send('<p>redirect_uri nu corespunde aplicatiei inregistrate.</p>');
    const hidden = (name: string, value: string | undefined) =>
      value === undefined ? '' : `<input type="hidden" name="${name}" value="${escAttr(value)}">`;
    // ANAF asks for the representative's qualified certificate (TLS client auth); the sandbox
    // shows the certificate choice as a button.
    return reply
      .type('text/html')
      .send(
        `<!doctype html><html lang="ro"><head><meta charset="utf-8"><title>ANAF - Autentificare cu certificat</title></head><body>` +
          `<h1>Autentificare cu certificat digital calificat</h1><form method="post" action="/anaf-oauth2/v1/authorize">` +
          hidden('client_id', q.client_id) +
          hidden('redirect_uri', q.redirect_uri) +
          hidden('state', q.state) +
          `<p>Certificat: Ion Popescu (reprezentant CIF ${SANDBOX_CIFS.join(', ')})</p>` +
          `<button type="submit" name="decision" value="allow">Autorizare</button> ` +
          `<button type="submit" name="decision" value="deny">Renunta</button></form></body></html>`,
      );
  });
  app.post('/anaf-oauth2/v1/authorize', async (request, reply) => {
    const b = (request.body ?? {}) as Record<string, string | undefined>;
    if (b.client_id !== SANDBOX_CLIENT.clientId || b.redirect_uri !== options.redirectUri)
      return reply.code(400).type('text/html').send('<p>Cerere invalida.</p>');
    const target = new URL(b.redirect_uri);
    if (b.state) target.searchParams.set('state', b.state);
    if (b.decision !== 'allow') {
      target.searchParams.set('error', 'access_denied');
      return reply.redirect(target.toString(), 302);
    }
    const code = randomBytes(16).toString('hex');
    codes.set(code, { redirectUri: b.redirect_uri, cifs: SANDBOX_CIFS, expires: Date.now() + 60_000 });
    target.searchParams.set('code', code);
    return reply.redirect(target.toString(), 302);
  });
  app.post('/anaf-oauth2/v1/token', async (request, reply) => {
    const b = (request.body ?? {}) as Record<string, string | undefined>;
    let clientId = b.client_id;
    let clientSecret = b.client_secret;
    const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
    if (basic) {
      // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
      const decoded = Buffer.from(basic[1]!, 'base64').toString();
      const colon = decoded.indexOf(':');
      const formDecode = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
      clientId = formDecode(decoded.slice(0, colon));
      clientSecret = formDecode(decoded.slice(colon + 1));
    }
    if (clientId !== SANDBOX_CLIENT.clientId || clientSecret !== SANDBOX_CLIENT.clientSecret)
      return reply.code(401).send({ error: 'invalid_client', error_description: 'Bad client credentials' });
    let cifs: string[];
    if (b.grant_type === 'authorization_code') {
      const c = b.code ? codes.get(b.code) : undefined;
      if (b.code) codes.delete(b.code);
      if (!c || c.expires < Date.now() || c.redirectUri !== b.redirect_uri)
        return reply
          .code(400)
          .send({ error: 'invalid_grant', error_description: 'Invalid authorization code' });
      cifs = c.cifs;
    } else if (b.grant_type === 'refresh_token') {
      const r = b.refresh_token ? refreshTokens.get(b.refresh_token) : undefined;
      if (!r)
        return reply.code(400).send({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
      cifs = r.cifs;
    } else return reply.code(400).send({ error: 'unsupported_grant_type' });
    const access = randomBytes(24).toString('base64url');
    const refresh = randomBytes(24).toString('base64url');
    tokens.set(access, { cifs, expires: Date.now() + ACCESS_TTL_S * 1000 });
    refreshTokens.set(refresh, { cifs });
    ledger.record({ kind: 'token.issued', data: { grant: b.grant_type } });
    return {
      access_token: access,
      token_type: 'Bearer',
      refresh_token: refresh,
      expires_in: ACCESS_TTL_S,
      scope: '',
    };
  });

  /** Bearer check of every FCTEL route; 401 for a missing, unknown or expired token. */
  function authorised(request: FastifyRequest, reply: FastifyReply): { cifs: string[] } | null {
    const m = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
    const t = m ? tokens.get(m[1]!) : undefined;
    if (!t || t.expires < Date.now() || faults.get().expireTokens) {
      void reply.code(401).send({
        timestamp: new Date().toISOString(),
        status: 401,
        error: 'Unauthorized',
        message: t ? 'Token expirat' : 'Token invalid',
      });
      return null;
    }
    return t;
  }

  // ---- FCTEL REST, test and prod (api.anaf.ro/{test|prod}/FCTEL/rest) ----
  for (const env of ['test', 'prod']) {
    const base = `/${env}/FCTEL/rest`;

    // POST upload?standard=UBL|CN|CII|RASP&cif=… → respUploadFisier header (always HTTP 200).
    app.post(`${base}/upload`, async (request, reply) => {
      const auth = authorised(request, reply);
      if (!auth) return reply;
      const q = request.query as Record<string, string | undefined>;
      const fail = (message: string) =>
        reply
          .type('application/xml')
          .send(
            `${XML_HEAD}<header xmlns="mfp:anaf:dgti:spv:respUploadFisier:v1" dateResponse="${nowStamp()}" ExecutionStatus="1">\n    <Errors errorMessage="${escAttr(message)}"/>\n</header>`,
          );
      if (!['UBL', 'CN', 'CII', 'RASP'].includes(q.standard ?? ''))
        return fail('Valorile acceptate pentru parametrul standard sunt UBL, CN, CII sau RASP');
      if (!/^\d+$/.test(q.cif ?? '')) return fail(`CIF introdus= ${q.cif ?? ''} nu este un numar`);
      if (!auth.cifs.includes(q.cif!)) return fail(`Nu exista niciun CIF petru care sa aveti drept in SPV`);
      const xml = typeof request.body === 'string' ? request.body : '';
      if (Buffer.byteLength(xml) > 10 * 1024 * 1024) return fail('Marime fisier transmis mai mare de 10 MB.');
      const root = /<(?:\w+:)?(Invoice|CreditNote)[\s>]/.exec(
        xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''),
      )?.[1];
      const expected = q.standard === 'CN' ? 'CreditNote' : 'Invoice';
      if (!root || root !== expected)
        return fail(
          `Fisierul transmis nu este valid. org.xml.sax.SAXParseException; cvc-elt.1.a: Cannot find the declaration of element '${root ?? 'necunoscut'}'.`,
        );
      const index = String(nextIndex++);
      const f = faults.get();
      uploads.set(index, {
        index,
        cif: q.cif!,
        standard: q.standard!,
        xml,
        at: Date.now(),
        state: 'in prelucrare',
        errors: [],
        downloadId: null,
        readyAt: Date.now() + (options.processingMs ?? 200) + f.processingDelayMs,
      });
      const number = /<cbc:ID>([^<]*)<\/cbc:ID>/.exec(xml)?.[1] ?? '';
      ledger.record({
        kind: 'invoice.uploaded',
        account: q.cif!,
        target: index,
        data: {
          number,
          sha256: createHash('sha256').update(xml).digest('hex'),
          env,
          // `extern=DA`: the buyer is not registered in Romania (ANAF checks no Romanian CUI).
          extern: q.extern === 'DA',
        },
      });
      scheduleProcessing();
      return reply
        .type('application/xml')
        .send(
          `${XML_HEAD}<header xmlns="mfp:anaf:dgti:spv:respUploadFisier:v1" dateResponse="${nowStamp()}" ExecutionStatus="0" index_incarcare="${index}"/>`,
        );
    });

    // GET stareMesaj?id_incarcare=… → stareMesajFactura header: stare + id_descarcare, or Errors.
    app.get(`${base}/stareMesaj`, async (request, reply) => {
      const auth = authorised(request, reply);
      if (!auth) return reply;
      const id = (request.query as Record<string, string | undefined>).id_incarcare ?? '';
      const head = '<header xmlns="mfp:anaf:dgti:efactura:stareMesajFactura:v1"';
      reply.type('application/xml');
      if (!/^\d+$/.test(id))
        return `${XML_HEAD}${head}>\n    <Errors errorMessage="Id_incarcare introdus= ${escAttr(id)} nu este un numar intreg"/>\n</header>`;
      const u = uploads.get(id);
      if (!u)
        return `${XML_HEAD}${head}>\n    <Errors errorMessage="Nu exista factura cu id_incarcare= ${id}"/>\n</header>`;
      if (!auth.cifs.includes(u.cif))
        return `${XML_HEAD}${head}>\n    <Errors errorMessage="Nu aveti dreptul de inteorgare pentru id_incarcare= ${id}"/>\n</header>`;
      if (u.state === 'in prelucrare') return `${XML_HEAD}${head} stare="in prelucrare"/>`;
      return `${XML_HEAD}${head} stare="${u.state}" id_descarcare="${u.downloadId}"/>`;
    });

    // GET descarcare?id=… → zip: `{index}.xml` (the invoice, or the error report) and
    // `semnatura_{index}.xml` (the Ministry's XML signature); JSON `eroare` when unknown.
    app.get(`${base}/descarcare`, async (request, reply) => {
      const auth = authorised(request, reply);
      if (!auth) return reply;
      const id = (request.query as Record<string, string | undefined>).id ?? '';
      const u = [...uploads.values()].find((x) => x.downloadId === id);
      if (!u || !auth.cifs.includes(u.cif))
        return reply.send({
          eroare: `Pentru id=${id} nu exista inregistrat niciun mesaj`,
          titlu: 'Descarcare mesaj',
        });
      const f = faults.get();
      if (f.downloadFailure === 'error')
        return reply.code(500).send({ eroare: 'Eroare interna', titlu: 'Descarcare mesaj' });
      const content =
        u.state === 'ok'
          ? u.xml
          : `${XML_HEAD}<header xmlns="mfp:anaf:dgti:efactura:mesajEroriFactuta:v1" Index_incarcare="${u.index}" Cif_emitent="${u.cif}">` +
            u.errors.map((e) => `<Error errorMessage="${escAttr(e)}"/>`).join('') +
            '</header>';
      const zip = writeZip([
        { name: `${u.index}.xml`, data: Buffer.from(content) },
        { name: `semnatura_${u.index}.xml`, data: Buffer.from(signature(content)) },
      ]);
      ledger.record({ kind: 'message.downloaded', account: u.cif, target: id });
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${id}.zip"`)
        .send(f.downloadFailure === 'corrupt' ? zip.subarray(0, Math.floor(zip.length / 2)) : zip);
    });

    // GET listaMesajeFactura?zile=1..60&cif=…[&filtru=E|T|P|R] → JSON messages of the CIF.
    app.get(`${base}/listaMesajeFactura`, async (request, reply) => {
      const auth = authorised(request, reply);
      if (!auth) return reply;
      const q = request.query as Record<string, string | undefined>;
      const zile = Number(q.zile);
      if (!Number.isInteger(zile) || zile < 1 || zile > 60)
        return { eroare: 'Numarul de zile trebuie sa fie intre 1 si 60', titlu: 'Lista Mesaje' };
      if (!/^\d+$/.test(q.cif ?? ''))
        return { eroare: `CIF introdus= ${q.cif ?? ''} nu este un numar`, titlu: 'Lista Mesaje' };
      if (!auth.cifs.includes(q.cif!))
        return { eroare: `Nu aveti drept de inrolare pentru CIF=${q.cif!}`, titlu: 'Lista Mesaje' };
      const since = Date.now() - zile * 86_400_000;
      const mesaje = [...uploads.values()]
        .filter((u) => u.cif === q.cif && u.at >= since && u.state !== 'in prelucrare')
        .filter(
          (u) =>
            !q.filtru || (q.filtru === 'T' && u.state === 'ok') || (q.filtru === 'E' && u.state === 'nok'),
        )
        .map((u) => ({
          data_creare: stamp(u.readyAt),
          cif: u.cif,
          id_solicitare: u.index,
          detalii:
            u.state === 'ok'
              ? `Factura cu id_incarcare=${u.index} emisa de cif_emitent=${u.cif} pentru cif_beneficiar=${buyerCif(u.xml)}`
              : `Erori de validare identificate la factura primita cu id_incarcare=${u.index}`,
          tip: u.state === 'ok' ? 'FACTURA TRIMISA' : 'ERORI FACTURA',
          id: u.downloadId,
        }));
      if (mesaje.length === 0)
        return { eroare: `Nu exista mesaje in ultimele ${zile} zile`, titlu: 'Lista Mesaje' };
      return {
        mesaje,
        serial: '1234AA456',
        cui: q.cif,
        titlu: `Lista Mesaje disponibile din ultimele ${zile} zile`,
      };
    });
  }

  app.get('/__sandbox/signing-key', async () => ({ publicKeyPem }));

  function signature(content: string): string {
    const digest = createHash('sha256').update(content).digest('base64');
    const signedInfo = `<ds:SignedInfo><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`;
    const value = createSign('RSA-SHA256').update(signedInfo).sign(privateKey, 'base64');
    return `${XML_HEAD}<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue><ds:KeyInfo><ds:KeyName>Ministerul Finantelor (sandbox)</ds:KeyName></ds:KeyInfo></ds:Signature>`;
  }

  // ---- Processing: validate what is due, in batches (one validator run for many uploads) ----
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  function scheduleProcessing(): void {
    if (timer || running) return;
    const due = [...uploads.values()].filter((u) => u.state === 'in prelucrare');
    if (due.length === 0) return;
    const wait = Math.max(0, Math.min(...due.map((u) => u.readyAt)) - Date.now());
    timer = setTimeout(() => {
      timer = null;
      void processDue();
    }, wait);
  }
  async function processDue(): Promise<void> {
    running = true;
    try {
      const due = [...uploads.values()].filter((u) => u.state === 'in prelucrare' && u.readyAt <= Date.now());
      if (due.length === 0) return;
      const results = await validateBatch(due.map((u) => u.xml));
      const reject = faults.get().rejectAll;
      due.forEach((u, i) => {
        const r = results[i]!;
        // ANAF's error report lists each failed rule as its message (the rule's text, which starts
        // with its id, e.g. "[BR-RO-110]-…"); schema errors as the parser's message.
        const errors = reject
          ? [reject]
          : r.errors.map((e) => (e.rule === 'XSD' ? `E: ${e.message}` : e.message));
        u.state = errors.length ? 'nok' : 'ok';
        u.errors = errors;
        u.downloadId = String(nextDownload++);
        ledger.record({ kind: `invoice.${u.state}`, account: u.cif, target: u.index, data: { errors } });
      });
    } catch (error) {
      app.log.error(error);
    } finally {
      running = false;
      scheduleProcessing();
    }
  }
  app.addHook('onClose', async () => {
    if (timer) clearTimeout(timer);
    kept.close();
  });
  // Uploads still "in prelucrare" when the previous run stopped are processed now.
  scheduleProcessing();

  return { app, ledger, faults, publicKeyPem };
}

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

function buyerCif(xml: string): string {
  const party = /<cac:AccountingCustomerParty>([\s\S]*?)<\/cac:AccountingCustomerParty>/.exec(xml)?.[1] ?? '';
  return /<cac:PartyLegalEntity>[\s\S]*?<cbc:CompanyID[^>]*>([^<]*)</.exec(party)?.[1] ?? '';
}
