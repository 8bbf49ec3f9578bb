import { describe, expect, it } from 'vitest';
import { RecordRefused, toInvoiceDraft } from './invoice-draft.ts';

const base = {
  externalId: 'o-1',
  currency: 'pln',
  issueDate: '2026-11-21T08:00:00.000Z',
  lines: [
    {
      name: 'Kubek',
      quantity: 2,
      unitPrice: '19.99',
      vatRate: 23,
      product: { externalId: 'of-1', name: 'Kubek' },
    },
  ],
};

describe('toInvoiceDraft', () => {
  it('types the fields and computes the lines in gross mode by default', () => {
    const draft = toInvoiceDraft(base);
    expect(draft).toMatchObject({
      currency: 'PLN',
      issueDate: '2026-11-21',
      saleDate: '2026-11-21',
      priceMode: 'gross',
      paid: false,
      paidAt: null,
      cancelled: false,
      totals: { gross: '39.98', net: '32.50', vat: '7.48' },
      customer: null,
    });
    expect(draft.lines[0]).toMatchObject({ position: 1, product: { externalId: 'of-1', vatRate: '23.00' } });
  });

  it('reads net prices, payment and cancellation flags', () => {
    const draft = toInvoiceDraft({
      ...base,
      pricesIncludeVat: false,
      paymentStatus: 'PAID',
      paidAt: '2026-11-20 10:05:00',
      cancelled: 'false',
    });
    expect(draft).toMatchObject({
      priceMode: 'net',
      paid: true,
      paidAt: '2026-11-20T10:05:00.000Z',
      cancelled: false,
    });
    expect(draft.totals).toEqual({ net: '39.98', vat: '9.20', gross: '49.18' });
    expect(toInvoiceDraft({ ...base, paidAt: '2026-11-20T10:05:00Z' }).paid).toBe(true);
    expect(toInvoiceDraft({ ...base, paymentStatus: 'unpaid', paidAt: '2026-11-20T10:05:00Z' }).paid).toBe(
      false,
    );
    expect(toInvoiceDraft({ ...base, cancelled: true }).cancelled).toBe(true);
  });

  it('refuses what cannot make a correct invoice, saying why', () => {
    expect(() => toInvoiceDraft({ ...base, lines: [] })).toThrow(
      new RecordRefused('the order has no lines to invoice'),
    );
    expect(() => toInvoiceDraft({ ...base, currency: 'złoty' })).toThrow(/currency must be an ISO 4217 code/);
    expect(() => toInvoiceDraft({ ...base, issueDate: 'yesterday' })).toThrow(/issueDate must be a date/);
    expect(() => toInvoiceDraft({ ...base, lines: [{ ...base.lines[0], quantity: -1 }] })).toThrow(
      'line 1: quantity must be positive, got -1',
    );
    expect(() => toInvoiceDraft({ ...base, totalGross: '39.97' })).toThrow(RecordRefused);
    expect(() => toInvoiceDraft({ ...base, totalGross: '39.97' })).toThrow(
      /invoice total 39\.98 PLN differs from the marketplace total 39\.97 PLN/,
    );
  });

  it('keeps the buyer for the invoice snapshot', () => {
    const draft = toInvoiceDraft({
      ...base,
      customer: { externalId: 'b-1', name: 'Jan', taxId: 'PL1', city: 'Kraków', countryCode: 'PL' },
    });
    expect(draft.customer).toEqual({
      externalId: 'b-1',
      name: 'Jan',
      companyName: null,
      taxId: 'PL1',
      email: null,
      phone: null,
      address: { city: 'Kraków', countryCode: 'PL' },
    });
  });
});
