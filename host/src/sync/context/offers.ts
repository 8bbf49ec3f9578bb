import type { MarketplaceOffer, OfferPush, OfferRecordOutcome, PluginOffers } from '@mch/plugin-sdk';
import type { SqlPool } from '../../db/orm.ts';

interface Candidate {
  id: string;
  sku: string | null;
  part_number: string | null;
  ean: string | null;
}

const clean = (v: string | null | undefined) =>
  v === undefined || v === null || v.trim() === '' ? null : v.trim();

/**
 * Which product an offer belongs to: the products whose part number, EAN or SKU equal the offer's.
 * One product: linked. None: unlinked. Several: a conflict naming which key matched which product,
 * so a person can fix the product data.
 */
export function matchOffer(
  offer: Pick<MarketplaceOffer, 'sku' | 'partNumber' | 'ean'>,
  candidates: readonly Candidate[],
): { productId: string } | { conflict: string } | undefined {
  const keys: [string, string | null, (c: Candidate) => string | null][] = [
    ['part number', clean(offer.partNumber), (c) => c.part_number],
    ['EAN', clean(offer.ean), (c) => c.ean],
    ['SKU', clean(offer.sku), (c) => c.sku],
  ];
  const found = new Map<string, string[]>();
  for (const [label, value, of] of keys) {
    if (value === null) continue;
    for (const c of candidates) {
      if (of(c) !== value) continue;
      found.set(c.id, [...(found.get(c.id) ?? []), `${label} ${value}`]);
    }
  }
  if (found.size === 0) return undefined;
  if (found.size === 1) return { productId: [...found.keys()][0]! };
  return {
    conflict: `Matches ${found.size} products: ${[...found.values()].map((why) => why.join(' and ')).join('; ')}. Give each product its own part number, EAN and SKU.`,
  };
}

/**
 * `ctx.offers` (SDK `PluginOffers`): this integration's offers, linked to the tenant's products.
 * Every query is scoped by integration (writes) and tenant (product lookups).
 */
