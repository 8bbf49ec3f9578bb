// The integration settings that decide what an import creates: read by the import, used by each
// batch (its own module, so records/import.ts and records/import-batch.ts do not import each other).
import type { Switches } from '@mch/schemas';

/** What an import creates, from the settings the manifest's `switches` name. */
export interface ImportSwitches {
  autoGenerateInvoices: boolean;
  autoMarkAsPaid: boolean;
  autoCreateCustomer: boolean;
  autoCreateProduct: boolean;
}

/**
 * Reads the settings the manifest names in `switches` (no plugin's setting names are known here);
 * a switch it does not name, or a setting left unset, keeps the default: invoices, customers and
 * products made, orders not marked paid.
 */
export function importSwitches(
  settings: Readonly<Record<string, unknown>>,
  names: Switches = {},
): ImportSwitches {
  const flag = (name: string | undefined, fallback: boolean) => {
    const value = name === undefined ? undefined : settings[name];
    return typeof value === 'boolean' ? value : fallback;
  };
  return {
    autoGenerateInvoices: flag(names.invoices, true),
    autoMarkAsPaid: flag(names.markPaid, false),
    autoCreateCustomer: flag(names.customers, true),
    autoCreateProduct: flag(names.products, true),
  };
}
