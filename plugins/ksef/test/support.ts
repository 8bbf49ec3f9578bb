import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { renderTemplate } from '@mch/schemas';
import manifest from '../plugin.manifest.json' with { type: 'json' };
import type { TestActor } from '@mch/host/testing';

/** The plugin's config for a sandbox, from the manifest's own `sandbox.env` (as demo mode renders it). */
export function ksefConfig(sandbox: RunningSandbox): Record<string, string> {
  return Object.fromEntries(
    Object.entries(manifest.sandbox.env).map(([env, template]) => [
      env,
      renderTemplate(template, { values: { url: sandbox.url }, deferSettings: true }),
    ]),
  );
}

export interface ClearanceView {
  authority: string;
  status: string;
  number: string | null;
  errors: { location?: string; message: string }[];
}

export interface InvoiceItem {
  id: string;
  type: string;
  number: string;
  currency: string;
  externalOrderId: string | null;
  clearance: ClearanceView | null;
}

export async function allInvoices(user: TestActor, query = ''): Promise<InvoiceItem[]> {
  const out: InvoiceItem[] = [];
  for (let offset = 0; ; offset += 200) {
    const { body } = await user.rest<{ invoices: InvoiceItem[]; total: number }>(
      `/api/v1/invoices?limit=200&offset=${offset}${query}`,
    );
    out.push(...body.invoices);
    if (out.length >= body.total || body.invoices.length === 0) return out;
  }
}

export async function ksefState(sandbox: RunningSandbox) {
  return (await (await fetch(`${sandbox.controlUrl}/state`)).json()) as {
    requests: Record<string, number>;
    breaches: number;
    accepted: number;
    invoices: number;
  };
}

export async function ksefInvoices(sandbox: RunningSandbox) {
  return (await (await fetch(`${sandbox.controlUrl}/invoices`)).json()) as {
    invoiceNumber: string | null;
    ksefNumber: string | null;
    status: { code: number };
  }[];
}

export async function setFaults(sandbox: RunningSandbox, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandbox.controlUrl}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`faults: ${response.status} ${await response.text()}`);
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
