import { randomUUID } from 'node:crypto';
import { hostChoiceSettings, type HostChoice } from '@mch/schemas';
import type { SqlPool } from '../db/orm.ts';
import { HostError, invalidInput, notFound } from '../errors.ts';
import { INVOICE_LAYOUTS, type InvoiceLayout, type RenderTemplate } from './pdf.ts';
import { isDocumentLanguage, type DocumentLanguage } from './pdf-document.ts';
import PDFDocument from './pdfkit.ts';

/** Largest logo accepted: a logo is printed 150×60 pt; more bytes only grow every PDF. */
export const MAX_LOGO_BYTES = 512 * 1024;
export const LOGO_TYPES = ['image/png', 'image/jpeg'] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

export interface InvoiceTemplateView {
  id: string;
  companyId: string;
  name: string;
  layout: InvoiceLayout;
  footerNote: string | null;
  secondLanguage: DocumentLanguage | null;
  logo: { type: LogoType; bytes: number } | null;
  updatedAt: string;
}

interface TemplateRow {
  id: string;
  company_id: string;
  name: string;
  layout: string;
  footer_note: string | null;
  second_language: string | null;
  logo_type: string | null;
  logo_bytes: number | null;
  updated_at: Date | string;
}

const COLUMNS = `id, company_id, name, layout, footer_note, second_language, logo_type,
  octet_length(logo) as logo_bytes, updated_at`;

