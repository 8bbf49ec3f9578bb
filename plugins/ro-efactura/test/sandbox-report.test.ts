import { setTimeout as sleep } from 'node:timers/promises';
import { AuthError } from '@mch/plugin-sdk';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { reportDocuments, type ReportDeps } from '../src/report.ts';
import { toUbl } from '../src/ubl.ts';
import { stopValidator } from '../src/validate.ts';
import { readZip } from '../src/zip.ts';
import { roDocument } from './fixtures.ts';
import { fetchHttp, memoryDocuments, memoryStore, signIn, silentLog } from './support.ts';

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
    effects: { kind: string; target: string; data: { number: string } }[];
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
    expect(held.errors![0]).toMatchObject({ location: 'BR-RO-111' });
    expect(held.errors![0]!.message).toContain('[BR-RO-110]');
    expect(held.errors![1]).toMatchObject({
      location: 'deadline',
      message: expect.stringContaining('reported by 2026-12-10'),
    });
    expect(docs.results.get('doc-5')!.status).toBe('not-required');
    await settle(d);
    for (const id of ['doc-1', 'doc-2', 'doc-3']) {
      const r = docs.results.get(id)!;
      expect(r.status).toBe('accepted');
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
    expect(r.reference).toMatchObject({ downloadFailed: true });
    expect(r.errors![0]!.message).toMatch(/signed zip could not be downloaded: The zip from ANAF is damaged/);
    await faults({ downloadFailure: 'none' });
    await settle(d);
    expect(docs.results.get('doc-1')!.status).toBe('accepted');
  }, 300_000);

  it('an expired token stops the run with an AuthError and changes no document', async () => {
    await faults({ expireTokens: true });
    const docs = memoryDocuments([roDocument({}, 401)]);
    await expect(reportDocuments(deps(docs))).rejects.toBeInstanceOf(AuthError);
    expect(docs.results.size).toBe(0);
    expect(await docs.pending(10)).toHaveLength(1);
    await faults({ expireTokens: false });
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
