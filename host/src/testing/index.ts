/**
 * `@mch/host/testing`: the real host for integration tests of the host and of first-party plugins
 * that check what the host stored (rows, ledgers, several processes). A plugin author's tests
 * start with `@mch/plugin-sdk/testing` instead, which needs no knowledge of the host's internals.
 */
export * from './test-host.ts';
export * from './database.ts';
export * from './server-database.ts';
export * from './invoice-rows.ts';
export * from './free-port.ts';
export * from './demo.ts';
export * from './seed.ts';
export * from './oauth-processes.ts';
export * from './host-process.ts';
