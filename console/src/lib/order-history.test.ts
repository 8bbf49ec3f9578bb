import { describe, expect, it } from 'vitest';
import { ofOrder, orderHistory, timeOf, type OrderDocument } from './order-history.ts';

const doc = (id: string, type: string, createdAt: string): OrderDocument => ({
  id,
  type,
  number: `${type === 'invoice' ? 'FV' : 'FK'}/${id}`,
  issueDate: createdAt.slice(0, 10),
  grossTotal: '10.00',
  currency: 'RON',
  pdfUrl: `/api/v1/invoices/${id}/pdf`,
  createdAt,
});

describe('orderHistory: one list of documents, returns and refunds, oldest first', () => {
  it('merges the three by time and keeps only the records of this order', () => {
    const history = orderHistory({
      orderId: '100',
      documents: [
        doc('a', 'invoice', '2026-11-01T10:00:00Z'),
        doc('b', 'correction', '2026-11-05T10:00:00Z'),
      ],
      returns: [
        { id: 7, status: 2, orderId: '100', createdAt: '2026-11-03 09:00:00' },
        { id: 8, status: 2, orderId: '200', createdAt: '2026-11-02 09:00:00' },
      ],
      refunds: [{ id: 'r1', status: 'SUCCESS', orderId: 100, createdAt: '2026-11-06T00:00:00Z' }],
    });
    expect(history.map((e) => e.key)).toEqual(['document:a', 'return:7', 'document:b', 'refund:r1']);
  });

  it('puts undated records last and keeps documents first on the same instant', () => {
    const history = orderHistory({
      orderId: 'x',
      documents: [doc('a', 'invoice', '2026-11-01T10:00:00Z')],
      returns: [
        { id: 1, status: 'CREATED', orderId: 'x' },
        { id: 2, status: 'CREATED', orderId: 'x', createdAt: '2026-11-01T10:00:00Z' },
      ],
    });
    expect(history.map((e) => e.key)).toEqual(['document:a', 'return:2', 'return:1']);
  });

  it('reads ISO times and the "YYYY-MM-DD HH:MM:SS" form alike', () => {
    expect(timeOf('2026-11-03 09:00:00')).toBe(Date.parse('2026-11-03T09:00:00Z'));
    expect(timeOf('2026-11-03')).toBe(Date.parse('2026-11-03T00:00:00Z'));
    expect(timeOf(null)).toBeNaN();
  });

  it('matches order ids as text and skips items without one', () => {
    expect(
      ofOrder(
        [
          { id: 1, status: 1, orderId: 5 },
          { id: 2, status: 1 },
        ],
        '5',
      ).map((i) => i.id),
    ).toEqual([1]);
  });
});
