import {
  AuthError,
  RetryableError,
  type HttpRequest,
  type HttpResponse,
  type PluginHttp,
} from '@mch/plugin-sdk';
import type { ClearanceDocument, ClearanceResult, IssuedDocumentBody } from '@mch/plugin-sdk';
import type { DocumentsPort } from '../src/report.ts';

/**
 * Test plumbing for the plugin alone (the host's own wiring is tested in host/test): a PluginHttp
 * over real fetch with a bearer token obtained through the sandbox's real OAuth pages, and an
 * in-memory document store with the contract of `ctx.documents` (hand over once, store results).
 */

export async function signIn(
  url: string,
  creds: Record<string, string>,
): Promise<{ access: string; refresh: string }> {
  const auth = new URL(`${url}/anaf-oauth2/v1/authorize`);
  auth.search = new URLSearchParams({
    client_id: creds.clientId!,
    response_type: 'code',
    redirect_uri: creds.redirectUri!,
    state: 's1',
  }).toString();
  const page = await fetch(auth);
  if (!(await page.text()).includes('certificat')) throw new Error('no sign-in page');
  const consent = await fetch(`${url}/anaf-oauth2/v1/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: creds.clientId!,
      redirect_uri: creds.redirectUri!,
      state: 's1',
      decision: 'allow',
    }),
  });
  const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
  const token = await fetch(`${url}/anaf-oauth2/v1/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: creds.redirectUri! }),
  });
  const body = (await token.json()) as { access_token: string; refresh_token: string };
  return { access: body.access_token, refresh: body.refresh_token };
}

export function fetchHttp(baseUrl: string, token: () => string): PluginHttp {
  return {
    async request(r: HttpRequest): Promise<HttpResponse> {
      const u = new URL(`${baseUrl}/${r.path}`);
      for (const [k, v] of Object.entries(r.query ?? {}))
        if (v !== undefined) u.searchParams.set(k, String(v));
      let res: Response;
      try {
        res = await fetch(u, {
          method: r.method ?? 'GET',
          headers: { ...r.headers, authorization: `Bearer ${token()}` },
          ...(r.body !== undefined ? { body: r.body } : {}),
        });
      } catch (error) {
        throw new RetryableError(`network: ${(error as Error).message}`);
      }
      if (res.status === 401) throw new AuthError('ANAF refused the token; sign in again.');
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => (headers[k] = v));
      const bytes = r.binary ? new Uint8Array(await res.arrayBuffer()) : undefined;
      const body = bytes ? '' : await res.text();
      return {
        status: res.status,
        headers,
        body,
        ...(bytes ? { bytes } : {}),
        json: <T>() => JSON.parse(body) as T,
      };
    },
  };
}

export interface MemoryDocuments extends DocumentsPort {
  results: Map<string, ClearanceResult>;
  docs: ClearanceDocument[];
}

export function memoryDocuments(issued: IssuedDocumentBody[]): MemoryDocuments {
  const docs: ClearanceDocument[] = issued.map((d, i) => ({
    id: `doc-${i + 1}`,
    type: d.type,
    number: d.number,
    issueDate: d.issueDate,
    document: d,
    corrected: null,
    clearance: null,
  }));
  const results = new Map<string, ClearanceResult>();
  const claimed = new Set<string>();
  const state = (id: string) => results.get(id)?.status;
  return {
    docs,
    results,
    async pending(limit) {
      return docs.filter((d) => !claimed.has(d.id)).slice(0, limit);
    },
    async awaiting(limit) {
      return docs
        .filter((d) => state(d.id) === 'sent')
        .slice(0, limit)
        .map((d) => ({
          ...d,
          clearance: {
            authority: 'ro-efactura',
            status: 'sent' as const,
            number: null,
            errors: [],
            reference: results.get(d.id)!.reference ?? {},
            updatedAt: new Date().toISOString(),
          },
        }));
    },
    async submit(list, fn) {
      const mine = list.filter((d) => !claimed.has(d.id));
      mine.forEach((d) => claimed.add(d.id));
      let out: Record<string, ClearanceResult> = {};
      try {
        out = await fn(mine);
      } catch (error) {
        mine.forEach((d) => claimed.delete(d.id));
        throw error;
      }
      for (const d of mine) {
        if (out[d.id]) results.set(d.id, out[d.id]!);
        else claimed.delete(d.id);
      }
      return mine.map((d) => ({ id: d.id, status: 'done' as const, result: out[d.id]! }));
    },
    async record(id, result) {
      const prev = results.get(id);
      results.set(id, { ...prev, ...result });
    },
  };
}

export function memoryStore() {
  const m = new Map<string, unknown>();
  return {
    map: m,
    async get<T>(k: string) {
      return m.get(k) as T | undefined;
    },
    async set(k: string, v: unknown) {
      m.set(k, v);
    },
    async delete(k: string) {
      m.delete(k);
    },
  };
}

export const silentLog = { debug() {}, info() {}, warn() {}, error() {} };
