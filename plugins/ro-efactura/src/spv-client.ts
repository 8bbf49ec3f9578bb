import { createHash } from 'node:crypto';
import { RetryableError, type PluginHttp } from '@mch/plugin-sdk';
import { unescapeXml } from './validate.ts';
import { readZip, ZipError } from './zip.ts';

/**
 * ANAF SPV e-Factura calls (reference README "E-invoicing": `upload`, `stareMesaj`, `descarcare`,
 * `listaMesajeFactura` on `api.anaf.ro/{test|prod}/FCTEL/rest/`). `ctx.http` adds the bearer token
 * (refreshed by the host) and turns a 401 that refreshing does not cure into an AuthError.
 */

const attr = (xml: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(xml)?.[1];
/** Every `errorMessage` attribute of an ANAF XML answer (`<Errors …/>`, `<Error …/>`). */
export function errorMessages(xml: string): string[] {
  return [...xml.matchAll(/<(?:\w+:)?Errors?\b[^>]*\berrorMessage="([^"]*)"/g)].map((m) =>
    unescapeXml(m[1]!),
  );
}

/** ANAF answered, but not with a result: nothing was done (unlike a lost answer, which may hide one). */
export class AnafUnavailableError extends RetryableError {}

function gatewayCheck(status: number, what: string): void {
  // ANAF's gateway answers 5xx (HTML) while the service is down: nothing was done. The words
  // promise no retry (the host says whether there is one) and name no HTTP status.
  if (status >= 500)
    throw new AnafUnavailableError(`ANAF e-Factura is not answering (${what} was not done).`);
  if (status !== 200)
    throw new AnafUnavailableError(
      `ANAF e-Factura refused ${what} with an unexpected answer; nothing was done.`,
    );
}

export type UploadAnswer = { ok: true; uploadIndex: string } | { ok: false; errors: string[] };

export async function upload(
  http: PluginHttp,
  input: { xml: string; standard: 'UBL' | 'CN'; cif: string; extern?: boolean },
): Promise<UploadAnswer> {
  const res = await http.request({
    method: 'POST',
    path: 'upload',
    query: { standard: input.standard, cif: input.cif, ...(input.extern ? { extern: 'DA' } : {}) },
    headers: { 'content-type': 'text/plain' },
    body: input.xml,
    idempotent: false,
    timeoutMs: 120_000,
  });
  gatewayCheck(res.status, 'the upload');
  const index = attr(res.body, 'index_incarcare');
  if (attr(res.body, 'ExecutionStatus') === '0' && index) return { ok: true, uploadIndex: index };
  const errors = errorMessages(res.body);
  return { ok: false, errors: errors.length ? errors : [`Unexpected answer: ${res.body.slice(0, 300)}`] };
}

export type MessageState =
  | { state: 'in prelucrare' }
  | { state: 'ok' | 'nok'; downloadId: string }
  | { state: 'XML cu erori nepreluat de sistem' }
  | { state: 'error'; errors: string[] };

export async function stareMesaj(http: PluginHttp, uploadIndex: string): Promise<MessageState> {
  const res = await http.request({ path: 'stareMesaj', query: { id_incarcare: uploadIndex } });
  gatewayCheck(res.status, 'the status check');
  const stare = attr(res.body, 'stare');
  const downloadId = attr(res.body, 'id_descarcare');
  if ((stare === 'ok' || stare === 'nok') && downloadId) return { state: stare, downloadId };
  if (stare === 'in prelucrare') return { state: stare };
  if (stare === 'XML cu erori nepreluat de sistem') return { state: stare };
  const errors = errorMessages(res.body);
  return {
    state: 'error',
    errors: errors.length ? errors : [`Unexpected answer: ${res.body.slice(0, 300)}`],
  };
}

export interface Download {
  zip: Buffer;
  /** The invoice (ok) or ANAF's error report (nok): `{uploadIndex}.xml`. */
  content: string;
  /** `semnatura_{uploadIndex}.xml`, the Ministry's XML signature. */
  signature: string;
  /** For `nok`: ANAF's error messages from the report. */
  errors: string[];
}

export class DownloadError extends Error {}

/** `descarcare`: the zip, opened and checked (both files present, CRCs, the signature's digest). */
export async function descarcare(http: PluginHttp, downloadId: string): Promise<Download> {
  const res = await http.request({
    path: 'descarcare',
    query: { id: downloadId },
    binary: true,
    timeoutMs: 120_000,
  });
  gatewayCheck(res.status, 'the download');
  const zip = Buffer.from(res.bytes ?? new Uint8Array());
  if (zip.subarray(0, 2).toString() !== 'PK') {
    const text = zip.toString('utf8');
    const eroare = /"eroare"\s*:\s*"([^"]*)"/.exec(text)?.[1];
    throw new DownloadError(eroare ?? `ANAF sent something other than a zip (${text.slice(0, 120)}).`);
  }
  let entries;
  try {
    entries = readZip(zip);
  } catch (error) {
    if (error instanceof ZipError) throw new DownloadError(`The zip from ANAF is damaged: ${error.message}.`);
    throw error;
  }
  const sig = entries.find((e) => e.name.startsWith('semnatura_'));
  const main = entries.find((e) => e !== sig && e.name.endsWith('.xml'));
  if (!main || !sig) throw new DownloadError('The zip from ANAF lacks the document or its signature.');
  const content = main.data.toString('utf8');
  const signature = sig.data.toString('utf8');
  const digest = /<(?:\w+:)?DigestValue>([^<]+)</.exec(signature)?.[1];
  if (digest && digest !== createHash('sha256').update(main.data).digest('base64'))
    throw new DownloadError('The signature in the zip from ANAF does not match the document.');
  const errors = /mesajEroriFactuta/.test(content) ? errorMessages(content) : [];
  return { zip, content, signature, errors };
}

export interface SpvMessage {
  id: string;
  uploadIndex: string;
  type: string;
  createdAt: string;
  details: string;
}

/** `listaMesajeFactura`: the CIF's messages of the last `days` (1–60); empty when ANAF has none. */
export async function listaMesajeFactura(http: PluginHttp, cif: string, days: number): Promise<SpvMessage[]> {
  const res = await http.request({ path: 'listaMesajeFactura', query: { zile: days, cif } });
  gatewayCheck(res.status, 'the message list');
  const body = res.json<{
    mesaje?: { id: string; id_solicitare: string; tip: string; data_creare: string; detalii: string }[];
    eroare?: string;
  }>();
  if (!body.mesaje) {
    if (body.eroare && /^Nu exista mesaje/.test(body.eroare)) return [];
    throw new RetryableError(`ANAF refused the message list: ${body.eroare ?? 'no reason given'}`);
  }
  return body.mesaje.map((m) => ({
    id: m.id,
    uploadIndex: m.id_solicitare,
    type: m.tip,
    createdAt: m.data_creare,
    details: m.detalii,
  }));
}
