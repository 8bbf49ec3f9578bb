import type { HostServices } from '../app/services.ts';
import { HostError } from '../errors.ts';

/** One marketplace offer of a product, as the products page shows it. */
export interface ProductOfferView {
  integrationId: string;
  pluginId: string;
  externalId: string;
  linkState: string;
  linkNote: string | null;
  price: string | null;
  minPrice: string | null;
  maxPrice: string | null;
  stock: number | null;
  /** The product changed since the last recorded push. */
  pending: boolean;
  pushed: Record<string, unknown> | null;
  pushedAt: string | null;
  answer: unknown;
  lastError: string | null;
}

export interface ProductView {
  id: string;
  source: string;
  externalId: string;
  sku: string | null;
  ean: string | null;
  partNumber: string | null;
  name: string;
  vatRate: string;
  price: string | null;
  currency: string | null;
  stock: number;
  active: boolean;
  version: string;
  offers: ProductOfferView[];
}

export interface ProductChange {
  id: string;
  name?: string;
  sku?: string | null;
  ean?: string | null;
  partNumber?: string | null;
  vatRate?: string;
  price?: string | null;
  stock?: number;
  active?: boolean;
}

type Services = Pick<HostServices, 'db' | 'plugins' | 'sync' | 'logger'>;

/**
 * The tenant's products (issue 15): searchable, editable one by one or in bulk, each with its
 * marketplace offers. A change to stock, price, status or VAT bumps the product's version (database
 * trigger) and starts the push job of every integration with an offer linked to it.
 */
export class Products {
  readonly #s: Services;
  constructor(services: Services) {
    this.#s = services;
  }

