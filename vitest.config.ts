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
    reporters: ['default'],
  },
});
