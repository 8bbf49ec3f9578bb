import type { SqlPool } from '../db/orm.ts';
import type { Logger } from '../logging/logger.ts';
import type { FrozenDocument } from './frozen-document.ts';
import type { InvoicePdfInput } from './pdf.ts';
import { PdfRenderPool } from './pdf-pool.ts';
import { isDocumentLanguage } from './pdf-document.ts';
import { renderTemplateOf } from './invoice-templates.ts';
import {
  fromFrozenDocument,
  fromStoredInvoice,
  type StoredInvoiceRow,
  type StoredLineRow,
} from './renderable-invoice.ts';

export interface InvoiceDocumentsOptions {
  pool: SqlPool;
  logger: Logger;
  /** Render threads (`INVOICE_PDF_THREADS`); 0 renders on the event loop. */
  threads?: number;
  /** Rendered PDFs kept in memory, in bytes (least recently used go first). */
  cacheBytes?: number;
  /** How long a rendered PDF is kept. */
  cacheTtlMs?: number;
  /** Plugin id → its setting that picks the invoice template (`invoiceTemplateSettings`). */
  templateSettings?: ReadonlyMap<string, string>;
}

interface Cached {
  pdf: Buffer;
  at: number;
}

/** An invoice with its issuer, as stored, and the version it was read at. */
interface Source {
  id: string;
  key: string;
  row: SourceRow;
}

interface SourceRow extends StoredInvoiceRow {
  id: string;
  tenant_id: string;
  /** The document frozen at issue; null for an invoice issued before documents were frozen. */
  document: FrozenDocument | null;
  /** The clearance a clearance plugin stored (number and QR printed on the PDF). */
  clearance: {
    number?: string | null;
    qr?: { payload?: string; label?: string } | null;
    qrCodes?: { payload?: string; label?: string }[] | null;
  } | null;
  stamp: string;
  company_stamp: string | null;
  template_id: string | null;
  template_layout: string | null;
  template_footer_note: string | null;
  template_second_language: string | null;
  template_stamp: string | null;
}

interface LineRow extends StoredLineRow {
  invoice_id: string;
}

const SOURCES = `
  select i.id, i.tenant_id, i.number, i.issue_date, i.sale_date, i.currency, i.net_total::text as net_total,
         i.vat_total::text as vat_total, i.gross_total::text as gross_total, i.status, i.paid_at,
         i.external_order_id, i.buyer, i.document, i.clearance, i.updated_at::text as stamp,
         c.name as company_name, c.tax_id as company_tax_id,
         c.registration_number as company_registration_number, c.address as company_address,
         c.country as company_country, c.updated_at::text as company_stamp,
         t.id as template_id, t.layout as template_layout, t.footer_note as template_footer_note,
         t.second_language as template_second_language, t.updated_at::text as template_stamp
    from invoices i left join companies c on c.id = i.company_id
    left join integrations g on g.id = i.integration_id
    left join invoice_templates t on t.tenant_id = i.tenant_id
     and t.id::text = g.settings ->> (select m.setting from unnest($2::text[], $3::text[]) as m(plugin, setting)
                                       where m.plugin = g.plugin_id)
   where i.id = any($1::uuid[])`;

const LOGOS = `select id, logo from invoice_templates where id = any($1::uuid[]) and logo is not null`;

/** Logos frozen into documents, by tenant and SHA-256 (`invoice_logos`, never updated). */
const FROZEN_LOGOS = `
  select l.tenant_id || '|' || l.sha256 as key, l.logo
    from unnest($1::uuid[], $2::text[]) k(tenant_id, sha256)
    join invoice_logos l on l.tenant_id = k.tenant_id and l.sha256 = k.sha256`;

/** Whether the document carries the template it was issued with (then nothing else dresses it). */
const frozenTemplateOf = (r: SourceRow) =>
  r.document?.template === undefined ? undefined : r.document.template;

const LINES = `
  select invoice_id, position, name, quantity::text as quantity, unit_net::text as unit_net,
         vat_rate::text as vat_rate, net_amount::text as net_amount, vat_amount::text as vat_amount,
         gross_amount::text as gross_amount
    from invoice_lines where invoice_id = any($1::uuid[]) order by invoice_id, position`;

/**
 * Invoice PDFs for downloads, uploads and the public links marketplaces fetch.
 *
 * Rendering runs on worker threads (`PdfRenderPool`). A PDF handed out is often fetched again
 * soon, and a public link is asked for right before a marketplace downloads it (eMAG fetches
 * every link of an `order/attachments/save` call while the call is open), so `prepare` renders
 * ahead — the links of one call are read in one query — and rendered PDFs are kept a while, keyed
 * by the invoice and its issuer as last changed: a paid or cancelled invoice, or an edited company,
 * renders anew. Two requests for the same PDF share one render.
 */