export function createPluginOffers(options: {
  pool: SqlPool;
  tenantId: string;
  integrationId: string;
  pluginId: string;
}): PluginOffers {
  const { pool, tenantId, integrationId, pluginId } = options;
  return {
    async record(offers, recordOptions) {
      const outcome: OfferRecordOutcome = { added: 0, linked: 0, created: 0, conflicts: 0, drifted: 0 };
      if (offers.length === 0) return outcome;
      const inStep = recordOptions?.adoptedInStep ?? true;
      const rows = offers.map((o) => ({
        external_id: o.externalId,
        name: o.name.slice(0, 500),
        sku: clean(o.sku),
        part_number: clean(o.partNumber),
        ean: clean(o.ean),
        price: o.price ?? null,
        min_price: o.minPrice ?? null,
        max_price: o.maxPrice ?? null,
        currency: o.currency ?? null,
        stock: o.stock ?? null,
        active: o.active ?? null,
        data: o.data ?? {},
      }));
      const client = await pool.connect();
      try {
        await client.query('begin');
        // Upsert; a linked offer whose values differ from the last push has drifted (someone
        // changed it on the marketplace, or an order took stock): push it again.
        const { rows: stored } = await client.query<{
          id: string;
          external_id: string;
          product_id: string | null;
          link_state: string;
          inserted: boolean;
          drifted: boolean;
        }>(
          `insert into product_offers as o (tenant_id, integration_id, external_id, name, sku, part_number, ean,
                   price, min_price, max_price, currency, stock, active, data, read_at)
           select $1, $2, r.external_id, r.name, r.sku, r.part_number, r.ean, r.price, r.min_price, r.max_price,
                  r.currency, r.stock, r.active, coalesce(r.data, '{}'::jsonb), now()
             from jsonb_to_recordset($3::jsonb) as r(external_id text, name text, sku text, part_number text,
                  ean text, price numeric, min_price numeric, max_price numeric, currency text, stock int,
                  active boolean, data jsonb)
           on conflict (integration_id, external_id) do update set
             name = excluded.name, sku = excluded.sku, part_number = excluded.part_number, ean = excluded.ean,
             price = excluded.price, min_price = excluded.min_price, max_price = excluded.max_price,
             currency = excluded.currency, stock = excluded.stock, active = excluded.active, data = excluded.data,
             read_at = now(),
             pushed_version = case
               when o.pushed is not null and o.link_state = 'linked'
                and ((o.pushed ? 'stock' and (o.pushed->>'stock')::int is distinct from excluded.stock)
                  or (o.pushed ? 'price' and (o.pushed->>'price')::numeric is distinct from excluded.price))
               then 0 else o.pushed_version end
           returning o.id, o.external_id, o.product_id, o.link_state, (xmax = 0) as inserted,
                     (o.pushed_version = 0 and o.pushed is not null) as drifted`,
          [tenantId, integrationId, JSON.stringify(rows)],
        );
        outcome.added = stored.filter((s) => s.inserted).length;
        outcome.drifted = stored.filter((s) => !s.inserted && s.drifted).length;
        const unlinked = new Set(stored.filter((s) => s.link_state !== 'linked').map((s) => s.external_id));
        const toLink = rows.filter((r) => unlinked.has(r.external_id));
        if (toLink.length) {
          const values = (k: 'sku' | 'part_number' | 'ean') =>
            toLink.map((r) => r[k]).filter((v): v is string => v !== null);
          const { rows: candidates } = await client.query<Candidate>(
            `select id, sku, part_number, ean from products
              where tenant_id = $1 and (part_number = any($2::text[]) or ean = any($3::text[]) or sku = any($4::text[]))`,
            [tenantId, values('part_number'), values('ean'), values('sku')],
          );
          const { rows: held } = await client.query<{ product_id: string; external_id: string }>(
            `select product_id, external_id from product_offers
              where integration_id = $1 and product_id = any($2::uuid[]) and link_state = 'linked'`,
            [integrationId, candidates.map((c) => c.id)],
          );
          const holder = new Map(held.map((h) => [h.product_id, h.external_id]));
          const links: {
            external_id: string;
            product_id: string | null;
            state: string;
            note: string | null;
          }[] = [];
          const toImport: typeof rows = [];
          for (const r of toLink) {
            const m = matchOffer({ sku: r.sku, partNumber: r.part_number, ean: r.ean }, candidates);
            if (!m) {
              if (recordOptions?.importProducts) toImport.push(r);
              else
                links.push({ external_id: r.external_id, product_id: null, state: 'unlinked', note: null });
            } else if ('conflict' in m) {
              links.push({
                external_id: r.external_id,
                product_id: null,
                state: 'conflict',
                note: m.conflict,
              });
            } else {
              const other = holder.get(m.productId);
              if (other !== undefined && other !== r.external_id) {
                links.push({
                  external_id: r.external_id,
                  product_id: null,
                  state: 'conflict',
                  note: `Its product is already linked to offer ${other} of this account. Give each product its own part number, EAN and SKU.`,
                });
              } else {
                holder.set(m.productId, r.external_id);
                links.push({
                  external_id: r.external_id,
                  product_id: m.productId,
                  state: 'linked',
                  note: null,
                });
              }
            }
          }
          if (toImport.length) {
            // Products made from offers take the offer's values, so linking them needs no push.
            const { rows: made } = await client.query<{ external_id: string; id: string; version: string }>(
              `insert into products as p (id, tenant_id, source, external_id, sku, part_number, ean, name, vat_rate,
                      price, stock, active, currency, created_at, updated_at)
               select gen_random_uuid(), $1, $2, r.external_id, coalesce(r.sku, r.part_number), r.part_number, r.ean,
                      r.name, coalesce(r.vat_rate, 0), r.price, coalesce(r.stock, 0), coalesce(r.active, true),
                      r.currency, now(), now()
                 from jsonb_to_recordset($3::jsonb) as r(external_id text, sku text, part_number text, ean text,
                      name text, vat_rate numeric, price numeric, stock int, active boolean, currency text)
               on conflict (tenant_id, source, external_id) do update set
                 part_number = coalesce(p.part_number, excluded.part_number), ean = coalesce(p.ean, excluded.ean),
                 stock = case when p.price is null then excluded.stock else p.stock end,
                 price = coalesce(p.price, excluded.price), updated_at = now()
               returning p.external_id, p.id, p.version`,
              [
                tenantId,
                pluginId,
                JSON.stringify(
                  toImport.map((r) => ({
                    ...r,
                    vat_rate: offers.find((o) => o.externalId === r.external_id)?.vatRate ?? null,
                  })),
                ),
              ],
            );
            outcome.created = made.length;
            await client.query(
              `update product_offers o set product_id = m.id, link_state = 'linked', link_note = null,
                      pushed_version = case when $3 and p.stock is not distinct from o.stock
                                             and p.price is not distinct from o.price then p.version else 0 end
                 from jsonb_to_recordset($2::jsonb) as m(external_id text, id uuid)
                 join products p on p.id = m.id
                where o.integration_id = $1 and o.external_id = m.external_id`,
              [
                integrationId,
                JSON.stringify(made.map((m) => ({ external_id: m.external_id, id: m.id }))),
                inStep,
              ],
            );
            outcome.linked += made.length;
          }
          if (links.length) {
            await client.query(
              `update product_offers o set product_id = l.product_id, link_state = l.state, link_note = l.note,
                      pushed_version = 0
                 from jsonb_to_recordset($2::jsonb) as l(external_id text, product_id uuid, state text, note text)
                where o.integration_id = $1 and o.external_id = l.external_id`,
              [integrationId, JSON.stringify(links)],
            );
            // A product no price is managed for here yet (one made from orders) takes the offer's
            // values instead of overwriting the offer with its empty stock.
            await client.query(
              `with adopted as (
                 update products p set price = o.price, stock = coalesce(o.stock, p.stock),
                        part_number = coalesce(p.part_number, o.part_number), ean = coalesce(p.ean, o.ean),
                        updated_at = now()
                   from product_offers o
                  where o.integration_id = $1 and o.external_id = any($2::text[]) and o.product_id = p.id
                    and o.link_state = 'linked' and p.price is null and o.price is not null
                  returning p.id, p.version)
               update product_offers o set pushed_version = case when $3 then a.version else 0 end
                 from adopted a where o.integration_id = $1 and o.product_id = a.id`,
              [integrationId, links.filter((l) => l.state === 'linked').map((l) => l.external_id), inStep],
            );
            outcome.linked += links.filter((l) => l.state === 'linked').length;
            outcome.conflicts += links.filter((l) => l.state === 'conflict').length;
          }
        }
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      return outcome;
    },

    async pending(limit, pendingOptions) {
      const { rows } = await pool.query<{
        external_id: string;
        version: string;
        stock: number;
        price: string | null;
        active: boolean;
        vat_rate: string;
        min_price: string | null;
        max_price: string | null;
        currency: string | null;
        data: Record<string, unknown>;
      }>(
        `select o.external_id, p.version::text as version, p.stock, p.price::text as price, p.active,
                p.vat_rate::text as vat_rate, o.min_price::text as min_price, o.max_price::text as max_price,
                o.currency, o.data
           from product_offers o join products p on p.id = o.product_id
          where o.integration_id = $1 and o.link_state = 'linked' and p.version > o.pushed_version
            and not (o.external_id = any($3::text[]))
          order by p.version
          limit $2`,
        [integrationId, limit, pendingOptions?.exclude ?? []],
      );
      return rows.map((r): OfferPush => ({
        externalId: r.external_id,
        version: r.version,
        stock: r.stock,
        price: r.price,
        active: r.active,
        vatRate: r.vat_rate,
        minPrice: r.min_price,
        maxPrice: r.max_price,
        currency: r.currency,
        data: r.data,
      }));
    },

    async pushed(results) {
      if (results.length === 0) return;
      // Only upwards: a push of an older version than one already recorded records nothing.
      await pool.query(
        `update product_offers o set
            pushed_version = coalesce(r.version, o.pushed_version),
            pushed = coalesce(r.pushed, o.pushed),
            pushed_at = case when r.pushed is null then o.pushed_at else now() end,
            answer = coalesce(r.answer, o.answer),
            last_error = r.error,
            error_at = case when r.error is null then o.error_at else now() end
           from jsonb_to_recordset($2::jsonb) as r(external_id text, version bigint, pushed jsonb, answer jsonb, error text)
          where o.integration_id = $1 and o.external_id = r.external_id
            and (r.version is null or o.pushed_version < r.version)`,
        [
          integrationId,
          JSON.stringify(
            results.map((r) => ({
              external_id: r.externalId,
              version: r.version,
              pushed: r.pushed ?? null,
              answer: r.answer === undefined ? null : r.answer,
              error: r.error ?? null,
            })),
          ),
        ],
      );
    },
  };
}
