import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import manifest from '../plugin.manifest.json' with { type: 'json' };
import { startSandbox } from '../sandbox/index.ts';
import { emagCaller } from '../sandbox/client.ts';
import { renderTemplate } from '@mch/schemas';
import {
  SAMPLE_COMPANIES,
  startTestHost,
  type TestActor,
  type TestCompany,
  type TestHost,
} from '@mch/host/testing';

export const ROOT_REGISTRY = join(import.meta.dirname, '..', '..', '..', 'plugin.manifest.json');

export interface EmagWorld {
  host: TestHost;
  sandbox: RunningSandbox;
  overrides: Map<string, Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * The plugin's config for a sandbox, from the manifest's own `sandbox.env` (as demo mode renders
 * it): `EMAG_BASE_URL=<url>/{settings.platform}/api-3`, the platform filled per integration.
 */
export function emagConfig(sandbox: RunningSandbox): Record<string, string> {
  return Object.fromEntries(
    Object.entries(manifest.sandbox.env).map(([env, template]) => [
      env,
      renderTemplate(template, { values: { url: sandbox.url }, deferSettings: true }),
    ]),
  );
}

/**
 * The seller these tests invoice as: a Romanian company (eMAG's sellers are), declaring its
 * distance sales to consumers on eMAG BG/HU under the One-Stop-Shop scheme, so those invoices
 * carry the buyer's country's VAT (Directive 2006/112/EC art. 33; host vat-rates.ts taxCountry).
 */
export const ROMANIAN_SELLER: TestCompany = { ...SAMPLE_COMPANIES.RO, usesOss: true };

/** The real host (scheduler included) and the eMAG sandbox, wired through the plugin's config. */
export async function startEmagWorld(options: {
  orders: number;
  seed?: string;
  faults?: Record<string, unknown>;
  rateLimit?: boolean;
  extra?: Record<string, unknown>;
  host?: Parameters<typeof startTestHost>[0];
}): Promise<EmagWorld> {
  const overrides = new Map<string, Record<string, string>>();
  const host = await startTestHost({
    registryPath: ROOT_REGISTRY,
    role: 'all',
    configOverrides: overrides,
    schedulerPollMs: 200,
    ...options.host,
  });
  const sandbox = await startSandbox({
    orders: options.orders,
    seed: options.seed ?? 'e2e',
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    extra: { now: '2026-11-20T12:00:00Z', ...options.extra },
  });
  overrides.set('emag', emagConfig(sandbox));
  return {
    host,
    sandbox,
    overrides,
    async stop() {
      await host.stop();
      await sandbox.close();
    },
  };
}

export const credentials = (account: string) => {
  const [platform, kind] = account.split('-') as [string, string];
  return { platform, accountType: kind, username: `${account}@sandbox.emag`, password: `sandbox-${account}` };
};

/** Connects a sandbox account (`ro-main`, `bg-fbe` …) as an integration; returns its id. */
export async function connect(
  user: TestActor,
  account: string,
  settings: Record<string, unknown> = {},
): Promise<string> {
  const created = await user.trpc.integrations.create.mutate({
    pluginId: 'emag',
    label: `eMAG ${account}`,
    settings: { ...credentials(account), ...settings },
  });
  return created.id;
}

export interface RunView {
  id: string;
  status: string;
  error: string | null;
  counts: Record<string, number>;
}

/** Starts a manual sync of `jobId` and waits for its run to finish. */
export async function syncAndWait(
  user: TestActor,
  integrationId: string,
  options: { jobId?: string; timeoutMs?: number } = {},
): Promise<RunView> {
  const started = await user.rest<{ runId: string }>(`/api/v1/emag/sync/${integrationId}`, {
    method: 'POST',
    body: options.jobId ? { jobId: options.jobId } : {},
  });
  if (started.status >= 300) throw new Error(`sync answered ${started.status}: ${started.text}`);
  return waitForRun(user, started.body.runId, options.timeoutMs);
}

export async function waitForRun(user: TestActor, runId: string, timeoutMs = 420_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await user.trpc.integrations.run.query({ runId })) as RunView;
    if (run.status === 'succeeded' || run.status === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`run still ${run.status} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface SandboxState {
  breaches: number;
  breachesByKey: Record<string, number>;
  requests: Record<string, number>;
  effects: { seq: number; kind: string; account: string; target?: string; data?: Record<string, unknown> }[];
}

export async function sandboxState(sandbox: RunningSandbox): Promise<SandboxState> {
  return (await (await fetch(`${sandbox.controlUrl}/state`)).json()) as SandboxState;
}

export async function setFaults(sandbox: RunningSandbox, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandbox.controlUrl}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`PUT /faults answered ${response.status}: ${await response.text()}`);
}

/** An order as the sandbox shows it: amounts as strings or numbers, no order-level currency. */
export interface SandboxOrder {
  id: number;
  status: number;
  type: number;
  date: string;
  payment_mode_id: number;
  shipping_tax: string | number;
  products: {
    id: number;
    name: string;
    status: number;
    quantity: number;
    sale_price: string | number;
    vat: string;
    currency?: string;
  }[];
  vouchers: { status: number; sale_price: string | number; vat: string }[];
  customer: {
    id: number;
    legal_entity?: number;
    is_vat_payer?: number;
    company?: string | null;
    code?: string | null;
    billing_country?: string;
  };
}

/**
 * Whether the invoice's buyer is a business, as the manifest maps it (`companyName`/`taxId` of a
 * `legal_entity = 1` customer) and the host reads it (a buyer with either is not a consumer).
 */
export function isBusinessBuyer(order: SandboxOrder): boolean {
  return Number(order.customer.legal_entity) === 1 && Boolean(order.customer.company || order.customer.code);
}

/**
 * Whether the Romanian seller's invoice of `order` is reverse-charged (records/issuance.ts): a
 * business buyer in another EU country that eMAG says is a VAT payer, with its VAT id (the
 * sandbox's ids pass their check digits, as real ones do). Every line is then without VAT.
 */
export function isReverseCharged(order: SandboxOrder): boolean {
  const country = order.customer.billing_country ?? 'RO';
  return (
    isBusinessBuyer(order) &&
    country !== 'RO' &&
    Number(order.customer.is_vat_payer) === 1 &&
    Boolean(order.customer.code)
  );
}

/** Romania's VAT rates on a sale date (Law 141/2025: 21 % / 11 % from 2025-08-01), in percent. */
function romanianRates(date: string): number[] {
  return date >= '2025-08-01' ? [21, 11, 0] : [19, 9, 5, 0];
}

const pct = (fraction: string) => Math.round(Number(fraction) * 10_000) / 100;

/**
 * Why the host must hold an order of a Romanian seller (`ROMANIAN_SELLER`), or null when it must
 * invoice it: a business buyer in another country that is no VAT payer is taxed under Romanian
 * rules (OSS covers consumers only; VAT payers are reverse-charged), so an order eMAG charges at
 * its platform's foreign VAT is held at its first product line whose rate Romania does not have on the sale date
 * (shipping and vouchers take a product's rate, so they never fail first). The message is the
 * host's (records/issuance.ts), naming order, line, rate, country, date and the valid rates.
 */
export function expectedHold(order: SandboxOrder): string | null {
  const country = order.customer.billing_country ?? 'RO';
  if (!isBusinessBuyer(order) || country === 'RO' || isReverseCharged(order)) return null;
  const date = order.date.slice(0, 10);
  const valid = romanianRates(date);
  const active = order.products.filter((p) => Number(p.status) === 1);
  const n = active.findIndex((p) => !valid.includes(pct(p.vat)));
  if (n < 0) return null;
  const line = active[n]!;
  return (
    `order ${order.id}, line ${n + 1} "${line.name}": VAT ${pct(line.vat)} % is not valid in RO on ${date}; ` +
    `valid rates: ${valid.join(', ')} %.`
  );
}

/**
 * The integration's held orders are exactly the `orders` `expectedHold` names, each held as
 * `vat_rate` with that message; returns the orders the host must have invoiced.
 */
export async function expectHolds<T extends SandboxOrder>(
  user: TestActor,
  integrationId: string,
  orders: T[],
): Promise<T[]> {
  const want = new Map<string, string>();
  for (const order of orders) {
    const message = expectedHold(order);
    if (message) want.set(String(order.id), message);
  }
  const held = await heldOf(user, integrationId);
  expect(held.map((h) => h.externalOrderId).sort()).toEqual([...want.keys()].sort());
  for (const row of held) {
    expect(row.reason, `reason of ${row.externalOrderId}`).toBe('vat_rate');
    expect(row.message, `message of ${row.externalOrderId}`).toContain(want.get(row.externalOrderId)!);
  }
  return orders.filter((o) => !want.has(String(o.id)));
}

export interface HeldView {
  integrationId: string;
  externalOrderId: string;
  reason: string;
  message: string;
}

/** Every order of an integration held without an invoice (`GET /api/v1/invoices/held`). */
export async function heldOf(user: TestActor, integrationId: string): Promise<HeldView[]> {
  const out: HeldView[] = [];
  for (let offset = 0; ; offset += 200) {
    const { body } = await user.rest<{ held: HeldView[]; total: number }>(
      `/api/v1/invoices/held?integrationId=${integrationId}&limit=200&offset=${offset}`,
    );
    out.push(...body.held);
    if (out.length >= body.total || body.held.length === 0) return out;
  }
}

/**
 * Every order of an account as `order/read` shows it, read with the account's own credentials
 * at a pace under eMAG's limit (the truth to compare with; it must not cause a breach itself).
 */
export async function allOrders(sandbox: RunningSandbox, account: string): Promise<SandboxOrder[]> {
  const c = credentials(account);
  const caller = emagCaller({
    url: sandbox.url,
    platform: c.platform,
    username: c.username,
    password: c.password,
  });
  const out: SandboxOrder[] = [];
  for (const type of c.accountType === 'fbe' ? [2, 3] : [3]) {
    for (let page = 1; ; page++) {
      await sleep(400);
      const result = await caller.call(
        'order/read',
        { currentPage: page, itemsPerPage: 100, type },
        { encoding: 'json' },
      );
      if (result.body.isError !== false) throw new Error(`order/read: ${result.text.slice(0, 300)}`);
      const orders = result.body.results as SandboxOrder[];
      out.push(...orders);
      if (orders.length < 100) break;
    }
  }
  return out;
}

// ---- exact expected totals (decimal strings as scaled BigInts, half away from zero) ----

const SCALE = (digits: number) => 10n ** BigInt(digits);

function parseScaled(input: string | number, digits: number): bigint {
  const text = typeof input === 'number' ? input.toFixed(digits) : input;
  const negative = text.trim().startsWith('-');
  const [int, frac = ''] = text.trim().replace(/^[-+]/, '').split('.');
  const value =
    BigInt(int || '0') * SCALE(digits) + BigInt((frac + '0'.repeat(digits)).slice(0, digits) || '0');
  return negative ? -value : value;
}

/** value / 10^drop rounded half away from zero. */
function roundDrop(value: bigint, drop: number): bigint {
  const d = SCALE(drop);
  const q = value / d;
  const r = value % d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= d) return value < 0n ? q - 1n : q + 1n;
  return q;
}

/** One net-priced line: net = round2(unit × qty), VAT = round2(net × rate), gross = net + VAT (in cents). */
function lineGrossCents(unitNet: string | number, quantity: number, vat: string): bigint {
  const net = roundDrop(parseScaled(unitNet, 4) * BigInt(quantity), 4 - 2); // cents
  const vatCents = roundDrop(net * parseScaled(vat, 4), 4);
  return net + vatCents;
}

/**
 * What the invoice of an order must total, independently of the host: net-priced product lines
 * and vouchers (API doc: prices net with 4 decimals, vat a fraction), and shipping (gross) as a
 * net line at the highest product rate, half up to 4 decimals — as the manifest documents it.
 */
export function expectedGross(order: SandboxOrder): string {
  const active = order.products.filter((p) => p.status === 1);
  // Reverse charge: the lines' net amounts, without VAT.
  const vatOf = (vat: string) => (isReverseCharged(order) ? '0' : vat);
  let cents = 0n;
  for (const p of active) cents += lineGrossCents(p.sale_price, p.quantity, vatOf(p.vat));
  const shipping = parseScaled(order.shipping_tax, 4);
  if (shipping > 0n && active.length > 0) {
    const rate = active.map((p) => parseScaled(p.vat, 4)).reduce((a, b) => (b > a ? b : a));
    // Net of the gross shipping at that rate, half up to 4 decimals (ten-thousandths).
    const divisor = 10_000n + rate;
    const net = (2n * shipping * 10_000n + divisor) / (2n * divisor);
    const text = `${net / 10_000n}.${String(net % 10_000n).padStart(4, '0')}`;
    cents += lineGrossCents(text, 1, vatOf(`0.${String(rate).padStart(4, '0')}`));
  }
  for (const v of order.vouchers.filter((x) => x.status === 1))
    cents += lineGrossCents(v.sale_price, 1, vatOf(v.vat));
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

export interface InvoiceView {
  id: string;
  number: string;
  grossTotal: string;
  currency: string;
  externalOrderId: string | null;
  status: string;
}

export async function invoicesOf(user: TestActor, integrationId: string): Promise<InvoiceView[]> {
  const out: InvoiceView[] = [];
  for (let offset = 0; ; offset += 200) {
    const { body } = await user.rest<{ invoices: InvoiceView[]; total: number }>(
      `/api/v1/invoices?integrationId=${integrationId}&limit=200&offset=${offset}`,
    );
    out.push(...body.invoices);
    if (out.length >= body.total || body.invoices.length === 0) return out;
  }
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Points real host names at a local server for this process, as a hosts-file entry would (the
 * plugin then runs with its production config, `EMAG_BASE_URL` unset): requests to
 * `https://<host>/…` go over plain HTTP to `target` with `Host: <host>`, and the sandbox serves
 * each host as that platform. Only name resolution is stood in for; the requests, the answers and
 * the service are real. Returns the function that undoes it.
 */
export async function routeHostsTo(target: string, hosts: readonly string[]): Promise<() => void> {
  const key = Symbol.for('undici.globalDispatcher.1');
  const slot = globalThis as unknown as Record<symbol, Dispatcher | undefined>;
  // The first fetch creates Node's global dispatcher.
  if (!slot[key]) await fetch(`${target}/__sandbox/state`);
  const original = slot[key]!;
  const { origin } = new URL(target);
  slot[key] = new Proxy(original, {
    get(t, property) {
      if (property === 'dispatch')
        return (options: DispatchOptions, handler: unknown) => {
          const url = new URL(String(options.origin));
          if (url.protocol !== 'https:' || !hosts.includes(url.hostname)) return t.dispatch(options, handler);
          const headers = Array.isArray(options.headers)
            ? [...(options.headers as string[]), 'host', url.hostname]
            : { ...(options.headers as Record<string, string> | undefined), host: url.hostname };
          return t.dispatch({ ...options, origin, headers }, handler);
        };
      const value: unknown = Reflect.get(t, property);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
  return () => {
    slot[key] = original;
  };
}

interface DispatchOptions {
  origin?: string | URL;
  headers?: unknown;
  [key: string]: unknown;
}
interface Dispatcher {
  dispatch(options: DispatchOptions, handler: unknown): boolean;
}
