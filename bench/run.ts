// `npm run bench`: runs every `bench/*.bench.ts`, prints one table and writes it to
// bench/results/ (JSON + Markdown). Targets are ratios against baselines measured in the same
// run, because these machines are shared and noisy.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Bench, BenchRow } from './types.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } },
});
const dir = import.meta.dirname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !values.only?.length || values.only.some((o) => f.includes(o)))
  .sort();

const rows: BenchRow[] = [];
const failures: string[] = [];
for (const file of files) {
  const started = Date.now();
  process.stderr.write(`bench ${file} …\n`);
  try {
    const mod = (await import(join(dir, file))) as { default: Bench };
    rows.push(...(await mod.default({ quick: values.quick })));
    process.stderr.write(`bench ${file} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failures.push(`${file}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

const fmt = (n: number | undefined) =>
  n === undefined ? '' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(3);
const header = ['bench', 'metric', 'value', 'unit', 'baseline', 'ratio', 'target', 'pass', 'note'];
const table = rows.map((r) => [
  r.bench,
  r.metric,
  fmt(r.value),
  r.unit,
  fmt(r.baseline),
  fmt(r.ratio),
  r.target ?? '',
  r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  r.note ?? '',
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
const markdown = [line(header), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n');
console.log(markdown);

const outDir = join(dir, 'results');
mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString();
const meta = { at: stamp, node: process.version, quick: values.quick };
writeFileSync(join(outDir, 'latest.json'), JSON.stringify({ ...meta, rows, failures }, null, 2) + '\n');
writeFileSync(
  join(outDir, 'latest.md'),
  `# Benchmarks — ${stamp} (node ${process.version})\n\n${markdown}\n`,
);
console.log(`\nwritten: bench/results/latest.json, bench/results/latest.md`);
if (failures.length) console.error(`\n${failures.length} benchmark(s) failed:\n${failures.join('\n\n')}`);
// A missed target fails the run too: a benchmark is a check, not only a table.
const missed = rows.filter((r) => r.pass === false);
if (missed.length)
  console.error(
    `\n${missed.length} target(s) missed:\n${missed.map((r) => `  ${r.bench} · ${r.metric}: ${r.value} ${r.unit} (target ${r.target})`).join('\n')}`,
  );
// Every host was stopped, but Agenda leaves a job-liveness timer (its lock lifetime, minutes)
// running after stop: exit rather than wait for it.
process.exit(failures.length || missed.length ? 1 : 0);
