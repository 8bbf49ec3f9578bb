import { join } from 'node:path';
import { createHostApp, type HostApp } from '../app/host-app.ts';
import { readEnv } from '../config/env.ts';
import { createLogger } from '../logging/logger.ts';

/**
 * A silent host for one plugin on a database thrown away afterwards (`plugin dry-run`, the SDK's
 * testing kit): the embedded database in `work/data` unless `databaseUrl` names a fresh one, the
 * registry given, any port, no public URL. Its config overrides point the plugin at a sandbox.
 */
export async function createThrowawayHost(options: {
  work: string;
  registryPath: string;
  databaseUrl?: string | undefined;
  schedulerPollMs?: number | undefined;
}): Promise<{ app: HostApp; configOverrides: Map<string, Record<string, string>> }> {
  const env = readEnv({
    ...process.env,
    DATA_DIR: join(options.work, 'data'),
    DATABASE_URL: options.databaseUrl ?? '',
    MONGODB_URL: '',
    PORT: '0',
    PUBLIC_URL: '',
    LOG_LEVEL: 'silent',
  });
  const configOverrides = new Map<string, Record<string, string>>();
  const app = await createHostApp({
    env,
    role: 'all',
    logger: createLogger({ level: 'silent' }),
    configOverrides,
    registryPath: options.registryPath,
    ...(options.schedulerPollMs ? { schedulerPollMs: options.schedulerPollMs } : {}),
  });
  return { app, configOverrides };
}
