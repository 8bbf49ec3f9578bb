import type { Mapping } from '@mch/schemas';

/**
 * Marketplace-shaped records and manifest mappings for the record engine's tests and benchmark.
 * Shapes follow shared/reference/README.md: Allegro checkout forms carry gross decimal strings and
 * `summary.totalToPay`; eMAG orders carry net prices with 4 decimals and `vat` as a fraction.
 */

export const ALLEGRO_MAPPINGS: Record<string, Mapping> = {
  invoice: {
    target: 'invoice',
    source: 'order',
    fields: {
      externalId: 'id',
      currency: 'summary.totalToPay.currency',
      issueDate: 'updatedAt',
      saleDate: 'lineItems[0].boughtAt',
      paidAt: 'payment.finishedAt',
      totalGross: 'summary.totalToPay.amount',
      cancelled: 'status = "CANCELLED"',
      // Delivery is invoiced as one more line when it costs something.
      lines: {
        each: '$append(lineItems, delivery.cost.amount != "0.00" ? [{"offer": {"id": "delivery", "name": "Delivery"}, "quantity": 1, "price": delivery.cost}] : [])',
        mapping: 'invoiceLine',
      },
      customer: { from: 'buyer', mapping: 'customer' },
    },
  },
  invoiceLine: {
    target: 'invoiceLine',
    source: 'order.lineItems',
    fields: {
      name: 'offer.name',
      quantity: 'quantity',
      unitPrice: 'price.amount',
      vatRate: '$settings.defaultVatRate',
      sku: 'offer.external.id',
      product: { from: 'offer', mapping: 'product' },
    },
  },
  product: {
    target: 'product',
    source: 'offer',
    fields: { externalId: 'id', name: 'name', sku: 'external.id' },
  },
  customer: {
    target: 'customer',
    source: 'buyer',
    fields: {
      externalId: 'id',
      name: 'companyName ? companyName : firstName & " " & lastName',
      email: 'email',
      taxId: '$record.invoice.address.company.taxId',
      street: 'address.street',
      city: 'address.city',
      postalCode: 'address.postCode',
      countryCode: 'address.countryCode',
    },
  },
};

export const EMAG_MAPPINGS: Record<string, Mapping> = {
  invoice: {
    target: 'invoice',
    source: 'order',
    fields: {
      externalId: '$string(id)',
      currency: '$integration.currency',
      issueDate: 'date',
      pricesIncludeVat: 'false',
      paymentStatus: 'payment_status = 1 ? "paid" : "unpaid"',
      cancelled: 'status = 0',
      lines: { each: 'products', mapping: 'invoiceLine' },
      customer: { from: 'customer', mapping: 'customer' },
    },
  },
  invoiceLine: {
    target: 'invoiceLine',
    source: 'order.products',
    fields: {
      name: 'name',
      quantity: 'quantity',
      unitPrice: 'sale_price',
      vatRate: 'vat',
      sku: 'part_number',
    },
  },
  customer: {
    target: 'customer',
    source: 'customer',
    fields: { externalId: '$string(id)', name: 'name', taxId: 'code' },
  },
};

const cents = (n: number) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;

/** An Allegro checkout form with `lines` items; prices are awkward on purpose (x.x3, x.99 …). */
export function allegroOrder(
  i: number,
  options: { lines?: number; status?: string; revision?: string; delivery?: boolean } = {},
) {
  const lineCount = options.lines ?? 3;
  let total = 0;
  const lineItems = Array.from({ length: lineCount }, (_, j) => {
    const price = ((i * 7919 + j * 104729) % 49_990) + 1; // 0.01 … 499.90
    const quantity = 1 + ((i + j) % 3);
    total += price * quantity;
    return {
      id: `li-${i}-${j}`,
      offer: {
        id: `offer-${(i + j) % 500}`,
        name: `Product ${(i + j) % 500}`,
        external: { id: `SKU-${(i + j) % 500}` },
      },
      quantity,
      originalPrice: { amount: cents(price), currency: 'PLN' },
      price: { amount: cents(price), currency: 'PLN' },
      boughtAt: '2026-11-20T10:00:00.000Z',
    };
  });
  const delivery = (options.delivery ?? i % 2 === 0) ? 999 : 0;
  total += delivery;
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    buyer: {
      id: `buyer-${i % 700}`,
      email: `buyer${i % 700}@example.com`,
      login: `buyer${i % 700}`,
      firstName: 'Jan',
      lastName: `Kowalski ${i % 700}`,
      companyName: null,
      address: { street: 'Marszałkowska 1', city: 'Warszawa', postCode: '00-001', countryCode: 'PL' },
    },
    payment: {
      id: `p-${i}`,
      type: 'ONLINE',
      finishedAt: '2026-11-20T10:05:00.000Z',
      paidAmount: { amount: cents(total), currency: 'PLN' },
    },
    status: options.status ?? 'READY_FOR_PROCESSING',
    delivery: { method: { id: 'm', name: 'Kurier' }, cost: { amount: cents(delivery), currency: 'PLN' } },
    invoice: {
      required: i % 5 === 0,
      address: i % 5 === 0 ? { company: { name: 'Firma', taxId: `PL${5250000000 + i}` } } : null,
    },
    lineItems,
    summary: { totalToPay: { amount: cents(total), currency: 'PLN' } },
    updatedAt: '2026-11-21T08:00:00.000Z',
    revision: options.revision ?? 'r1',
  };
}

