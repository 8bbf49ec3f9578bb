import { readEnv, type HostEnv } from '../../config/env.ts';
import { acquireDataDirLock } from '../../db/data-dir-lock.ts';
import { migrate, openDatabase, type Database } from '../../db/orm.ts';

export interface CommandContext {
  env: HostEnv;
  db: Database;
  /** Migrations applied by this run (the schema is always brought up to date first). */
  migrated: string[];
}

/**
 * Runs `fn` against the configured database, migrated, and closes it. On the embedded database the
 * data folder is locked first: a running host (or another command) makes this refuse, clearly.
 */
export async function withDatabase<T>(
  fn: (context: CommandContext) => Promise<T>,
  env: HostEnv = readEnv(),
): Promise<T> {
  const lock = env.databaseUrl ? undefined : acquireDataDirLock(env.dataDir, { role: 'cli' });
  try {
    const db = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir });
    try {
      const migrated = await migrate(db);
      return await fn({ env, db, migrated });
    } finally {
      await db.close();
    }
  } finally {
    lock?.release();
  }
}
