import type { RecordInput, UpsertOutcome } from '@mch/plugin-sdk';

/** The host's own outcome counts of a run; what a plugin reports beside them is its own. */
export const OUTCOME_COUNTS = ['created', 'updated', 'unchanged', 'skipped'] as const;
type Status = (typeof OUTCOME_COUNTS)[number];

/**
 * When one record comes back several times in a run (an event and the sweep that follows it, a
 * re-read after acknowledging), the run says what finally happened to it: it was created even if
 * a later pass found it unchanged; a skip (held, not invoiced) outranks a later "unchanged".
 */
const RANK: Record<Status, number> = { unchanged: 0, skipped: 1, updated: 2, created: 3 };

/** A skip's group when the host gave none: its reason up to the first detail. */
const FALLBACK_GROUP = 'not processed';

/**
 * What one run did with the records it was given, each record counted once (issue 13): created +
 * updated + unchanged + skipped = the records the run saw, and every skip is counted under why,
 * in words ("64 skipped: 40 not paid yet, 24 the buyer did not ask for an invoice").
 */
export class RunTally {
  /** The run's counts: the host's outcomes and the plugin's own (orders, attached …). */
  readonly counts: Record<string, number> = {};
  readonly #outcomes = new Map<string, { status: Status; group: string | undefined }>();
  readonly #pluginSkips = new Map<string, number>();

  /** One `upsertMany` batch: a record given twice in it counts by its last copy. */
  add(kind: string, records: readonly RecordInput[], outcomes: readonly UpsertOutcome[]): void {
    const last = new Map<string, UpsertOutcome>();
    records.forEach((record, i) => {
      const outcome = outcomes[i];
      if (outcome) last.set(record.externalId, outcome);
    });
    for (const [externalId, outcome] of last) {
      const key = `${kind}\u0000${externalId}`;
      const earlier = this.#outcomes.get(key);
      if (earlier && RANK[earlier.status] > RANK[outcome.status]) continue;
      const group = outcome.status === 'skipped' ? (outcome.group ?? FALLBACK_GROUP) : undefined;
      if (earlier) this.#count(earlier.status, -1);
      this.#outcomes.set(key, { status: outcome.status, group });
      this.#count(outcome.status, 1);
    }
  }

  /**
   * The plugin's output counts. Once the host counted records, its outcome names (created …)
   * stay the host's; a job that hands no records over may use them for its own work.
   */
  addPluginCounts(counts: Readonly<Record<string, number>>): void {
    const hostCounted = this.#outcomes.size > 0 || this.#pluginSkips.size > 0;
    for (const [name, value] of Object.entries(counts)) {
      if (hostCounted && (OUTCOME_COUNTS as readonly string[]).includes(name)) continue;
      this.counts[name] = value;
    }
  }

  /** Records the plugin saw but did not hand over, by why (JobOutput `skipped`). */
  addPluginSkips(skipped: Readonly<Record<string, number>>): void {
    for (const [group, n] of Object.entries(skipped)) {
      if (!(n > 0)) continue;
      this.#pluginSkips.set(group, (this.#pluginSkips.get(group) ?? 0) + n);
      this.#count('skipped', n);
    }
  }

  /** Skips by why, most first: `{ 'not paid yet': 40, … }`. */
  skipped(): Record<string, number> {
    const groups = new Map(this.#pluginSkips);
    for (const { status, group } of this.#outcomes.values())
      if (status === 'skipped' && group) groups.set(group, (groups.get(group) ?? 0) + 1);
    return Object.fromEntries([...groups].sort((a, b) => b[1] - a[1]));
  }

  #count(status: Status, delta: number): void {
    const next = (this.counts[status] ?? 0) + delta;
    if (next > 0) this.counts[status] = next;
    else delete this.counts[status];
  }
}
