import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpRequest, HttpResponse, PluginContext } from '@mch/plugin-sdk';
import { KsefClient } from '../../plugins/ksef/src/ksef-client.ts';
import { FA3_XSD, validateXmlBatch } from '../../plugins/ksef/src/xsd.ts';
import { writeZip } from '../../plugins/ksef/src/zip.ts';

/**
 * The baseline of the KSeF clearance benchmark: the least any client must do to clear the same
 * FA(3) files as the product must (issue 18: each checked against the official XSD before it is
 * sent), with nothing of the host in between — no scheduler, no database, no ledger, no limiter.
 * It checks the files against the XSD while signing in with the KSeF token, sends one batch
 * session (zip, AES part, open, upload, close), asks for the session's status every 100 ms (the
 * fastest "GET /sessions/*" allows for a minute: 10/s, 120/min, limity-api.md) until KSeF has
 * processed it, lists the session's invoices and downloads every UPO, 8 at a time as the plugin
 * does. The KSeF protocol calls and the XSD check are the plugin's own (KsefClient, xsd.ts), over
 * plain fetch. `protocolSeconds` leaves the XSD check out.
 */
export async function clearDirectly(options: {
  apiUrl: string;
  ksefToken: string;
  files: { name: string; xml: string }[];
}): Promise<{ seconds: number; protocolSeconds: number; accepted: number; requests: number }> {
  let requests = 0;
  const controller = new AbortController();
  const http = {
    async request(request: HttpRequest): Promise<HttpResponse> {
      requests++;
      const base = /^https?:\/\//.test(request.path)
        ? request.path
        : `${options.apiUrl.replace(/\/$/, '')}/${request.path.replace(/^\//, '')}`;
      const url = new URL(base);
      for (const [k, v] of Object.entries(request.query ?? {}))
        if (v !== undefined) url.searchParams.set(k, String(v));
      const headers: Record<string, string> = { ...request.headers };
      let body: string | Uint8Array | undefined = request.body;
      if (request.json !== undefined) {
        body = JSON.stringify(request.json);
        headers['content-type'] = 'application/json';
      }
      const response = await fetch(url, { method: request.method ?? 'GET', headers, body: body as BodyInit });
      const text = await response.text();
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => (out[k] = v));
      return { status: response.status, headers: out, body: text, json: <T>() => JSON.parse(text) as T };
    },
  };
  const ctx = {
    integration: { id: `bench-direct-${Date.now()}` },
    config: { KSEF_API_URL: options.apiUrl },
    secrets: { get: async (name: string) => (name === 'ksefToken' ? options.ksefToken : undefined) },
    http,
    signal: controller.signal,
    log: { info() {}, warn() {}, error() {}, debug() {} },
  } as unknown as PluginContext;

  const started = performance.now();
  const nip = /<Podmiot1>[\s\S]*?<NIP>(\d{10})<\/NIP>/.exec(options.files[0]!.xml)![1]!;
  const client = new KsefClient(ctx);
  const [checked] = await Promise.all([
    validateXmlBatch(
      options.files.map((f) => f.xml),
      FA3_XSD,
    ),
    client.warmUp(nip),
  ]);
  if (checked.some((errors) => errors.length > 0)) throw new Error('a file the host sent fails the XSD');
  const checkedAt = performance.now();
  const zip = writeZip(options.files.map((f) => ({ name: f.name, content: Buffer.from(f.xml, 'utf8') })));
  const session = await client.sendBatch(nip, zip);
  for (;;) {
    const status = await client.sessionStatus(nip, session);
    if (status.code !== 100 && status.code !== 150) break;
    await sleep(100);
  }
  const invoices = await client.sessionInvoices(nip, session);
  const queue = invoices.filter((i) => i.status.code === 200 && i.upoDownloadUrl);
  const accepted = queue.length;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let invoice = queue.shift(); invoice; invoice = queue.shift())
        await client.download(invoice.upoDownloadUrl!);
    }),
  );
  const ended = performance.now();
  return {
    seconds: (ended - started) / 1000,
    protocolSeconds: (ended - checkedAt) / 1000,
    accepted,
    requests,
  };
}
