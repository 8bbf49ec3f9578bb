import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './console/svelte.config.js';

// Architecture rules (STYLE 2): plugins never reach into the host, MikroORM or Agenda;
// the host never imports a plugin by name or path.
const pluginBoundary = {
  patterns: [
    {
      group: ['@mch/host', '@mch/host/*', '**/host/src/**', '**/host/test/**'],
      message: 'Plugins talk to the host only through the plugin context (@mch/plugin-sdk).',
    },
    {
      group: ['@mikro-orm/*', 'agenda', '@agendajs/*'],
      message: 'Plugins never use the ORM or the scheduler: use ctx.store / ctx.ledger.',
    },
  ],
};
// A plugin's integration tests may start the real host through its testing entry, and nothing
// else of the host's (issue 14: plugin tests stop reaching into host/test).
const pluginTestBoundary = {
  patterns: [
    {
      regex: '^@mch/host(?!/testing$)|/host/(src|test)/',
      message:
        "A plugin's tests start the host with @mch/plugin-sdk/testing, or @mch/host/testing to check what it stored.",
    },
    pluginBoundary.patterns[1],
  ],
};
const hostBoundary = {
  patterns: [
    // Anything inside a plugin folder (`plugins/<id>/…`). The host's own loader, host/src/plugins/,
    // is flat on purpose so that `../plugins/loader.ts` stays importable.
    {
      group: ['@mch/plugin-*', '!@mch/plugin-sdk', '!@mch/plugin-sdk/*', '**/plugins/*/**'],
      message: 'The host discovers plugins through plugin.manifest.json; it never imports one.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'data/**',
      '.tools/**',
      'console/.svelte-kit/**',
      'console/build/**',
      'schemas/generated/**',
      'bench/results/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'no-console': 'error',
    },
  },
  // The console: Svelte components parsed by svelte-eslint-parser, their scripts type-checked as TS.
  ...svelte.configs.recommended,
  {
    files: ['console/src/**/*.svelte', 'console/src/**/*.svelte.ts', 'console/src/**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: tseslint.parser,
        svelteConfig,
      },
    },
    // The console is served at `/` with no base path, so links and goto() need no resolve().
    rules: { 'svelte/no-navigation-without-resolve': 'off' },
  },
  { files: ['console/src/**/*'], languageOptions: { globals: globals.browser } },
  { files: ['plugins/**/*.ts'], rules: { 'no-restricted-imports': ['error', pluginBoundary] } },
  { files: ['plugins/*/test/**/*.ts'], rules: { 'no-restricted-imports': ['error', pluginTestBoundary] } },
  // Host code only: its tests may start fixture plugins' sandboxes.
  { files: ['host/src/**/*.ts'], rules: { 'no-restricted-imports': ['error', hostBoundary] } },
  {
    // Command-line entry points and benchmarks print to the terminal on purpose.
    files: ['**/*.cli.ts', '**/cli/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
