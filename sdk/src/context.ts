import type { PluginDocuments } from './documents.ts';

/**
 * The plugin context: everything a hook may touch, implemented by the host (STYLE 2). Narrow on
 * purpose: no database, scheduler or host module leaks through, so the host can change its
 * internals and a plugin can be tested with a fake context.
 */

export interface IntegrationInfo {
  /** The host's id of this connected account. */
  id: string;
  tenantId: string;
  pluginId: string;
  /** The marketplace account, once the auth's account hook has identified it. */
  account?: { id: string; label?: string };
}

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface HttpRequest {
  method?: HttpMethod;
  /** Path relative to the manifest's `api.baseUrl` (or an absolute URL on the same host). */
  path: string;
  query?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
  headers?: Record<string, string>;
  /** Sent as JSON. At most one of json, form, body. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  body?: string | Uint8Array;
  /** Rate-limit group of the manifest (`rateLimits[].group`) when the path alone does not tell. */
  rateGroup?: string;
  /** Override of the default request timeout. */
  timeoutMs?: number;
  /**
   * Safe to send again (reads; eMAG's reads are POSTs). Idempotent requests are retried by the
   * host on 5xx and network errors with a short backoff; others come back as they are.
   * Default: true for GET and HEAD.
   */
  idempotent?: boolean;
  /** Read the answer as bytes (`HttpResponse.bytes`, e.g. a zip) instead of UTF-8 text. */
  binary?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The raw body, for requests sent with `binary: true` (`body` is then empty). */
  bytes?: Uint8Array;
  /** Parses the body as JSON; throws a RetryableError-free plain Error if it is not JSON. */
  json<T = unknown>(): T;
}

/**
 * HTTP to the marketplace. The host applies the base URL, auth (bearer token, refreshed ahead of
 * expiry, or Basic credentials), the manifest's rate limits across workers, and 429 handling
 * (Retry-After / reset headers). A 401 after refresh becomes an AuthError.
 */
export interface PluginHttp {
  request(request: HttpRequest): Promise<HttpResponse>;
}

/** Secrets of this integration (writeOnly settings, tokens), read from the vault. */
export interface PluginSecrets {
  get(name: string): Promise<string | undefined>;
}

/** Durable key/value state per integration: cursors and checkpoints that survive crashes and upgrades. */
export interface PluginStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface LedgerEntry {
  kind: string;
  externalId: string;
  revision: string;
  /** Host record produced from it (e.g. the invoice id), if any. */
  hostId?: string;
  seenAt: string;
}

/** External records already seen, so an order never yields two invoices. */
export interface PluginLedger {
  get(kind: string, externalId: string): Promise<LedgerEntry | undefined>;
  /** True when this exact revision was processed already. */
  has(kind: string, externalId: string, revision: string): Promise<boolean>;
}

export interface RecordInput {
  externalId: string;
  /** Changes when the marketplace record changes (e.g. updatedAt or an event id). */
  revision: string;
  /** The marketplace record the manifest mapping reads. */
  data: unknown;
}

export type UpsertOutcome =
  | { status: 'created'; hostId: string }
  | { status: 'updated'; hostId: string }
  | { status: 'unchanged'; hostId: string }
  | {
      status: 'skipped';
      /** Why, for this record ("order 123 is cancelled and was never invoiced; …"). */
      reason: string;
      /**
       * Why, in a few words shared by every record skipped for the same cause ("not paid yet",
       * "the buyer did not ask for an invoice"): a run's skips are counted by it (issue 13).
       */
      group?: string;
    };

/**
 * Turns marketplace records into host records through the manifest's mapping named `kind`
 * (e.g. 'invoice'), idempotently: the same externalId and revision twice changes nothing.
 */
export interface PluginRecords {
  upsert(kind: string, record: RecordInput): Promise<UpsertOutcome>;
  /** The same for a page of records in one transaction: the fast path for bulk syncs. */
  upsertMany(kind: string, records: readonly RecordInput[]): Promise<UpsertOutcome[]>;
}

export interface OutboundOperation {
  /** e.g. 'invoice-upload', 'order-acknowledge'. */
  kind: string;
  /** Idempotency key, unique per integration and kind (e.g. the order id). */
  key: string;
  payload?: unknown;
}

