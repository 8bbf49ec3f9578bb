import { describe, expect, it } from 'vitest';
import { formatMoney, paymentMethodText } from './format.ts';

// Amounts arrive as exact decimal strings; formatting must not round them through a float.
describe('formatMoney', () => {
  it('keeps every decimal of the amount, whatever the currency usually shows', () => {
    expect(formatMoney('636277.47', 'HUF')).toMatch(/636.277\.47/);
    expect(formatMoney('12345678901234567.89', 'PLN')).toMatch(/345.678.901.234.567\.89/);
    expect(formatMoney('1.005', 'EUR')).toMatch(/1\.005/);
  });

  it("shows at least the currency's usual decimals", () => {
    expect(formatMoney('10', 'RON')).toMatch(/10\.00/);
    expect(formatMoney('-0.1', 'PLN')).toMatch(/0\.10/);
  });

  it('says what it has when it cannot format', () => {
    expect(formatMoney(null, 'PLN')).toBe('—');
    expect(formatMoney('12.30', 'XYZ1')).toBe('12.30 XYZ1');
    expect(formatMoney('n/a', 'PLN')).toBe('n/a PLN');
  });
});

describe('paymentMethodText', () => {
  it("says the host's payment-method keys in words and keeps a marketplace's own text", () => {
    expect(paymentMethodText('cod')).toBe('cash on delivery');
    expect(paymentMethodText('transfer')).toBe('bank transfer');
    expect(paymentMethodText('PayU')).toBe('PayU');
  });
});
