import { describe, expect, it } from 'vitest';
import { importSwitches } from './import-switches.ts';

describe('importSwitches: the settings the manifest names, no others', () => {
  it('reads the settings named in switches, whatever the plugin calls them', () => {
    expect(
      importSwitches(
        { makeInvoices: false, paidToo: true, keepBuyers: false, keepItems: false },
        { invoices: 'makeInvoices', markPaid: 'paidToo', customers: 'keepBuyers', products: 'keepItems' },
      ),
    ).toEqual({
      autoGenerateInvoices: false,
      autoMarkAsPaid: true,
      autoCreateCustomer: false,
      autoCreateProduct: false,
    });
  });

  it('a setting the manifest does not name is not read, even with a familiar name; unset keeps the default', () => {
    const settings = { autoGenerateInvoices: false, autoMarkAsPaid: true, autoCreateCustomer: false };
    const defaults = {
      autoGenerateInvoices: true,
      autoMarkAsPaid: false,
      autoCreateCustomer: true,
      autoCreateProduct: true,
    };
    expect(importSwitches(settings)).toEqual(defaults);
    expect(importSwitches({}, { invoices: 'autoGenerateInvoices', markPaid: 'autoMarkAsPaid' })).toEqual(
      defaults,
    );
  });
});