export type OutboundOutcome<T> =
  { status: 'done'; result: T; attempts: number } | { status: 'already-done'; result: T; attempts: number };

/**
 * Outbound operations take effect once: `fn` runs until it succeeds once per (kind, key); the host
 * records attempts, the last error and the marketplace's response. A later call returns the
 * recorded result without running `fn`. When `fn` throws a `RefusedError` the operation is
 * recorded as refused (status `dead`, the reason as its last error) and never run again; `once`
 * rethrows the error.
 */
export interface PluginOutbound {
  once<T>(operation: OutboundOperation, fn: () => Promise<T>): Promise<OutboundOutcome<T>>;
  /**
   * Operations of one kind that one marketplace call performs together (eMAG's
   * `order/attachments/save` takes 50): each is claimed as by `once`, in one round trip; `fn` gets
   * the claimed ones (never called with none) and its result is recorded for each of them. If `fn`
   * throws, each claimed operation is recorded as failed with the error, and is tried again by a later
   * call. Keys must be distinct. One outcome per operation, in the order given.
   */
  batch<T>(
    operations: readonly OutboundOperation[],
    fn: (claimed: OutboundOperation[]) => Promise<T>,
  ): Promise<OutboundBatchOutcome<T>[]>;
}

export type OutboundBatchOutcome<T> = { key: string } & (
  | OutboundOutcome<T>
  /** `fn` failed for this operation's call (the error it threw). */
  | { status: 'failed'; error: unknown; attempts: number }
  /** Another worker holds the operation right now: try again later. */
  | { status: 'busy' }
);

/** What a plugin may know of an invoice the host issued. */
export interface InvoiceSummary {
  id: string;
  number: string;
  /** The marketplace order it came from. */
  externalOrderId: string | null;
  status: 'issued' | 'paid' | 'cancelled';
  currency: string;
  grossTotal: string;
  issueDate: string;
}

/** Invoices the host produced, for upload back to the marketplace. */
export interface PluginInvoices {
  get(invoiceId: string): Promise<InvoiceSummary | undefined>;
  /**
   * This integration's invoices (not cancelled) with no succeeded or refused outbound operation
   * of `operationKind` keyed by their order id, oldest first: what still has to be sent (after a
   * crash, say).
   */
  without(operationKind: string, limit: number): Promise<InvoiceSummary[]>;
  pdf(invoiceId: string): Promise<Uint8Array>;
  /** A URL the marketplace can fetch the PDF from (signed, time-limited). */
  publicUrl(invoiceId: string): Promise<string>;
}

/** One line of a correction: by the invoice's line position or the line's SKU. */
export interface CorrectionLine {
  position?: number;
  sku?: string;
  /** Units that came back. */
  quantity?: number | string;
  /** Gross amount refunded on the line without units coming back. */
  amount?: number | string;
}

/** A correction of the invoice of one of the integration's orders (a return, refund or cancellation). */
export interface CorrectionRequest {
  /** The marketplace order whose invoice is corrected. */
  externalOrderId: string;
  /** Unique per invoice (a return's or refund's id): the same key never issues a second correction. */
  key: string;
  kind: 'cancellation' | 'return' | 'refund';
  /** Printed on the correction: why the invoice is corrected. */
  reason: string;
  /** Absent: everything left on the invoice (a correction to zero). */
  lines?: readonly CorrectionLine[];
}

export type CorrectionOutcome =
  /** `created` false: the key had issued it before (a retry, or a takeover after a crash). */
  | { status: 'issued'; created: boolean; correction: InvoiceSummary & { corrects: string } }
  /** The order has no invoice (never invoiced, or held): nothing to correct. */
  | { status: 'no-invoice' };

/**
 * Correction documents of the integration's invoices. The host issues them as frozen documents in
 * the company's correction series, once per (invoice, key); a request it cannot meet (more units
 * than were sold, a refund above what was paid, a line the invoice lacks) throws a ConfigError
 * saying what to fix, and issues nothing.
 */
export interface PluginCorrections {
  request(request: CorrectionRequest): Promise<CorrectionOutcome>;
  /** The corrections of an order's invoice, oldest first. */
  of(externalOrderId: string): Promise<(InvoiceSummary & { corrects: string })[]>;
  /**
   * The integration's corrections with no succeeded or refused outbound operation of
   * `operationKind` keyed by the correction's id, oldest first: what still has to be delivered.
   */
  without(operationKind: string, limit: number): Promise<(InvoiceSummary & { corrects: string })[]>;
}

