import { randomUUID } from 'node:crypto';
import type { SqlPool } from '../db/orm.ts';
import { HostError, invalidInput, notFound } from '../errors.ts';
import { forgetSeries } from '../records/invoice-sql.ts';

/**
 * A company's numbering series (issue 17 "Series"): per document type, a pattern such as
 * `FV/{yyyy}/{mm}/{n}` with a yearly or monthly reset, optionally the default for one currency.
 * Numbers are taken gap-free at issue (numbering.ts); an integration may choose the series its
 * invoices are numbered in (`integrations.series_id`), else each currency has its default.
 */

export const SERIES_RESETS = ['never', 'yearly', 'monthly'] as const;
export type SeriesReset = (typeof SERIES_RESETS)[number];
export const SERIES_DOCUMENT_TYPES = ['invoice', 'correction'] as const;
export type SeriesDocumentType = (typeof SERIES_DOCUMENT_TYPES)[number];

export interface InvoiceSeriesView {
  id: string;
  companyId: string;
  /** The company's name, to tell apart series of the same code when a tenant has several companies. */
  companyName: string;
  code: string;
  pattern: string;
  reset: SeriesReset;
  documentType: SeriesDocumentType;
  currency: string | null;
  isDefault: boolean;
  /** Documents numbered in it so far (its pattern stays; its reset is fixed once it has any). */
  issued: number;
}

interface SeriesRow {
  id: string;
  company_id: string;
  company_name: string;
  code: string;
  pattern: string;
  reset: string;
  document_type: string;
  currency: string | null;
  is_default: boolean;
  issued: string;
}

const SELECT = `
  select s.id, s.company_id, c.name as company_name, s.code, s.pattern, s.reset, s.document_type, s.currency,
         s.is_default, (select count(*) from invoices i where i.series_id = s.id)::text as issued
    from invoice_series s join companies c on c.id = s.company_id`;

const view = (r: SeriesRow): InvoiceSeriesView => ({
  id: r.id,
  companyId: r.company_id,
  companyName: r.company_name,
  code: r.code,
  pattern: r.pattern,
  reset: r.reset as SeriesReset,
  documentType: r.document_type as SeriesDocumentType,
  currency: r.currency,
  isDefault: r.is_default,
  issued: Number(r.issued),
});

/** What is wrong with a pattern, or null: it needs `{n}` and may only use the known tokens. */
export function patternIssue(pattern: string, reset: SeriesReset): string | null {
  if (!pattern.includes('{n}') && !/\{n:\d{1,2}\}/.test(pattern))
    return 'must contain {n} (the running number), e.g. FV/{yyyy}/{mm}/{n}';
  const unknown = [...pattern.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^(code|yyyy|yy|mm|dd|n|n:\d{1,2})$/.test(t));
  if (unknown.length)
    return `uses ${unknown.map((t) => `{${t}}`).join(', ')}, which is not one of {code}, {yyyy}, {yy}, {mm}, {dd}, {n}, {n:6}`;
  // A number must name its period, or two documents could carry the same one.
  if (reset === 'yearly' && !/\{yyyy\}|\{yy\}/.test(pattern))
    return 'resets every year, so it must contain the year ({yyyy} or {yy})';
  if (reset === 'monthly' && !(/\{yyyy\}|\{yy\}/.test(pattern) && pattern.includes('{mm}')))
    return 'resets every month, so it must contain the year and the month ({yyyy} and {mm})';
  return null;
}

export interface SeriesFields {
  code: string;
  pattern: string;
  reset: SeriesReset;
  documentType: SeriesDocumentType;
  currency: string | null;
}

export class InvoiceSeriesStore {
  readonly #sql: SqlPool;

  constructor(sql: SqlPool) {
    this.#sql = sql;
  }

