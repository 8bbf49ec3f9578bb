// Words (issue 13): what an eMAG failure tells a seller names the action in words ("reading
// orders", "saving the invoice to the order"), never the API path or an HTTP status, and promises
// no retry — a switched-off account makes none. The manifest's texts a seller reads (settings,
// flows, actions) name no API path or status number either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import manifest from '../plugin.manifest.json' with { type: 'json' };
import { actionInWords } from '../src/emag-api.ts';
import type { TestActor } from '@mch/host/testing';
import { connect, ROMANIAN_SELLER, setFaults, startEmagWorld, type EmagWorld } from './support.ts';

/** An API path (`order/attachments/save`), a status number or code, or an arrow between statuses. */
const TECHNICAL = /\b[a-z_]+\/[a-z_]+\b|\bHTTP\b|\b[1-5]\d\d\b|→|\bstatus \d\b|payment_status/;

describe('eMAG in words (issue 13)', () => {
  it('names each call by what it does', () => {
    expect(actionInWords('order/attachments/save')).toBe('saving the invoice to the order');
    expect(actionInWords('order/acknowledge/123')).toBe('acknowledging a new order');
    expect(actionInWords('order/read')).toBe('reading orders');
    expect(actionInWords('category/read')).toBe("working with eMAG's category data");
  });

  it('the texts a seller reads in the manifest name no API path or status number', () => {
    const texts: [string, string][] = [];
    for (const [key, property] of Object.entries(manifest.settings.properties))
      texts.push([
        `setting ${key}`,
        `${property.title} ${'description' in property ? property.description : ''}`,
      ]);
    for (const flow of manifest.flows) texts.push([`flow ${flow.id}`, `${flow.title} ${flow.description}`]);
    for (const action of manifest.actions)
      texts.push([`action ${action.id}`, `${action.title} ${action.description ?? ''}`]);
    for (const job of manifest.jobs) texts.push([`job ${job.id}`, job.title]);
    for (const [where, text] of texts) expect(text, where).not.toMatch(TECHNICAL);
  });

  describe('a failing eMAG, through the real host', () => {
    let world: EmagWorld;
    let user: TestActor;

    beforeAll(async () => {
      world = await startEmagWorld({ orders: 5, seed: 'words' });
      const tenant = await world.host.createTenant(undefined, ROMANIAN_SELLER);
      user = await world.host.createActor({ role: 'tenant_admin', tenantId: tenant.id });
    });
    afterAll(() => world?.stop());

    it('a run that fails on 503s says eMAG could not finish reading orders, without path, status or promise', async () => {
      const id = await connect(user, 'ro-main');
      await setFaults(world.sandbox, { errorRate: 1, errorStatus: 503, routes: ['/ro/api-3/order/read'] });
      const { runId } = await user.trpc.integrations.sync.mutate({ id, jobId: 'sync-orders' });
      let error: string | null = null;
      for (let i = 0; i < 600 && !error; i++) {
        const run = await user.trpc.integrations.run.query({ runId });
        error = run.status === 'retrying' || run.status === 'failed' ? run.error : null;
        if (!error) await new Promise((r) => setTimeout(r, 50));
      }
      await setFaults(world.sandbox, { errorRate: 0, routes: [] });
      expect(error).toBe('eMAG had a problem on its side while reading orders and did not finish it.');
      expect(error).not.toMatch(TECHNICAL);
      expect(error).not.toMatch(/retry/i);
    });
  });
});
