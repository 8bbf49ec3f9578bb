import type { PluginContext } from '@mch/plugin-sdk';
import { describe, expect, it } from 'vitest';
import { listReturns, returnView } from './returns.ts';
import type { EmagRma } from './types.ts';

/** The console's Returns list shows each amount with its currency (issue 13 "exact amounts"). */
describe('listReturns', () => {
  const rma = (date: string): EmagRma => ({
    emag_id: 7,
    order_id: 11,
    request_status: 7,
    date,
    customer_name: 'Ana Stoica',
    products: [{ id: 1, product_id: 'P1', product_name: 'Cafea', quantity: 1, refund_value: '61.8871' }],
  });
  const listed = async (platform: string, date: string) => {
    const ctx = {
      settings: { platform },
      store: { get: async () => [returnView(rma(date))] },
    } as unknown as PluginContext;
    return (await listReturns(ctx, {})).items[0];
  };

  it("states the platform's currency, eMAG's RMA having none", async () => {
    expect(await listed('ro', '2026-11-02 10:00:00')).toMatchObject({ amount: '61.8871', currency: 'RON' });
    expect(await listed('hu', '2026-11-02 10:00:00')).toMatchObject({ currency: 'HUF' });
    expect(await listed('bg', '2025-12-31 23:00:00')).toMatchObject({ currency: 'BGN' });
    expect(await listed('bg', '2026-01-02 09:00:00')).toMatchObject({ currency: 'EUR' });
  });
});
