// The integration settings that decide what an import creates: read by the import, used by each
// batch (its own module, so records/import.ts and records/import-batch.ts do not import each other).

/** The integration settings that decide what an import creates (seed 000: the Allegro settings). */
export interface ImportSwitches {
  autoGenerateInvoices: boolean;
  autoMarkAsPaid: boolean;
  autoCreateCustomer: boolean;
  autoCreateProduct: boolean;
}

/** Defaults as the seed's settings response shows them. */
export function importSwitches(settings: Readonly<Record<string, unknown>>): ImportSwitches {
  const flag = (key: string, fallback: boolean) =>
    typeof settings[key] === 'boolean' ? settings[key] : fallback;
  return {
    autoGenerateInvoices: flag('autoGenerateInvoices', true),
    autoMarkAsPaid: flag('autoMarkAsPaid', false),
    autoCreateCustomer: flag('autoCreateCustomer', true),
    autoCreateProduct: flag('autoCreateProduct', true),
  };
}