/** An eMAG order: net prices with 4 decimals, `vat` as a fraction. */
export function emagOrder(i: number, options: { status?: number; date?: string } = {}) {
  return {
    id: 4_294_967_296 + i, // eMAG order ids exceed 2^31
    status: options.status ?? 1,
    payment_status: 1,
    date: options.date ?? '2026-11-21 09:30:00',
    customer: { id: 9000 + i, name: `Ion Popescu ${i}`, code: i % 2 ? 'RO123456' : null },
    products: [
      { product_id: 1, part_number: 'P-1', name: 'Cablu', quantity: 3, sale_price: '84.0336', vat: '0.1900' },
      { product_id: 2, part_number: 'P-2', name: 'Husa', quantity: 1, sale_price: '16.8067', vat: '0.1900' },
    ],
  };
}

/** A tenant with one default company, its series and one integration, for import tests and the benchmark. */
export async function seedTenant(
  pool: { query(sql: string, params?: unknown[]): Promise<unknown> },
  options: { pluginId?: string; pattern?: string; withCompany?: boolean; country?: 'PL' | 'RO' } = {},
): Promise<{ tenantId: string; companyId: string; seriesId: string; integrationId: string }> {
  const { randomUUID } = await import('node:crypto');
  const tenantId = randomUUID();
  const companyId = randomUUID();
  const seriesId = randomUUID();
  const integrationId = randomUUID();
  await pool.query(`insert into tenants (id, slug, name, created_at) values ($1, $2, 'Test tenant', now())`, [
    tenantId,
    `t-${tenantId.slice(0, 8)}`,
  ]);
  if (options.withCompany !== false) {
    await pool.query(
      options.country === 'RO'
        ? `insert into companies (id, tenant_id, name, legal_name, tax_id, address, bank_account, country, default_currency, is_default, created_at, updated_at)
           values ($1, $2, 'Magazin Test', 'Magazin Test S.R.L.', 'RO14399840',
                   '{"street": "Strada Memorandumului 28", "city": "Cluj-Napoca", "postalCode": "400114", "country": "RO", "county": "RO-CJ"}'::jsonb,
                   null, 'RO', 'RON', true, now(), now())`
        : `insert into companies (id, tenant_id, name, legal_name, tax_id, address, bank_account, country, default_currency, is_default, created_at, updated_at)
           values ($1, $2, 'Sklep Testowy', 'Sklep Testowy sp. z o.o.', 'PL7740001454',
                   '{"street": "ul. Prosta 1", "city": "Warszawa", "postalCode": "00-850", "country": "PL"}'::jsonb,
                   'PL61109010140000071219812874', 'PL', 'PLN', true, now(), now())`,
      [companyId, tenantId],
    );
    await pool.query(
      `insert into invoice_series (id, tenant_id, company_id, code, pattern, next_number, is_default, created_at)
       values ($1, $2, $3, 'FV', $4, 1, true, now())`,
      [seriesId, tenantId, companyId, options.pattern ?? '{code}/{yyyy}/{n}'],
    );
  }
  await pool.query(
    `insert into integrations (id, tenant_id, company_id, plugin_id, label, status, settings, created_at, updated_at)
     values ($1, $2, null, $3, 'Test account', 'active', '{}'::jsonb, now(), now())`,
    [integrationId, tenantId, options.pluginId ?? 'allegro'],
  );
  return { tenantId, companyId, seriesId, integrationId };
}
