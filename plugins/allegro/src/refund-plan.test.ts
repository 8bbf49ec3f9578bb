import { describe, expect, it } from 'vitest';
import { invoicePositions, planRefund, refundable } from './refund-plan.ts';
import type { AllegroRefund, RefundableForm } from './types.ts';

const pln = (amount: string) => ({ amount, currency: 'PLN' });

/** Two lines (the second with a deposit and a service), delivery 12.99: paid 2×49.99 + 3×(5+0.50) + 7 + 12.99. */
const form: RefundableForm = {
  id: 'f1',
  status: 'READY_FOR_PROCESSING',
  payment: { id: 'p1', finishedAt: '2026-12-01T10:00:00Z', paidAmount: pln('136.47') },
  lineItems: [
    { id: 'a', offer: { id: 'o1', name: 'Mug' }, quantity: 2, price: pln('49.99') },
    {
      id: 'b',
      offer: { id: 'o2', name: 'Juice' },
      quantity: 3,
      price: pln('5.00'),
      deposit: { price: pln('0.50') },
      selectedAdditionalServices: [{ name: 'Gift wrap', price: pln('7.00'), quantity: 1 }],
    },
  ],
  delivery: { cost: pln('12.99') },
  summary: { totalToPay: pln('136.47') },
};

const earlier = (over: Partial<AllegroRefund>): AllegroRefund => ({
  id: 'r0',
  reason: 'REFUND',
  status: 'SUCCESS',
  createdAt: '2026-12-02T10:00:00Z',
  totalValue: pln('0.00'),
  ...over,
});

describe('refund plan', () => {
  it('numbers the order as the invoice does: lines, deposits, services, delivery', () => {
    const p = invoicePositions(form);
    expect([...p.line]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect([...p.deposit]).toEqual([['b', 3]]);
    expect(p.delivery).toBe(5); // after the one service at 4
  });

  it('refunds units with their deposit, and delivery, naming the same invoice lines', () => {
    const plan = planRefund(form, [], { lines: [{ line: 2, quantity: 2 }], delivery: '12.99' });
    expect(plan.body).toEqual({
      lineItems: [{ id: 'b', type: 'QUANTITY', quantity: 2 }],
      deposits: [{ lineItemId: 'b', totalValue: pln('1.00') }],
      delivery: { value: pln('12.99') },
    });
    expect(plan.total).toBe(1000 + 100 + 1299);
    expect(plan.correction).toEqual([
      { position: 2, quantity: 2 },
      { position: 3, amount: '1.00' },
      { position: 5, amount: '12.99' },
    ]);
    expect(plan.summary).toBe('2 × Juice, delivery 12.99 PLN');
  });

  it('counts earlier refunds (not cancelled ones) before allowing more', () => {
    const before = [
      earlier({ totalValue: pln('49.99'), lineItems: [{ id: 'a', type: 'QUANTITY', quantity: 1 }] }),
      earlier({
        status: 'CANCELED',
        totalValue: pln('49.99'),
        lineItems: [{ id: 'a', type: 'QUANTITY', quantity: 1 }],
      }),
    ];
    expect(refundable(form, before).lines.get('a')).toMatchObject({ units: 1, value: 4999 });
    expect(() => planRefund(form, before, { lines: [{ line: 1, quantity: 2 }] })).toThrow(
      '2 × Mug cannot be refunded: the order sold 2 and 1 is left to refund.',
    );
    expect(planRefund(form, before, { lines: [{ line: 1, quantity: 1 }] }).total).toBe(4999);
  });

  it('refuses, in words and before sending, what Allegro would refuse', () => {
    const refused = (input: Parameters<typeof planRefund>[2]) => {
      try {
        planRefund(form, [], input);
      } catch (error) {
        return { message: (error as Error).message, pointer: (error as { pointer?: string }).pointer };
      }
      return null;
    };
    expect(refused({ lines: [{ line: 3, quantity: 1 }] })).toEqual({
      message: 'The order has no line 3; its lines are 1 to 2.',
      pointer: '/lines/0/line',
    });
    expect(refused({ lines: [{ line: 1, amount: '10.001' }] })?.pointer).toBe('/lines/0/amount');
    expect(refused({ lines: [{ line: 1, amount: '100.00' }] })?.message).toBe(
      '100.00 PLN cannot be refunded on line 1 (Mug): 99.98 PLN of it is left to refund.',
    );
    expect(refused({ delivery: '13.00' })?.message).toBe(
      '13.00 PLN of delivery cannot be refunded: 12.99 PLN of it is left to refund.',
    );
    expect(refused({})?.message).toMatch(/^Say what to refund/);
    expect(refused({ lines: [{ line: 1, quantity: 1, amount: '1.00' }] })?.message).toMatch(/one of the two/);
    const underpaid = { ...form, payment: { ...form.payment, paidAmount: pln('40.00') } };
    expect(() => planRefund(underpaid, [], { lines: [{ line: 1, quantity: 1 }] })).toThrow(
      '49.99 PLN cannot be refunded: the buyer paid 40.00 PLN and 40.00 PLN of it is left to refund.',
    );
  });

  it('refunds everything left as one correction to zero, after a partial refund', () => {
    const before = [
      earlier({ totalValue: pln('10.00'), lineItems: [{ id: 'a', type: 'AMOUNT', value: pln('10.00') }] }),
    ];
    const plan = planRefund(form, before, { everything: true });
    expect(plan.correction).toBeUndefined();
    expect(plan.body.lineItems).toEqual([
      { id: 'a', type: 'AMOUNT', value: pln('89.98') },
      { id: 'b', type: 'QUANTITY', quantity: 3 },
    ]);
    expect(plan.body.deposits).toEqual([{ lineItemId: 'b', totalValue: pln('1.50') }]);
    expect(plan.body.additionalServices).toEqual({ value: pln('7.00') });
    expect(plan.total).toBe(13647 - 1000);
    expect(() =>
      planRefund(form, [earlier({ totalValue: pln('136.47') }), ...before], { everything: true }),
    ).toThrow(/left to refund/);
  });
});
