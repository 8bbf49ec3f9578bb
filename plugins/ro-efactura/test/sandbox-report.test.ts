import { setTimeout as sleep } from 'node:timers/promises';
import { AuthError } from '@mch/plugin-sdk';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { reportDocuments, type ReportDeps } from '../src/report.ts';
import { toUbl } from '../src/ubl.ts';
import { stopValidator } from '../src/validate.ts';
import { readZip } from '../src/zip.ts';
import { lineOf, roDocument, totalsOf } from './fixtures.ts';
import { fetchHttp, memoryDocuments, memoryStore, signIn, silentLog } from './support.ts';

/** Every document of these tests is issued Thu 3 Dec 2026: due Thu 10 Dec, warned from Tue 8 Dec. */
const DUE = { by: '2026-12-10', warnFrom: '2026-12-08', timeZone: 'Europe/Bucharest' };

let sandbox: RunningSandbox;
let token = '';
const api = () => `${sandbox.url}/test/FCTEL/rest`;

async function faults(patch: Record<string, unknown>) {
  const r = await fetch(`${sandbox.controlUrl}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
  expect(r.status).toBe(200);
}
async function effects(kind: string) {
  const s = (await (await fetch(`${sandbox.controlUrl}/state`)).json()) as {
    effects: { kind: string; target: string; data: { number: string; extern?: boolean } }[];
  };
  return s.effects.filter((e) => e.kind === kind);
}
function deps(documents: ReportDeps['documents'], store = memoryStore()): ReportDeps {
  return {
    http: fetchHttp(api(), () => token),
    store,
    log: silentLog,
    documents,
    cif: '14399840',
    firstCheckPauseMs: 200,
  };
}
/** Runs passes until nothing is left in processing (ANAF answers asynchronously). */
async function settle(d: ReportDeps, passes = 60) {
  for (let i = 0; i < passes; i++) {
    const c = await reportDocuments(d);
    if (c.waiting === 0 && c.uploaded === 0) return;
    await sleep(300);
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'report-test', extra: { processingMs: 50 } });
  token = (await signIn(sandbox.url, sandbox.credentials)).access;
}, 60_000);
// A test failing half-way must not leave its faults to the next one.
afterEach(() =>
  faults({
    expireTokens: false,
    outage: false,
    processingDelayMs: 0,
    rejectAll: null,
    downloadFailure: 'none',
  }),
);
afterAll(async () => {
  await sandbox?.close();
  stopValidator();
});

describe('reporting to the SPV sandbox', () => {
  it('uploads valid documents once, holds an invalid one with BR-RO-111, skips an OSS sale; accepted ones get the signed zip', async () => {
    const docs = memoryDocuments([
      roDocument({}, 101),
      roDocument({ currency: 'EUR' }, 102),
      roDocument(
        {
          buyer: {
            name: 'Kovács Anna',
            kind: 'consumer',
            taxIds: [],
            address: { street: 'Fő utca 1', city: 'Budapest', postalCode: '1011', country: 'HU' },
          },
        },
        103,
      ),
      roDocument(
        {
          buyer: {
            name: 'Ana Stan',
            kind: 'consumer',
            taxIds: [],
            address: { street: 'Str. Morii 2', city: 'Oras', country: 'RO' },
          },
        },
        104,
      ),
      roDocument({ taxCountry: 'HU', oss: true }, 105),
    ]);
    const d = deps(docs);
    const first = await reportDocuments(d);
    expect(first).toMatchObject({ uploaded: 3, held: 1, notRequired: 1 });
    const held = docs.results.get('doc-4')!;
    expect(held.status).toBe('pending');
    expect(held.due).toEqual(DUE);
    expect(held.errors![0]).toMatchObject({ location: 'BR-RO-111' });
    expect(held.errors![0]!.message).toContain('[BR-RO-110]');
    expect(held.errors![1]).toMatchObject({
      location: 'deadline',
      message: expect.stringContaining('reported by 2026-12-10'),
    });
    expect(docs.results.get('doc-5')!.status).toBe('not-required');
    expect(docs.results.get('doc-5')!.due).toBeUndefined();
    for (const id of ['doc-1', 'doc-2', 'doc-3'])
      expect(docs.results.get(id)).toMatchObject({ status: 'sent', due: DUE });
    await settle(d);
    for (const id of ['doc-1', 'doc-2', 'doc-3']) {
      const r = docs.results.get(id)!;
      expect(r.status).toBe('accepted');
      expect(r.due).toEqual(DUE);
      expect(r.reference).toMatchObject({
        downloadId: expect.stringMatching(/^\d+$/),
        deadline: '2026-12-10',
      });
      expect(r.number).toBe(r.reference!.uploadIndex);
      const entries = readZip(Buffer.from(r.receipt!.content, 'base64'));
      expect(entries.map((e) => e.name).sort()).toEqual(
        [`${r.number}.xml`, `semnatura_${r.number}.xml`].sort(),
      );
      expect(entries.find((e) => e.name === `${r.number}.xml`)!.data.toString()).toBe(r.xml);
    }
    const uploaded = (await effects('invoice.uploaded')).map((e) => e.data.number);
    expect(uploaded.sort()).toEqual(['EMG/2026/12/101', 'EMG/2026/12/102', 'EMG/2026/12/103']);
  }, 300_000);

  it('a nok answer is a rejected document with ANAF’s errors; the others go on', async () => {
    await faults({
      rejectAll:
        'E: [BR-RO-120]-Identificatorul de înregistrare legala a Cumparatorului (BT-47) si/sau (BT-48) trebuie sa fie înscris.',
    });
    const docs = memoryDocuments([roDocument({}, 201)]);
    const d = deps(docs);
    await settle(d);
    const r = docs.results.get('doc-1')!;
    expect(r.status).toBe('rejected');
    expect(r.due).toEqual(DUE);
    expect(r.errors).toEqual([
      { location: 'BR-RO-120', message: expect.stringContaining('Identificatorul de înregistrare legala') },
    ]);
    await faults({ rejectAll: null });
    const next = memoryDocuments([roDocument({}, 202)]);
    await settle(deps(next));
    expect(next.results.get('doc-1')!.status).toBe('accepted');
  }, 300_000);

  it('a zip that fails to download leaves the document sent with a clear message, then it is fetched again', async () => {
    await faults({ downloadFailure: 'corrupt' });
    const docs = memoryDocuments([roDocument({}, 301)]);
    const d = deps(docs);
    // Until ANAF has processed the upload and the download was tried.
    for (let i = 0; i < 60 && !docs.results.get('doc-1')?.reference?.downloadFailed; i++) {
      await reportDocuments(d);
      await sleep(300);
    }
    const r = docs.results.get('doc-1')!;
    expect(r.status).toBe('sent');
    expect(r.due).toEqual(DUE);
    expect(r.reference).toMatchObject({ downloadFailed: true });
    expect(r.errors![0]!.message).toMatch(/signed zip could not be downloaded: The zip from ANAF is damaged/);
    await faults({ downloadFailure: 'none' });
    await settle(d);
    expect(docs.results.get('doc-1')!.status).toBe('accepted');
  }, 300_000);

  it('ANAF refusing the sign-in: each document says so, the uploaded ones keep their state, the run ends in an AuthError; after a new sign-in each is sent once', async () => {
    // Uploads stay in processing for a while, so the documents sent before are still waiting.
    await faults({ processingDelayMs: 4000 });
    const docs = memoryDocuments([
      roDocument({}, 401),
      roDocument(
        {
          buyer: {
            name: 'Ana Stan',
            kind: 'consumer',
            taxIds: [],
            address: { street: 'Str. Morii 2', city: 'Oras', country: 'RO' },
          },
        },
        402,
      ),
      roDocument({}, 403),
      roDocument({}, 404),
    ]);
    const http = fetchHttp(api(), () => token);
    let expireAfterUpload = false;
    const d: ReportDeps = {
      ...deps(docs),
      // The token runs out in the middle of a run: right after one more upload went through.
      http: {
        async request(r) {
          const res = await http.request(r);
          if (expireAfterUpload && r.path === 'upload') {
            expireAfterUpload = false;
            await faults({ expireTokens: true });
          }
          return res;
        },
      },
    };
    // Run 1 (one document a run): doc-1 is uploaded and waits for ANAF's answer.
    expect(await reportDocuments({ ...d, batchSize: 1 })).toMatchObject({ uploaded: 1 });
    // Run 2: doc-2 is held (invalid), doc-3 uploaded, then ANAF refuses the token for doc-4.
    expireAfterUpload = true;
    await expect(reportDocuments(d)).rejects.toBeInstanceOf(AuthError);
    expect(docs.results.get('doc-1')).toMatchObject({ status: 'sent', errors: [], due: DUE });
    expect(docs.results.get('doc-2')).toMatchObject({ status: 'pending', due: DUE });
    expect(docs.results.get('doc-2')!.errors![0]).toMatchObject({ location: 'BR-RO-111' });
    expect(docs.results.get('doc-3')).toMatchObject({ status: 'sent', due: DUE });
    const stopped = docs.results.get('doc-4')!;
    expect(stopped).toMatchObject({ status: 'pending', due: DUE, reference: { signInNeeded: true } });
    expect(stopped.errors).toEqual([
      {
        location: 'ANAF sign-in',
        message:
          "Not sent to ANAF yet: ANAF no longer accepts this integration's sign-in. A person with SPV rights for the company must sign in at ANAF again from the integration's page; the document is sent then. It must reach ANAF by 2026-12-10.",
      },
    ]);
    // doc-4 got no result: it is handed over again (doc-2, held, is not).
    expect((await docs.pending(10)).map((x) => x.id)).toEqual(['doc-4']);

    // Run 3, still refused: the documents waiting for an answer say it comes after a new sign-in.
    // Run 2 asked about doc-1 and set its next check 200 ms later (firstCheckPauseMs); a run
    // before then would rightly not ask about it, so wait until it is due.
    await sleep(400);
    await expect(reportDocuments(d)).rejects.toBeInstanceOf(AuthError);
    for (const id of ['doc-1', 'doc-3']) {
      const r = docs.results.get(id)!;
      expect(r).toMatchObject({ status: 'sent', due: DUE, reference: { signInNeeded: true } });
      expect(r.errors).toEqual([
        {
          location: 'ANAF sign-in',
          message:
            "Sent to ANAF; its answer is fetched once a person with SPV rights for the company signs in at ANAF again from the integration's page. It must be accepted by 2026-12-10.",
        },
      ]);
    }
    expect(docs.results.get('doc-4')!.errors![0]!.location).toBe('ANAF sign-in');
    for (const m of [...docs.results.values()].flatMap((r) => r.errors ?? []).map((e) => e.message))
      expect(m).not.toMatch(/HTTP|\b401\b|stareMesaj|upload\?|\/FCTEL/);

    // A new sign-in: every document is answered, each uploaded once; the messages are gone.
    await faults({ expireTokens: false, processingDelayMs: 0 });
    await settle(d);
    for (const id of ['doc-1', 'doc-3', 'doc-4']) {
      const r = docs.results.get(id)!;
      expect(r).toMatchObject({ status: 'accepted', errors: [], due: DUE });
      expect(r.reference!.signInNeeded).toBeUndefined();
    }
    expect(docs.results.get('doc-2')!.status).toBe('pending');
    const uploads = (await effects('invoice.uploaded'))
      .map((e) => e.data.number)
      .filter((n) => /\/40\d$/.test(n));
    expect(uploads.sort()).toEqual(['EMG/2026/12/401', 'EMG/2026/12/403', 'EMG/2026/12/404']);
  }, 300_000);

  it('foreign business buyers: Romanian VAT is reported with extern=DA; an export and an intra-Community supply are not', async () => {
    const zeroRated = [lineOf(1, 'Casti wireless Bluetooth', '2', '84.03', '0.00')];
    const docs = memoryDocuments([
      roDocument(
        {
          buyer: {
            name: 'Acme Trading Ltd',
            kind: 'business',
            companyName: 'Acme Trading Ltd',
            taxIds: [{ type: 'VAT', value: 'GB123456789' }],
            address: { street: '1 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' },
          },
        },
        801,
      ),
      roDocument(
        {
          buyer: {
            name: 'Agro Prim SRL',
            kind: 'business',
            companyName: 'Agro Prim SRL',
            taxIds: [{ type: 'TAX_ID', value: '1003600012345' }],
            address: { street: 'Str. Stefan cel Mare 1', city: 'Chisinau', country: 'MD' },
          },
          lines: zeroRated,
          ...totalsOf(zeroRated),
        },
        802,
      ),
      roDocument(
        {
          buyer: {
            name: 'Müller Handel GmbH',
            kind: 'business',
            companyName: 'Müller Handel GmbH',
            taxIds: [{ type: 'VAT_EU', value: 'DE123456789' }],
            address: { street: 'Hauptstraße 5', city: 'München', postalCode: '80331', country: 'DE' },
          },
          lines: zeroRated,
          ...totalsOf(zeroRated),
        },
        803,
      ),
    ]);
    await settle(deps(docs));
    expect(docs.results.get('doc-1')).toMatchObject({ status: 'accepted', due: DUE });
    expect(docs.results.get('doc-2')).toMatchObject({ status: 'not-required' });
    expect(docs.results.get('doc-3')).toMatchObject({ status: 'not-required' });
    const uploads = (await effects('invoice.uploaded')).filter((e) => /\/80\d$/.test(e.data.number));
    expect(uploads.map((e) => [e.data.number, e.data.extern])).toEqual([['EMG/2026/12/801', true]]);
  }, 300_000);

  it('an outage leaves the documents pending; they are uploaded once it ends', async () => {
    await faults({ outage: true });
    const docs = memoryDocuments([roDocument({}, 501), roDocument({}, 502)]);
    const d = deps(docs);
    await expect(reportDocuments(d)).rejects.toThrow(/not answering/);
    expect(docs.results.size).toBe(0);
    await faults({ outage: false });
    await settle(d);
    expect([...docs.results.values()].map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const numbers = (await effects('invoice.uploaded'))
      .map((e) => e.data.number)
      .filter((n) => n.endsWith('/501') || n.endsWith('/502'));
    expect(numbers.sort()).toEqual(['EMG/2026/12/501', 'EMG/2026/12/502']);
  }, 300_000);

  it('slow processing: the status is asked again after growing pauses, not on every run', async () => {
    await faults({ processingDelayMs: 4000 });
    const docs = memoryDocuments([roDocument({}, 701)]);
    const d = deps(docs);
    const count = async () =>
      ((await (await fetch(`${sandbox.controlUrl}/state`)).json()) as { requests: Record<string, number> })
        .requests['GET /test/FCTEL/rest/stareMesaj'] ?? 0;
    const start = await count();
    await reportDocuments(d);
    for (let i = 0; i < 20; i++) {
      await reportDocuments(d);
      await sleep(100);
    }
    expect(docs.results.get('doc-1')).toMatchObject({
      status: 'sent',
      reference: { checks: expect.any(Number) },
    });
    // 21 runs in about 2 s: the pauses (200, 400, 800 ms …) allow at most a handful of checks.
    expect((await count()) - start).toBeLessThanOrEqual(5);
    await faults({ processingDelayMs: 0 });
    await settle(d, 60);
    expect(docs.results.get('doc-1')!.status).toBe('accepted');
  }, 300_000);

  it('a document handed over again after a crash mid-upload is found at ANAF, not uploaded twice', async () => {
    const doc = roDocument({}, 601);
    const store = memoryStore();
    const docs = memoryDocuments([doc]);
    const d = { ...deps(docs, store), reconcileAfterMs: 0 };
    // The crashed run: the write-ahead note was written and the upload reached ANAF, then the
    // process died before the host stored the answer.
    const xml = toUbl(doc).xml;
    const { createHash } = await import('node:crypto');
    await store.set('upload:doc-1', {
      at: new Date().toISOString(),
      sha256: createHash('sha256').update(xml).digest('hex'),
      number: doc.number,
    });
    const res = await fetch(`${api()}/upload?standard=UBL&cif=14399840`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: xml,
    });
    expect(await res.text()).toContain('ExecutionStatus="0"');
    await sleep(1500);
    await settle(d);
    expect(docs.results.get('doc-1')!.status).toBe('accepted');
    const uploads = (await effects('invoice.uploaded')).filter((e) => e.data.number === doc.number);
    expect(uploads).toHaveLength(1);
  }, 300_000);
});