  async list(input: { tenantId: string; companyId?: string | null }): Promise<InvoiceSeriesView[]> {
    const { rows } = await this.#sql.query<SeriesRow>(
      `${SELECT} where s.tenant_id = $1 and ($2::uuid is null or s.company_id = $2::uuid)
        order by s.document_type, s.code`,
      [input.tenantId, input.companyId ?? null],
    );
    return rows.map(view);
  }

  async create(input: { tenantId: string; companyId: string } & SeriesFields): Promise<InvoiceSeriesView> {
    const issue = patternIssue(input.pattern, input.reset);
    if (issue)
      throw invalidInput(`The series was not saved: its pattern ${issue}.`, [
        { path: '/pattern', code: 'INVALID_PATTERN', message: issue },
      ]);
    const id = randomUUID();
    try {
      const { rowCount } = await this.#sql.query(
        `insert into invoice_series (id, tenant_id, company_id, code, pattern, next_number, is_default, document_type, reset, currency, created_at)
         select $1, $2, c.id, $4, $5, 1, false, $6, $7, $8, now() from companies c where c.id = $3 and c.tenant_id = $2`,
        [
          id,
          input.tenantId,
          input.companyId,
          input.code,
          input.pattern,
          input.documentType,
          input.reset,
          input.currency,
        ],
      );
      if (!rowCount) throw notFound('The company');
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      throw new HostError(
        'CONFLICT',
        `The company already has a series coded "${input.code}"; choose another code.`,
        {
          issues: [
            {
              path: '/code',
              code: 'DUPLICATE',
              message: 'is already used by another series of this company',
            },
          ],
        },
      );
    }
    return this.#get(input.tenantId, id);
  }

  /** Changes the pattern or currency; the reset only while nothing is numbered in the series. */
  async update(input: {
    tenantId: string;
    id: string;
    pattern?: string;
    reset?: SeriesReset;
    currency?: string | null;
  }): Promise<InvoiceSeriesView> {
    const current = await this.#get(input.tenantId, input.id);
    const reset = input.reset ?? current.reset;
    const pattern = input.pattern ?? current.pattern;
    if (reset !== current.reset && current.issued > 0)
      throw invalidInput(
        `The series was not saved: ${current.issued} documents are numbered in ${current.code} already, so its reset stays "${current.reset}"; create a new series for the new reset.`,
        [
          {
            path: '/reset',
            code: 'SERIES_IN_USE',
            message: 'cannot change once documents are numbered in it',
          },
        ],
      );
    const issue = patternIssue(pattern, reset);
    if (issue)
      throw invalidInput(`The series was not saved: its pattern ${issue}.`, [
        {
          path: input.pattern === undefined ? '/reset' : '/pattern',
          code: 'INVALID_PATTERN',
          message: issue,
        },
      ]);
    await this.#sql.query(
      `update invoice_series set pattern = $3, reset = $4,
              currency = case when $5::boolean then $6 else currency end
        where tenant_id = $1 and id = $2`,
      [input.tenantId, input.id, pattern, reset, input.currency !== undefined, input.currency ?? null],
    );
    forgetSeries();
    return this.#get(input.tenantId, input.id);
  }

  /**
   * The series an integration's invoices are numbered in now (null: the default per currency), and
   * the company it invoices for (its own, else the tenant's default), whose series it may choose.
   */
  async chosen(input: { tenantId: string; integrationId: string }): Promise<{
    seriesId: string | null;
    companyId: string | null;
  }> {
    const { rows } = await this.#sql.query<{ series_id: string | null; company_id: string | null }>(
      `select g.series_id,
              coalesce(g.company_id, (select c.id from companies c where c.tenant_id = g.tenant_id
                                       order by c.is_default desc, c.created_at limit 1)) as company_id
         from integrations g where g.id = $1 and g.tenant_id = $2`,
      [input.integrationId, input.tenantId],
    );
    if (!rows[0]) throw notFound('The integration');
    return { seriesId: rows[0].series_id, companyId: rows[0].company_id };
  }

  /**
   * The series an integration's invoices are numbered in: one of its company's invoice series, or
   * null for the default per currency. Refused with the field named when the series is not one.
   */
  async choose(input: { tenantId: string; integrationId: string; seriesId: string | null }): Promise<void> {
    const { companyId } = await this.chosen(input);
    if (input.seriesId !== null) {
      const { rows: series } = await this.#sql.query<{ document_type: string; company_id: string }>(
        `select document_type, company_id from invoice_series where id = $1 and tenant_id = $2`,
        [input.seriesId, input.tenantId],
      );
      const problem = !series[0]
        ? 'is not one of your series'
        : series[0].document_type !== 'invoice'
          ? `numbers ${series[0].document_type} documents, not invoices`
          : series[0].company_id !== companyId
            ? 'belongs to another company than the one this integration invoices for'
            : null;
      if (problem)
        throw invalidInput(
          `The series was not chosen: it ${problem}. Pick one of the company's invoice series.`,
          [{ path: '/seriesId', code: 'INVALID_SERIES', message: problem }],
        );
    }
    await this.#sql.query(
      `update integrations set series_id = $3, updated_at = now() where id = $1 and tenant_id = $2`,
      [input.integrationId, input.tenantId, input.seriesId],
    );
    forgetSeries();
  }

  async #get(tenantId: string, id: string): Promise<InvoiceSeriesView> {
    const { rows } = await this.#sql.query<SeriesRow>(`${SELECT} where s.tenant_id = $1 and s.id = $2`, [
      tenantId,
      id,
    ]);
    if (!rows[0]) throw notFound('The series');
    return view(rows[0]);
  }
}
