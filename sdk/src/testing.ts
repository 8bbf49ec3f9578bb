import type { RunningSandbox, SandboxOptions } from './sandbox-kit/types.ts';

/**
 * The testing kit: a plugin's tests start a real host with the plugin and its sandbox over real
 * HTTP in a few lines, and check what a seller would see through the public REST API.
 *
 * ```ts
 * import { startPluginTest } from '@mch/plugin-sdk/testing';
 * const world = await startPluginTest<MySandbox>({ dir: join(import.meta.dirname, '..') });
 * const id = await world.connect();            // the sandbox's credentials, as demo mode connects
 * await world.waitForRuns(id);                 // connecting starts every job once
 * const [invoice] = await world.invoices(id);  // GET /api/v1/invoices
 * expect((await world.document(invoice.id)).totals.gross).toBe('123.00');
 * await world.close();
 * ```
 *
 * The host runs in the test's process on a throwaway database (an embedded one in a temporary
 * folder unless `databaseUrl` names a fresh PostgreSQL database), loads only this plugin, and
 * issues as a complete sample company of the manifest's `sandbox.sellerCountry`.
 */
export interface PluginTestOptions {
  /** The plugin's folder (the one holding plugin.manifest.json). */
  dir: string;
  /** Given to the plugin's `startSandbox` (seed, orders, faults, extra). */
  sandbox?: SandboxOptions;
  /** The seller's country; default the manifest's `sandbox.sellerCountry`, else PL. */
  sellerCountry?: string;
  /** A fresh, empty PostgreSQL database; default an embedded database thrown away at `close`. */
  databaseUrl?: string;
  /** How often the scheduler looks for due jobs, ms (default 100). */
  schedulerPollMs?: number;
  /** The host version the manifest's `host` range is checked against. */
  hostVersion?: string;
}

export interface TestRun {
  id: string;
  jobId: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped';
  error: string | null;
  counts: Record<string, number>;
}

/** An item of `GET /api/v1/invoices` (SPEC "Interfaces"). */
export interface TestInvoice {
  id: string;
  type: 'invoice' | 'correction';
  number: string;
  currency: string;
  totalNet: string;
  totalVat: string;
  totalGross: string;
  status: string;
  externalOrderId: string | null;
  corrects: string | null;
  [field: string]: unknown;
}

/** `GET /api/v1/invoices/:id`: the frozen document. */
export interface TestDocument {
  number: string;
  currency: string;
  lines: {
    position: number;
    name: string;
    quantity: string;
    unitNet: string;
    vatRate: string;
    net: string;
    vat: string;
    gross: string;
    [field: string]: unknown;
  }[];
  vatSummary: { vatRate: string; net: string; vat: string; gross: string }[];
  totals: { net: string; vat: string; gross: string };
  [field: string]: unknown;
}

export interface PluginTest<S extends RunningSandbox = RunningSandbox> {
  /** The host's base URL. */
  url: string;
  /** The seller's REST API token. */
  token: string;
  /** The plugin's sandbox as its `startSandbox` returned it. */
  sandbox: S;
  tenantId: string;
  /** A REST call as the seller; throws with the answer on a status ≥ 400. */
  api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /** Connects an account (default: the sandbox's credentials) with `POST /api/v1/<plugin>/integrations`; its jobs start at once. */
  connect(settings?: Record<string, unknown>): Promise<string>;
  /** Waits until every run the integration has started so far has finished; returns them oldest first. */
  waitForRuns(integrationId: string, timeoutMs?: number): Promise<TestRun[]>;
  /** Runs one job (default: every job) now with `POST /api/v1/<plugin>/sync/:id` and waits for its end. */
  sync(integrationId: string, jobId?: string, timeoutMs?: number): Promise<TestRun>;
  /** Every document issued for the integration, newest first. */
  invoices(integrationId: string): Promise<TestInvoice[]>;
  document(invoiceId: string): Promise<TestDocument>;
  /** Stops the host and the sandbox and deletes the temporary database. */
  close(): Promise<void>;
}

/**
 * Starts the world described above. The host is loaded when first called (the SDK itself does
 * not depend on it), so only tests pay for it.
 */
export async function startPluginTest<S extends RunningSandbox = RunningSandbox>(
  options: PluginTestOptions,
): Promise<PluginTest<S>> {
  // A specifier the compiler does not follow: the host depends on the SDK, not the other way.
  const specifier = '@mch/host/plugins/testing-kit';
  const kit = (await import(specifier)) as {
    startPluginTest<T extends RunningSandbox>(options: PluginTestOptions): Promise<PluginTest<T>>;
  };
  return kit.startPluginTest<S>(options);
}
