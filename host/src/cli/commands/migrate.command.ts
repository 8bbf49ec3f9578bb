import { parseArgs } from 'node:util';
import { info } from '../support/output.ts';
import { withDatabase } from '../support/with-database.ts';

const USAGE =
  'usage: migrate   apply pending database migrations (DATABASE_URL, or the embedded database in DATA_DIR)';

export const command = {
  name: 'migrate',
  summary: 'apply pending database migrations',
  async run(args: string[]): Promise<number> {
    const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      info(USAGE);
      return 0;
    }
    await withDatabase(async ({ env, migrated }) => {
      const where = env.databaseUrl ? 'the PostgreSQL database' : `the embedded database in ${env.dataDir}`;
      if (migrated.length === 0) info(`${where} is up to date.`);
      else
        info(
          `Applied ${migrated.length} migration(s) to ${where}:\n${migrated.map((m) => `  ${m}`).join('\n')}`,
        );
    });
    return 0;
  },
};
