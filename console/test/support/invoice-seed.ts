// Invoices for the console's invoice and alert journeys, issued the way a sync issues them (the
// record engine, Allegro-shaped orders through a manifest mapping) but without a sandbox round
// trip, so a journey can start from a hundred documents in a second.
import { randomUUID } from 'node:crypto';
import { ExchangeRates } from '../../../host/src/invoicing/exchange-rates.ts';
import { importRecords } from '../../../host/src/records/import.ts';
import { compileMappings } from '../../../host/src/records/mapping-engine.ts';
import { ALLEGRO_MAPPINGS, allegroOrder } from '../../../host/src/records/test-fixtures.ts';
import type { ConsoleHost } from './console-host.ts';

export interface SeedOrder {
  /** Makes the order's id, lines and amounts (see `allegroOrder`). */
  i: number;
  /** The invoice's issue date, `YYYY-MM-DD`. */
  issueDate: string;
  /** The buyer's name, when the default "Jan Kowalski <n>" will not do. */
  buyer?: { firstName: string; lastName: string };
}

const mappings = compileMappings(ALLEGRO_MAPPINGS);

/** A marketplace account of the tenant, straight in the database (no sandbox behind it). */
export async function addIntegration(
  host: ConsoleHost,
  options: { tenantId: string; label: string; pluginId?: string; status?: string; reason?: string },
): Promise<string> {
  const id = randomUUID();
  await host.database.db.pool.query(
    `insert into integrations (id, tenant_id, plugin_id, label, status, status_reason, settings, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, '{}'::jsonb, now(), now())`,
    [
      id,
      options.tenantId,
      options.pluginId ?? 'fixture-basic',
      options.label,
      options.status ?? 'active',
      options.reason ?? null,
    ],
  );
  return id;
}

/** Issues one invoice per order, in the order given; answers the invoices' ids in that order. */
export async function issueInvoices(
  host: ConsoleHost,
  options: { tenantId: string; integrationId: string; orders: readonly SeedOrder[] },
): Promise<string[]> {
  const records = options.orders.map((order) => {
    const form = allegroOrder(order.i);
    const data = {
      ...form,
      updatedAt: `${order.issueDate}T08:00:00.000Z`,
      buyer: { ...form.buyer, ...(order.buyer ?? {}) },
    };
    return { externalId: data.id, revision: data.revision, data };
  });
  const outcomes = await importRecords({
    db: host.database.db,
    tenantId: options.tenantId,
    integrationId: options.integrationId,
    pluginId: 'fixture-basic',
    mappingName: 'invoice',
    mappings,
    settings: { defaultVatRate: 23 },
    // PLN documents of a Polish seller need no exchange rate: no central bank is asked.
    rates: new ExchangeRates({
      pool: host.database.db.pool,
      nbpUrl: 'http://127.0.0.1:9',
      bnrUrl: 'http://127.0.0.1:9',
    }),
    records,
  });
  return outcomes.map((outcome, n) => {
    if (outcome.status !== 'created' || !outcome.hostId)
      throw new Error(`order ${options.orders[n]?.i} was not invoiced: ${JSON.stringify(outcome)}`);
    return outcome.hostId;
  });
}
