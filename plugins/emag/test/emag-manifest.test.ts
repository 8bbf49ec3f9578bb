import { validateManifest } from '@mch/schemas';
import { describe, expect, it } from 'vitest';
import allegro from '../../allegro/plugin.manifest.json' with { type: 'json' };
import emag from '../plugin.manifest.json' with { type: 'json' };

/** Declarations the end-to-end tests cannot cheaply reach (multi-minute backoff chains). */
describe('eMAG manifest', () => {
  it('is valid', () => {
    const result = validateManifest(emag);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('has the failure policy of Allegro: 6 retries with exponential backoff, disabled after 5 failed runs', () => {
    const policy = (jobs: { retry: unknown; disableAfterFailures: number }[]) =>
      jobs.map((j) => ({ retry: j.retry, disableAfterFailures: j.disableAfterFailures }));
    const reference = policy(allegro.jobs)[0];
    expect(reference).toMatchObject({
      retry: { attempts: 6, backoff: 'exponential' },
      disableAfterFailures: 5,
    });
    for (const job of policy(emag.jobs)) expect(job).toEqual(reference);
  });

  it("puts acknowledgements and attachments in the order routes' 12 req/s, everything else in 3 req/s", () => {
    const [orders, other] = emag.rateLimits;
    expect(orders).toMatchObject({ group: 'orders', limit: 12, per: 1, scope: 'account' });
    expect(other).toMatchObject({ group: 'other', limit: 3, per: 1, scope: 'account' });
    expect(other).not.toHaveProperty('match');
    const regex = (orders?.match?.regex ?? []).map((r) => new RegExp(r));
    expect(regex.length).toBeGreaterThan(0);
    const isOrder = (path: string) => regex.some((r) => r.test(path));
    for (const path of [
      '/ro/api-3/order/read',
      '/bg/api-3/order/acknowledge/2200000011',
      '/hu/api-3/order/attachments/save',
    ])
      expect(isOrder(path), path).toBe(true);
    for (const path of ['/ro/api-3/rma/save', '/ro/api-3/product_offer/read', '/ro/api-3/rma/read'])
      expect(isOrder(path), path).toBe(false);
  });

  it('keeps the password write-only and every flow behind a setting', () => {
    expect(emag.settings.properties.password).toMatchObject({ writeOnly: true, 'x-secret': true });
    for (const flow of emag.flows) expect(emag.settings.properties).toHaveProperty(flow.setting);
    expect(emag.settings.properties.platform.enum).toEqual(['ro', 'bg', 'hu', 'fdro', 'fdbg']);
    expect(emag.mappings.invoice.fields.pricesIncludeVat).toBe('false');
  });
});
