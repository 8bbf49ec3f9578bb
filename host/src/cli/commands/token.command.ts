import { parseArgs } from 'node:util';
import { createApiToken } from '../../tenancy/create-api-token.ts';
import { UsageError } from '../support/errors.ts';
import { info, result } from '../support/output.ts';
import { withDatabase } from '../support/with-database.ts';

const USAGE = `usage:
  token create --email E [--name N]   issue a REST API token for that user; prints the token (shown once)`;

async function create(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' } } });
  if (!values.email) throw new UsageError(`--email is required.\n${USAGE}`);
  const email = values.email;
  const { token } = await withDatabase(({ db }) =>
    createApiToken({ em: db.orm.em.fork(), email, name: values.name }),
  );
  info(
    `Issued API token "${values.name ?? 'cli'}" for ${email}; it is shown once. Use it as: Authorization: Bearer <token>`,
  );
  result(token);
  return 0;
}

export const command = {
  name: 'token',
  summary: 'issue REST API tokens',
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === 'create') return create(rest);
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      info(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown subcommand "token ${sub}".\n${USAGE}`);
  },
};
