import { z } from 'zod';
import { nonEmpty } from '../patterns.ts';

/**
 * Which of the plugin's boolean settings switch what an import of orders creates. The host reads
 * the settings named here and no others: a plugin calls its switches what it likes. A switch left
 * out keeps the host's default (invoices, customers and products made; orders not marked paid).
 */
export const SwitchesSchema = z.strictObject({
  invoices: nonEmpty
    .optional()
    .describe('Boolean setting: issue an invoice for each imported order (default on).'),
  markPaid: nonEmpty
    .optional()
    .describe(
      'Boolean setting: mark the invoice paid when the marketplace says the order is paid (default off).',
    ),
  customers: nonEmpty.optional().describe('Boolean setting: keep the buyer as a customer (default on).'),
  products: nonEmpty.optional().describe("Boolean setting: keep each line's item as a product (default on)."),
});

export type Switches = z.infer<typeof SwitchesSchema>;
