// Record import throughput: `importRecords` (mapping, money checks, ledger, customers, products,
// numbering, invoices, lines) against a plain batched-SQL baseline inserting the same rows. Target
// from the brief: ≥ 5 000 orders/s on PostgreSQL for 3-line orders in batches of 100, so the whole
// Allegro pipeline can reach 2 000 orders/s. Database: DATABASE_URL if set, else embedded PGlite.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mapping } from '@mch/schemas';
import type { RecordInput } from '@mch/plugin-sdk';
import { importRecords } from '../host/src/records/import.ts';
import { toInvoiceDraft, type InvoiceDraft } from '../host/src/records/invoice-draft.ts';
import { compileMappings } from '../host/src/records/mapping-engine.ts';
import { inTransaction } from '../host/src/records/sql.ts';
import { baselineBatch } from './support/plain-insert.ts';
import { ALLEGRO_MAPPINGS, allegroOrder, seedTenant } from '../host/src/records/test-fixtures.ts';
import { createTestDatabase } from '../host/src/testing/database.ts';
import type { Bench, BenchRow } from './types.ts';

const BATCH = 100;
const mappings = compileMappings(ALLEGRO_MAPPINGS);
const settings = {
  autoGenerateInvoices: true,
  autoCreateCustomer: true,
  autoCreateProduct: true,
  autoMarkAsPaid: true,
  defaultVatRate: 23,
};
const variables = { settings, integration: {} };

const orders = (from: number, count: number): RecordInput[] =>
  Array.from({ length: count }, (_, i) => allegroOrder(from + i, { lines: 3, delivery: false })).map((o) => ({
    externalId: o.id,
    revision: o.revision,
    data: o,
  }));

export default (async ({ quick }) => {
  const total = quick ? 2_000 : 20_000;
  const testDb = await createTestDatabase();
  const { db } = testDb;
  try {
    // Warm-up: JIT, statement caches (not measured).
    const warm = await seedTenant(db.pool);
    await importRecords({
      db,
      ...warm,
      pluginId: 'allegro',
      mappingName: 'invoice',
      mappings,
      settings,
      records: orders(900_000, 500),
    });

    const records = orders(0, total);
    const drafts: InvoiceDraft[] = [];
    for (const r of records) drafts.push(toInvoiceDraft(await mappings.map('invoice', r.data, variables)));
    const ids = await seedTenant(db.pool);
    const base = await seedTenant(db.pool);
    // Interleaved page by page, so both sides see the same machine load and table sizes (shared, noisy box).
    let importMs = 0;
    let baselineMs = 0;
    for (let i = 0; i < records.length; i += BATCH) {
      let started = performance.now();
      await importRecords({
        db,
        ...ids,
        pluginId: 'allegro',
        mappingName: 'invoice',
        mappings,
        settings,
        records: records.slice(i, i + BATCH),
      });
      importMs += performance.now() - started;
      started = performance.now();
      await inTransaction(db.pool, (client) =>
        baselineBatch(client, base, drafts.slice(i, i + BATCH), i + 1),
      );
      baselineMs += performance.now() - started;
    }

    let started = performance.now();
    for (let i = 0; i < records.length; i += BATCH) {
      await importRecords({
        db,
        ...ids,
        pluginId: 'allegro',
        mappingName: 'invoice',
        mappings,
        settings,
        records: records.slice(i, i + BATCH),
      });
    }
    const repeatMs = performance.now() - started;

    started = performance.now();
    for (const r of records) await mappings.map('invoice', r.data, variables);
    const mapUs = ((performance.now() - started) * 1000) / records.length;

    // The Allegro plugin's own manifest mappings (read as data; the host never imports a plugin).
    const manifest = JSON.parse(
      readFileSync(join(import.meta.dirname, '../plugins/allegro/plugin.manifest.json'), 'utf8'),
    ) as {
      mappings: Record<string, Mapping>;
    };
    const allegro = compileMappings(manifest.mappings);
    const taxed = records.map((r) => {
      const form = structuredClone(r.data) as ReturnType<typeof allegroOrder>;
      for (const item of form.lineItems) Object.assign(item, { tax: { rate: '23.00' } });
      return form;
    });
    for (const form of taxed.slice(0, 500)) await allegro.map('invoice', form, variables);
    started = performance.now();
    for (const form of taxed) await allegro.map('invoice', form, variables);
    const manifestUs = ((performance.now() - started) * 1000) / taxed.length;

    const rate = (ms: number) => (total / ms) * 1000;
    const where = db.kind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite';
    const value = rate(importMs);
    const baseline = rate(baselineMs);
    const note = `${total} 3-line orders, batches of ${BATCH}, ${where}`;
    const rows: BenchRow[] = [
      {
        bench: 'records:import',
        metric: 'importRecords orders/s',
        value,
        unit: 'orders/s',
        baseline,
        ratio: value / baseline,
        ...(db.kind === 'postgres' ? { target: '>= 5000 orders/s', pass: value >= 5000 } : {}),
        note: `${note}; baseline = the same rows by plain batched unnest inserts`,
      },
      {
        bench: 'records:import',
        metric: 'repeat import (all unchanged) orders/s',
        value: rate(repeatMs),
        unit: 'orders/s',
        note,
      },
      {
        bench: 'records:import',
        metric: 'mapping per 3-line order',
        value: mapUs,
        unit: 'µs',
        target: '< 100 µs',
        pass: mapUs < 100,
      },
      {
        bench: 'records:import',
        metric: 'mapping per 3-line order, Allegro plugin manifest',
        value: manifestUs,
        unit: 'µs',
        target: '< 100 µs',
        pass: manifestUs < 100,
      },
    ];
    return rows;
  } finally {
    await testDb.close();
  }
}) satisfies Bench;