/** An offer as the marketplace shows it (one page of a read), in the host's terms. */
export interface MarketplaceOffer {
  /** The marketplace's id of the offer (eMAG: the seller's internal product id). */
  externalId: string;
  name: string;
  sku?: string | null;
  partNumber?: string | null;
  ean?: string | null;
  /** Decimal strings, net of VAT, in `currency`. */
  price?: string | null;
  /** The bounds the marketplace accepts a price within, when it has them. */
  minPrice?: string | null;
  maxPrice?: string | null;
  currency?: string | null;
  /** VAT rate in percent ("21.00"), when known. */
  vatRate?: string | null;
  stock?: number | null;
  active?: boolean | null;
  /** Marketplace-specific fields the plugin needs again when pushing (kept as they are). */
  data?: Record<string, unknown>;
}

export interface OfferRecordOutcome {
  /** Offers seen for the first time. */
  added: number;
  /** Offers linked to a product by part number, EAN or SKU (or to a product created for them). */
  linked: number;
  /** Products created from offers (`importProducts`). */
  created: number;
  /** Offers that match more than one product, or a product another offer already holds. */
  conflicts: number;
  /** Linked offers whose values differ from what was last pushed: pushed again. */
  drifted: number;
}

/** What a linked offer should show: its product's current values and their version. */
export interface OfferPush {
  externalId: string;
  /** The product version these values are; passed back to `pushed`. */
  version: string;
  stock: number;
  /** Net sale price (decimal string) or null when the product has no price managed here. */
  price: string | null;
  active: boolean;
  vatRate: string;
  minPrice: string | null;
  maxPrice: string | null;
  currency: string | null;
  data: Record<string, unknown>;
}

export interface OfferPushResult {
  externalId: string;
  /** The version pushed (from `pending`); null: the attempt is recorded without counting as a push. */
  version: string | null;
  /** The values sent, if any were. */
  pushed?: Record<string, unknown>;
  /** The marketplace's answer. */
  answer?: unknown;
  /** What went wrong, in words a seller understands; absent when the push succeeded. */
  error?: string;
}

/**
 * The offers of this integration and the products they are linked to (manifest `offers`). The
 * host keeps a version per product; `pending` gives linked offers whose product changed since their
 * last recorded push, and `pushed` records a push only if nothing newer was recorded, so a change
 * made while a push is in flight is pushed again, and an old push never hides a newer change.
 */
export interface PluginOffers {
  /**
   * Stores a page of offers read and links them; `importProducts` creates products for unmatched
   * ones. A product made from an offer (or one without a price yet, which takes the offer's) holds
   * the offer's values: it counts as pushed unless `adoptedInStep` is false (the plugin would show
   * those values differently, e.g. less a stock buffer), in which case it is pushed once.
   */
  record(
    offers: readonly MarketplaceOffer[],
    options?: { importProducts?: boolean; adoptedInStep?: boolean },
  ): Promise<OfferRecordOutcome>;
  /** Up to `limit` linked offers whose product is newer than their last push, oldest change first. */
  pending(limit: number, options?: { exclude?: readonly string[] }): Promise<OfferPush[]>;
  pushed(results: readonly OfferPushResult[]): Promise<void>;
}

export interface PluginContext<Settings = Record<string, unknown>> {
  integration: IntegrationInfo;
  /** Validated settings without secrets (those come from `secrets`). */
  settings: Readonly<Settings>;
  secrets: PluginSecrets;
  /** Only the config variables the manifest declares, with defaults applied. */
  config: Readonly<Record<string, string | undefined>>;
  http: PluginHttp;
  log: Logger;
  store: PluginStore;
  ledger: PluginLedger;
  records: PluginRecords;
  outbound: PluginOutbound;
  invoices: PluginInvoices;
  /** The company's issued documents: only for plugins whose manifest declares `documents`. */
  documents?: PluginDocuments;
  corrections: PluginCorrections;
  offers: PluginOffers;
  /** Aborted when the run is cancelled or times out; pass it on to long waits. */
  signal: AbortSignal;
  /** Reports progress of the current run (shown live in the console). */
  progress(done: number, total?: number): void;
}