export class InvoiceDocuments {
  readonly #sql: SqlPool;
  readonly #logger: Logger;
  readonly #renderer: PdfRenderPool;
  readonly #cacheBytes: number;
  readonly #ttlMs: number;
  readonly #templatePlugins: string[];
  readonly #templateSettings: string[];
  /** Insertion order is recency order: a hit moves its entry to the end. */
  readonly #cache = new Map<string, Cached>();
  readonly #rendering = new Map<string, Promise<Buffer>>();
  #bytes = 0;
  #queued = new Set<string>();

  constructor(options: InvoiceDocumentsOptions) {
    this.#sql = options.pool;
    this.#logger = options.logger;
    this.#renderer = new PdfRenderPool(options.threads === undefined ? {} : { threads: options.threads });
    this.#cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
    this.#ttlMs = options.cacheTtlMs ?? 15 * 60_000;
    this.#templatePlugins = [...(options.templateSettings?.keys() ?? [])];
    this.#templateSettings = [...(options.templateSettings?.values() ?? [])];
    this.templateSettings = new Map(options.templateSettings ?? []);
  }

  /** Plugin id → its setting that picks the invoice template (frozen into documents at issue). */
  readonly templateSettings: ReadonlyMap<string, string>;

  /** The invoice's PDF as stored now, or undefined if there is no such invoice (callers check access). */
  async pdf(invoiceId: string): Promise<Buffer | undefined> {
    const [source] = await this.#sources([invoiceId]);
    if (!source) return undefined;
    return this.#take(source.key) ?? this.#rendering.get(source.key) ?? this.#render([source])[0]!;
  }

