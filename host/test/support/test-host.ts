import { join } from 'node:path';
import { startTestHost as startHost, type TestHost } from '../../src/testing/test-host.ts';

export * from '../../src/testing/test-host.ts';

/** The host's own fixture plugins, the registry the host's tests run with unless they name one. */
export const FIXTURE_REGISTRY = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'plugins',
  'plugin.manifest.json',
);

type StartOptions = Parameters<typeof startHost>[0];

/** `startTestHost` of `@mch/host/testing`, with the fixture plugins unless `registryPath` is given. */
export function startTestHost(
  options: Omit<StartOptions, 'registryPath'> & { registryPath?: string } = {},
): Promise<TestHost> {
  return startHost({ ...options, registryPath: options.registryPath ?? FIXTURE_REGISTRY });
}
