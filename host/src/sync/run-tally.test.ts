import { describe, expect, it } from 'vitest';
import { RunTally } from './run-tally.ts';

const record = (externalId: string) => ({ externalId, revision: '1', data: {} });

describe('RunTally (issue 13)', () => {
  it('counts a record once, by what finally happened to it, and every skip under its reason', () => {
    const tally = new RunTally();
    // An event brings orders 1-3; order 1 is created, 2 is held, 3 not invoiced (buyer asked none).
    tally.add(
      'invoice',
      [record('1'), record('2'), record('3')],
      [
        { status: 'created', hostId: 'h1' },
        { status: 'skipped', reason: 'order 2: no rate', group: 'held: no exchange rate yet' },
        { status: 'skipped', reason: 'order 3: …', group: 'the buyer did not ask for an invoice' },
      ],
    );
    // The sweep brings them again, with order 4: 1 is unchanged now, 2 still held.
    tally.add(
      'invoice',
      [record('1'), record('2'), record('4'), record('4')],
      [
        { status: 'unchanged', hostId: 'h1' },
        { status: 'skipped', reason: 'order 2: no rate', group: 'held: no exchange rate yet' },
        { status: 'skipped', reason: 'superseded by a later copy' },
        { status: 'created', hostId: 'h4' },
      ],
    );
    tally.addPluginSkips({ 'not paid yet': 2 });
    tally.addPluginCounts({ orders: 6, created: 99 });
    expect(tally.counts).toEqual({ created: 2, skipped: 4, orders: 6 });
    expect(tally.skipped()).toEqual({
      'not paid yet': 2,
      'held: no exchange rate yet': 1,
      'the buyer did not ask for an invoice': 1,
    });
  });

  it("keeps a job's own counts when it hands no records over", () => {
    const tally = new RunTally();
    tally.addPluginCounts({ offers: 3, created: 2 });
    expect(tally.counts).toEqual({ offers: 3, created: 2 });
    expect(tally.skipped()).toEqual({});
  });
});