  /** Renders in the background a PDF about to be downloaded; a failure shows on the download. */
  prepare(invoiceId: string): void {
    if (this.#queued.size === 0) setImmediate(() => this.#prepareQueued());
    this.#queued.add(invoiceId);
  }

  /** Starts the render threads and renders a sample on each, so a first download is not slow. */
  async warmUp(): Promise<void> {
    await this.#renderer.warmUp(WARM_UP_SAMPLE);
  }

  async close(): Promise<void> {
    this.#cache.clear();
    this.#bytes = 0;
    await this.#renderer.close();
  }

  #prepareQueued(): void {
    const ids = [...this.#queued];
    this.#queued = new Set();
    this.#sources(ids)
      .then((sources) => {
        const todo = sources.filter((s) => !this.#cache.has(s.key) && !this.#rendering.has(s.key));
        for (const pending of this.#render(todo)) pending.catch(() => undefined);
      })
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'invoice PDFs not rendered ahead'));
  }

  async #sources(ids: readonly string[]): Promise<Source[]> {
    const { rows } = await this.#sql.query<SourceRow>(SOURCES, [
      ids,
      this.#templatePlugins,
      this.#templateSettings,
    ]);
    return rows.map((r) => ({
      id: r.id,
      // Frozen documents: nothing but the invoice's own status changes the PDF (nor its template,
      // frozen too since documents carry it); an invoice issued before documents were frozen
      // prints the company as it is now, and one issued before templates were frozen the
      // integration's current template.
      key:
        frozenTemplateOf(r) === undefined
          ? `${r.id}|${r.stamp}|${r.document ? '' : (r.company_stamp ?? '')}|${r.template_id ?? ''}|${r.template_stamp ?? ''}`
          : `${r.id}|${r.stamp}|frozen`,
      row: r,
    }));
  }

  /** Starts rendering the sources (their lines read in one query); each is registered as in flight at once. */
  #render(sources: readonly Source[]): Promise<Buffer>[] {
    if (sources.length === 0) return [];
    const legacy = sources.filter((s) => !s.row.document).map((s) => s.id);
    const templateIds = [
      ...new Set(
        sources.flatMap((s) =>
          s.row.template_id && frozenTemplateOf(s.row) === undefined ? [s.row.template_id] : [],
        ),
      ),
    ];
    const frozenLogos = sources.flatMap((s) => {
      const sha = frozenTemplateOf(s.row)?.logoSha256;
      return sha ? [{ tenantId: s.row.tenant_id, sha }] : [];
    });
    const lines = Promise.all([
      legacy.length === 0 ? { rows: [] as LineRow[] } : this.#sql.query<LineRow>(LINES, [legacy]),
      templateIds.length === 0
        ? { rows: [] }
        : this.#sql.query<{ id: string; logo: Uint8Array }>(LOGOS, [templateIds]),
      frozenLogos.length === 0
        ? { rows: [] }
        : this.#sql.query<{ key: string; logo: Uint8Array }>(FROZEN_LOGOS, [
            frozenLogos.map((l) => l.tenantId),
            frozenLogos.map((l) => l.sha),
          ]),
    ]).then(([lineRows, logoRows, frozenLogoRows]) => ({
      byInvoice: Map.groupBy(lineRows.rows, (r) => r.invoice_id),
      logos: new Map(logoRows.rows.map((r) => [r.id, r.logo])),
      frozenLogos: new Map(frozenLogoRows.rows.map((r) => [r.key, r.logo])),
    }));
    return sources.map((source) => {
      const pending = lines
        .then(({ byInvoice, logos, frozenLogos }) => {
          const r = source.row;
          const document = r.document
            ? fromFrozenDocument(r.document, { status: r.status, paidAt: r.paid_at })
            : fromStoredInvoice(r, byInvoice.get(source.id) ?? []);
          // Printed once there is a number or a verification code (e.g. issued offline, not yet cleared).
          if (r.clearance?.number || r.clearance?.qr?.payload)
            document.clearance = {
              number: r.clearance.number ?? null,
              qrPayload: r.clearance.qr?.payload ?? null,
              qrLabel: r.clearance.qr?.label ?? null,
              codes: (r.clearance.qrCodes ?? []).flatMap((c) =>
                c.payload ? [{ payload: c.payload, label: c.label ?? null }] : [],
              ),
            };
          const frozen = frozenTemplateOf(r);
          if (frozen === null) return this.#renderer.render({ document });
          if (frozen) {
            if (isDocumentLanguage(frozen.secondLanguage)) document.secondLanguage = frozen.secondLanguage;
            const logo = frozen.logoSha256 ? frozenLogos.get(`${r.tenant_id}|${frozen.logoSha256}`) : null;
            if (frozen.logoSha256 && !logo)
              throw new Error(`the logo of invoice ${r.number} (${frozen.logoSha256}) is missing`);
            const template = renderTemplateOf({
              layout: frozen.layout,
              footer_note: frozen.footerNote,
              logo: logo ?? null,
            });
            return this.#renderer.render({ document, template });
          }
          if (!r.template_id || !r.template_layout) return this.#renderer.render({ document });
          if (isDocumentLanguage(r.template_second_language))
            document.secondLanguage = r.template_second_language;
          const template = renderTemplateOf({
            layout: r.template_layout,
            footer_note: r.template_footer_note,
            logo: logos.get(r.template_id) ?? null,
          });
          return this.#renderer.render({ document, template });
        })
        .then(
          (pdf) => {
            this.#rendering.delete(source.key);
            this.#keep(source.key, pdf);
            return pdf;
          },
          (error: unknown) => {
            this.#rendering.delete(source.key);
            throw error;
          },
        );
      this.#rendering.set(source.key, pending);
      return pending;
    });
  }

  #take(key: string): Buffer | undefined {
    const entry = this.#cache.get(key);
    if (!entry) return undefined;
    this.#cache.delete(key);
    if (Date.now() - entry.at > this.#ttlMs) {
      this.#bytes -= entry.pdf.length;
      return undefined;
    }
    this.#cache.set(key, entry);
    return entry.pdf;
  }

  #keep(key: string, pdf: Buffer): void {
    if (pdf.length > this.#cacheBytes) return;
    const old = this.#cache.get(key);
    if (old) this.#bytes -= old.pdf.length;
    this.#cache.delete(key);
    this.#cache.set(key, { pdf, at: Date.now() });
    this.#bytes += pdf.length;
    for (const [oldest, entry] of this.#cache) {
      if (this.#bytes <= this.#cacheBytes) break;
      this.#cache.delete(oldest);
      this.#bytes -= entry.pdf.length;
    }
  }
}

const WARM_UP_SAMPLE: InvoicePdfInput = {
  document: {
    type: 'invoice',
    number: 'WARM-UP/1',
    issueDate: '2026-01-01',
    saleDate: '2026-01-01',
    language: 'pl',
    currency: 'PLN',
    seller: { name: 'Warm-up' },
    buyer: { name: 'Zażółć gęślą jaźń — Știință, Győr, Съединение' },
    lines: [
      {
        name: 'Próbka',
        quantity: '1.000',
        unitNet: '1.0000',
        vatRate: '23.00',
        net: '1.00',
        vat: '0.23',
        gross: '1.23',
      },
    ],
    totals: { net: '1.00', vat: '0.23', gross: '1.23' },
  },
};
