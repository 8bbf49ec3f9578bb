import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * Lists every skipped test at the end of the run with its suite's name, which says why it was
 * skipped (e.g. "— SKIPPED: no PostgreSQL server binaries"), so a local run never hides what it
 * did not prove (issue 20).
 */
export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.result().state === 'skipped')
          skipped.push(`  ${module.moduleId.replace(`${process.cwd()}/`, '')} › ${fullName(test)}`);
      }
    }
    if (skipped.length === 0) return;
    process.stderr.write(`\n[tests] ${skipped.length} test(s) SKIPPED:\n${skipped.join('\n')}\n\n`);
  }
}

function fullName(test: TestCase): string {
  return test.fullName;
}
