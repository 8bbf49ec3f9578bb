import { formatCount, humanize } from './format.ts';

/** The parts of a run these words need (`integrations.run` / `integrations.runs`). */
export interface RunWordsInput {
  trigger: string;
  follows?: string | null;
  counts?: Record<string, number> | null;
  skipped?: Record<string, number> | null;
  progress?: { done: number; total: number | null };
}

const TRIGGER: Record<string, string> = {
  schedule: 'on schedule',
  manual: 'started by hand',
  webhook: 'on a marketplace notice',
  retry: 'retry',
};

/** Why a run started, in words: a follow-up says after what ("after invoices were issued"). */
export function triggerText(run: RunWordsInput): string {
  if (run.trigger === 'follow_up') return run.follows ? `after ${run.follows}` : 'after another run';
  return TRIGGER[run.trigger] ?? humanize(run.trigger);
}

/** The host's outcome counts, in the order a person reads them. */
const OUTCOMES = ['created', 'updated', 'unchanged', 'skipped'] as const;

/**
 * A run's counts in words (issue 13): the plugin's own ("Orders 300, Attached 229"), then what the
 * host did with the records, each once — "229 created, 7 unchanged, 64 skipped: 40 not paid yet,
 * 24 the buyer did not ask for an invoice". Skips are always said with why when the run knows.
 */
export function countsText(run: RunWordsInput): string {
  const counts = run.counts ?? {};
  const own = Object.entries(counts)
    .filter(([name]) => !(OUTCOMES as readonly string[]).includes(name))
    .map(([name, value]) => `${humanize(name)} ${formatCount(value)}`);
  const outcomes = OUTCOMES.filter((name) => (counts[name] ?? 0) > 0).map((name) => {
    const n = formatCount(counts[name] ?? 0);
    if (name !== 'skipped') return `${n} ${name}`;
    const why = Object.entries(run.skipped ?? {})
      .filter(([, count]) => count > 0)
      .map(([reason, count]) => `${formatCount(count)} ${reason}`);
    return why.length ? `${n} skipped: ${why.join(', ')}` : `${n} skipped`;
  });
  const parts = [own.join(', '), outcomes.join(', ')].filter(Boolean);
  return parts.length ? parts.join('; ') : '—';
}

/**
 * Live progress as shown: never more done than the total ("300 of 300 (100%)"), whatever a
 * plugin reported; without a total, how many are done.
 */
export function progressText(progress: RunWordsInput['progress']): string {
  if (!progress) return '';
  const { done, total } = progress;
  if (total) {
    const shown = Math.min(done, total);
    return `${formatCount(shown)} of ${formatCount(total)} (${Math.round((shown / total) * 100)}%)`;
  }
  return done ? `${formatCount(done)} done` : '';
}