  async list(input: {
    tenantId: string;
    q?: string;
    linkState?: 'linked' | 'conflict' | 'unlinked';
    limit?: number;
    offset?: number;
  }): Promise<{ products: ProductView[]; total: number }> {
    const q = input.q?.trim() ? `%${input.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const where = `p.tenant_id = $1
      and ($2::text is null or p.name ilike $2 or p.sku ilike $2 or p.ean ilike $2 or p.part_number ilike $2)
      and ($3::text is null or exists (select 1 from product_offers o where o.product_id = p.id and o.link_state = $3))`;
    const params = [input.tenantId, q, input.linkState ?? null];
    const pool = this.#s.db.pool;
    const [{ rows }, { rows: totals }] = await Promise.all([
      pool.query<{
        id: string;
        source: string;
        external_id: string;
        sku: string | null;
        ean: string | null;
        part_number: string | null;
        name: string;
        vat_rate: string;
        price: string | null;
        currency: string | null;
        stock: number;
        active: boolean;
        version: string;
      }>(
        `select p.id, p.source, p.external_id, p.sku, p.ean, p.part_number, p.name, p.vat_rate::text as vat_rate,
                p.price::text as price, p.currency, p.stock, p.active, p.version::text as version
           from products p where ${where}
          order by p.name, p.id limit $4 offset $5`,
        [...params, input.limit ?? 50, input.offset ?? 0],
      ),
      pool.query<{ n: number }>(`select count(*)::int as n from products p where ${where}`, params),
    ]);
    const offers = await this.#offersOf(
      input.tenantId,
      rows.map((r) => r.id),
    );
    return {
      total: totals[0]?.n ?? 0,
      products: rows.map((r) => ({
        id: r.id,
        source: r.source,
        externalId: r.external_id,
        sku: r.sku,
        ean: r.ean,
        partNumber: r.part_number,
        name: r.name,
        vatRate: r.vat_rate,
        price: r.price,
        currency: r.currency,
        stock: r.stock,
        active: r.active,
        version: r.version,
        offers: offers.get(r.id) ?? [],
      })),
    };
  }

  /** Offers that match more than one product or a product another offer holds: to be fixed by a person. */
  async conflicts(input: { tenantId: string; limit?: number }): Promise<ProductOfferView[]> {
    const { rows } = await this.#s.db.pool.query<OfferRow>(
      `${OFFER_SELECT} where o.tenant_id = $1 and o.link_state = 'conflict' order by o.external_id limit $2`,
      [input.tenantId, input.limit ?? 100],
    );
    return rows.map(toOfferView);
  }

  async #offersOf(tenantId: string, productIds: string[]): Promise<Map<string, ProductOfferView[]>> {
    const byProduct = new Map<string, ProductOfferView[]>();
    if (productIds.length === 0) return byProduct;
    const { rows } = await this.#s.db.pool.query<OfferRow & { product_id: string }>(
      `${OFFER_SELECT} where o.tenant_id = $1 and o.product_id = any($2::uuid[]) order by o.external_id`,
      [tenantId, productIds],
    );
    for (const r of rows)
      byProduct.set(r.product_id, [...(byProduct.get(r.product_id) ?? []), toOfferView(r)]);
    return byProduct;
  }

  /**
   * Applies changes to up to 1000 products at once, all or none; then starts the push job of each
   * integration whose offers are linked to a changed product.
   */
  async update(input: { tenantId: string; changes: readonly ProductChange[] }): Promise<{ updated: number }> {
    const { changes } = input;
    if (changes.length === 0) return { updated: 0 };
    const ids = new Set(changes.map((c) => c.id));
    if (ids.size !== changes.length)
      throw new HostError('BAD_REQUEST', 'Each product may appear only once in one change.');
    const pool = this.#s.db.pool;
    const { rows: known } = await pool.query<{ id: string }>(
      'select id from products where tenant_id = $1 and id = any($2::uuid[])',
      [input.tenantId, [...ids]],
    );
    if (known.length !== ids.size) {
      const found = new Set(known.map((r) => r.id));
      const missing = [...ids].filter((id) => !found.has(id));
      throw new HostError(
        'NOT_FOUND',
        `${missing.length} of the products were not found (${missing.slice(0, 5).join(', ')}); nothing was saved. Reload the list and try again.`,
      );
    }
    const { rows } = await pool.query<{ id: string }>(
      `update products p set
          name = coalesce(c.name, p.name),
          sku = case when c.has_sku then c.sku else p.sku end,
          ean = case when c.has_ean then c.ean else p.ean end,
          part_number = case when c.has_part_number then c.part_number else p.part_number end,
          vat_rate = coalesce(c.vat_rate, p.vat_rate),
          price = case when c.has_price then c.price else p.price end,
          stock = coalesce(c.stock, p.stock),
          active = coalesce(c.active, p.active),
          updated_at = now()
         from jsonb_to_recordset($2::jsonb) as c(id uuid, name text, has_sku boolean, sku text, has_ean boolean,
              ean text, has_part_number boolean, part_number text, vat_rate numeric, has_price boolean,
              price numeric, stock int, active boolean)
        where p.id = c.id and p.tenant_id = $1
        returning p.id`,
      [
        input.tenantId,
        JSON.stringify(
          changes.map((c) => ({
            id: c.id,
            name: c.name ?? null,
            has_sku: c.sku !== undefined,
            sku: c.sku ?? null,
            has_ean: c.ean !== undefined,
            ean: c.ean ?? null,
            has_part_number: c.partNumber !== undefined,
            part_number: c.partNumber ?? null,
            vat_rate: c.vatRate ?? null,
            has_price: c.price !== undefined,
            price: c.price ?? null,
            stock: c.stock ?? null,
            active: c.active ?? null,
          })),
        ),
      ],
    );
    await this.pushChanged(input.tenantId, [...ids]);
    return { updated: rows.length };
  }

  /** Starts the push job of each integration with an offer linked to one of `productIds`. */
  async pushChanged(tenantId: string, productIds: readonly string[]): Promise<void> {
    const { rows } = await this.#s.db.pool.query<{ integration_id: string; plugin_id: string }>(
      `select distinct o.integration_id, i.plugin_id from product_offers o join integrations i on i.id = o.integration_id
        where o.tenant_id = $1 and o.product_id = any($2::uuid[]) and o.link_state = 'linked' and i.status = 'active'`,
      [tenantId, productIds],
    );
    for (const r of rows) {
      const jobId = this.#s.plugins.get(r.plugin_id)?.manifest.offers?.pushJob;
      if (!jobId) continue;
      try {
        await this.#s.sync.trigger({
          integrationId: r.integration_id,
          tenantId,
          jobId,
          trigger: 'follow_up',
          follows: 'products were changed',
        });
      } catch (error) {
        // The reconciliation schedule pushes it later; the change itself is saved.
        this.#s.logger.warn(
          { err: error, integrationId: r.integration_id },
          'offer push could not be started',
        );
      }
    }
  }

  /** Reads the integration's offers again (its manifest `offers.readJob`): links them and creates products. */
  async importFromOffers(input: { tenantId: string; integrationId: string }): Promise<{ runId: string }> {
    const { rows } = await this.#s.db.pool.query<{ plugin_id: string }>(
      'select plugin_id from integrations where id = $1 and tenant_id = $2',
      [input.integrationId, input.tenantId],
    );
    if (!rows[0]) throw new HostError('NOT_FOUND', 'The integration was not found.');
    const plugin = this.#s.plugins.get(rows[0].plugin_id);
    const jobId = plugin?.manifest.offers?.readJob;
    if (!jobId)
      throw new HostError(
        'PRECONDITION_FAILED',
        `${plugin?.manifest.name ?? 'This connector'} has no offers to import.`,
      );
    return this.#s.sync.trigger({ ...input, jobId, trigger: 'manual' });
  }
}

interface OfferRow {
  integration_id: string;
  plugin_id: string;
  external_id: string;
  link_state: string;
  link_note: string | null;
  price: string | null;
  min_price: string | null;
  max_price: string | null;
  stock: number | null;
  pending: boolean;
  pushed: Record<string, unknown> | null;
  pushed_at: Date | null;
  answer: unknown;
  last_error: string | null;
}

const OFFER_SELECT = `select o.integration_id, i.plugin_id, o.product_id, o.external_id, o.link_state, o.link_note,
       o.price::text as price, o.min_price::text as min_price, o.max_price::text as max_price, o.stock,
       coalesce(p.version > o.pushed_version, false) as pending, o.pushed, o.pushed_at, o.answer, o.last_error
  from product_offers o join integrations i on i.id = o.integration_id left join products p on p.id = o.product_id`;

const toOfferView = (r: OfferRow): ProductOfferView => ({
  integrationId: r.integration_id,
  pluginId: r.plugin_id,
  externalId: r.external_id,
  linkState: r.link_state,
  linkNote: r.link_note,
  price: r.price,
  minPrice: r.min_price,
  maxPrice: r.max_price,
  stock: r.stock,
  pending: r.pending,
  pushed: r.pushed,
  pushedAt: r.pushed_at ? new Date(r.pushed_at).toISOString() : null,
  answer: r.answer,
  lastError: r.last_error,
});