const view = (r: TemplateRow): InvoiceTemplateView => ({
  id: r.id,
  companyId: r.company_id,
  name: r.name,
  layout: r.layout as InvoiceLayout,
  footerNote: r.footer_note,
  secondLanguage: isDocumentLanguage(r.second_language) ? r.second_language : null,
  logo: r.logo_type && r.logo_bytes ? { type: r.logo_type as LogoType, bytes: Number(r.logo_bytes) } : null,
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** Plugin id → the setting its manifest marks `x-host-choices: "invoiceTemplates"` (the first). */
export function invoiceTemplateSettings(
  plugins: readonly { id: string; manifest: { settings: object } }[],
): Map<string, string> {
  const settings = new Map<string, string>();
  for (const plugin of plugins) {
    for (const [name, list] of hostChoiceSettings(plugin.manifest.settings)) {
      if (list === 'invoiceTemplates' && !settings.has(plugin.id)) settings.set(plugin.id, name);
    }
  }
  return settings;
}

/** What a template says about the look of a document, read when a PDF is rendered. */
export function renderTemplateOf(row: {
  layout: string;
  footer_note: string | null;
  logo: Uint8Array | null;
}): RenderTemplate {
  const layout = (INVOICE_LAYOUTS as readonly string[]).includes(row.layout)
    ? (row.layout as InvoiceLayout)
    : 'classic';
  return { layout, footerNote: row.footer_note, logo: row.logo };
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * A logo as uploaded: PNG or JPEG (by its bytes, not its name), at most `MAX_LOGO_BYTES`, and
 * readable by the PDF renderer (a file that is not really an image is refused here, not on the
 * next invoice). Returns its type.
 */
export async function checkLogo(bytes: Uint8Array): Promise<LogoType> {
  const issue = (message: string) =>
    invalidInput(`The logo was not saved: ${message}`, [{ path: '/logo', code: 'INVALID_LOGO', message }]);
  if (bytes.length === 0) throw issue('the file is empty; choose a PNG or JPEG image');
  if (bytes.length > MAX_LOGO_BYTES)
    throw issue(
      `the file has ${bytes.length} bytes, over the ${MAX_LOGO_BYTES} allowed; use a smaller image`,
    );
  const type: LogoType | undefined = startsWith(bytes, PNG)
    ? 'image/png'
    : startsWith(bytes, JPEG)
      ? 'image/jpeg'
      : undefined;
  if (!type) throw issue('the file is not a PNG or JPEG image; export the logo as PNG or JPEG');
  try {
    await embedOnce(bytes);
  } catch (error) {
    throw issue(
      `the ${type === 'image/png' ? 'PNG' : 'JPEG'} file cannot be read (${error instanceof Error ? error.message : String(error)}); export it again`,
    );
  }
  return type;
}

/** Draws the image into a scratch PDF as an invoice would (decoding it whole), then drops it. */
function embedOnce(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', font: null as unknown as string });
    doc.on('data', () => undefined);
    doc.on('end', () => resolve());
    doc.on('error', reject);
    try {
      doc.image(Buffer.from(bytes), 0, 0, { fit: [150, 60] });
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

export interface TemplateFields {
  name: string;
  layout: InvoiceLayout;
  footerNote?: string | null;
  secondLanguage?: DocumentLanguage | null;
}

/** A tenant's invoice templates, one set per company. */
export class InvoiceTemplates {
  readonly #sql: SqlPool;

  constructor(sql: SqlPool) {
    this.#sql = sql;
  }

  async list(input: { tenantId: string; companyId?: string | null }): Promise<InvoiceTemplateView[]> {
    const { rows } = await this.#sql.query<TemplateRow>(
      `select ${COLUMNS} from invoice_templates
        where tenant_id = $1 and ($2::uuid is null or company_id = $2::uuid) order by name, id`,
      [input.tenantId, input.companyId ?? null],
    );
    return rows.map(view);
  }

  /** Choices for a host-choice setting: the company's templates (all the tenant's without one). */
  async choices(input: { tenantId: string; companyId?: string | null }): Promise<HostChoice[]> {
    return (await this.list(input)).map((t) => ({ value: t.id, label: `${t.name} (${t.layout})` }));
  }

  async create(
    input: { tenantId: string; companyId: string } & TemplateFields,
  ): Promise<InvoiceTemplateView> {
    const { rows: company } = await this.#sql.query<{ id: string }>(
      `select id from companies where id = $1 and tenant_id = $2`,
      [input.companyId, input.tenantId],
    );
    if (company.length === 0) throw notFound('The company');
    const id = randomUUID();
    try {
      await this.#sql.query(
        `insert into invoice_templates (id, tenant_id, company_id, name, layout, footer_note, second_language, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, now(), now())`,
        [
          id,
          input.tenantId,
          input.companyId,
          input.name,
          input.layout,
          input.footerNote ?? null,
          input.secondLanguage ?? null,
        ],
      );
    } catch (error) {
      throw duplicateName(error, input.name);
    }
    return this.#get(input.tenantId, id);
  }

  async update(
    input: { tenantId: string; id: string } & Partial<TemplateFields>,
  ): Promise<InvoiceTemplateView> {
    await this.#get(input.tenantId, input.id);
    try {
      await this.#sql.query(
        `update invoice_templates set
            name = coalesce($3, name), layout = coalesce($4, layout),
            footer_note = case when $5::boolean then $6 else footer_note end,
            second_language = case when $7::boolean then $8 else second_language end,
            updated_at = now()
          where tenant_id = $1 and id = $2`,
        [
          input.tenantId,
          input.id,
          input.name ?? null,
          input.layout ?? null,
          input.footerNote !== undefined,
          input.footerNote ?? null,
          input.secondLanguage !== undefined,
          input.secondLanguage ?? null,
        ],
      );
    } catch (error) {
      throw duplicateName(error, input.name ?? '');
    }
    return this.#get(input.tenantId, input.id);
  }

  /** Stores a checked logo (`checkLogo`), or removes it with `null`. */
  async setLogo(input: {
    tenantId: string;
    id: string;
    logo: Uint8Array | null;
  }): Promise<InvoiceTemplateView> {
    await this.#get(input.tenantId, input.id);
    const type = input.logo ? await checkLogo(input.logo) : null;
    await this.#sql.query(
      `update invoice_templates set logo = $3, logo_type = $4, updated_at = now() where tenant_id = $1 and id = $2`,
      [input.tenantId, input.id, input.logo ? Buffer.from(input.logo) : null, type],
    );
    return this.#get(input.tenantId, input.id);
  }

  async #get(tenantId: string, id: string): Promise<InvoiceTemplateView> {
    const { rows } = await this.#sql.query<TemplateRow>(
      `select ${COLUMNS} from invoice_templates where tenant_id = $1 and id = $2`,
      [tenantId, id],
    );
    if (!rows[0]) throw notFound('The invoice template');
    return view(rows[0]);
  }
}

function duplicateName(error: unknown, name: string): unknown {
  if ((error as { code?: string }).code !== '23505') return error;
  return new HostError(
    'CONFLICT',
    `The company already has a template named "${name}"; choose another name.`,
    {
      issues: [
        { path: '/name', code: 'DUPLICATE', message: 'is already used by another template of this company' },
      ],
    },
  );
}
