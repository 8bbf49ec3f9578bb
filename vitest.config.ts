import { defineConfig } from 'vitest/config';

// One runner for every workspace: unit tests sit beside the code (`src/**/*.test.ts`),
// integration tests in each package's `test/` folder. Two cores here, so two workers.
export default defineConfig({
  test: {
    include: ['{schemas,sdk,host,plugins/*,console}/{src,test,sandbox}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'console/.svelte-kit/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Multi-process tests get a PostgreSQL server even without DATABASE_URL, and every skipped
    // test is listed at the end with its reason (issue 20).
    globalSetup: ['host/test/support/global-setup.ts'],
    reporters: ['default', './host/test/support/skipped-reporter.ts'],
  },
});
