import { parseArgs } from 'node:util';
import { issueTokenFor, listApiTokens, revokeTokenFor } from '../../tenancy/api-token-admin.ts';
import { findUserByEmail } from '../../tenancy/find.ts';
import { UsageError } from '../support/errors.ts';
import { info, result } from '../support/output.ts';
import { withDatabase } from '../support/with-database.ts';

const USAGE = `usage:
  token create --email E [--name N] [--expires-in-days D]
      issue a REST API token for that user; prints the token (shown once). Without
      --expires-in-days it is valid until revoked.
  token list --email E        one line per token: id, state, name, created, last used, expires
  token revoke --id ID        the token is refused from now on`;

async function create(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, name: { type: 'string' }, 'expires-in-days': { type: 'string' } },
  });
  if (!values.email) throw new UsageError(`--email is required.\n${USAGE}`);
  const email = values.email;
  const days = values['expires-in-days'];
  if (days !== undefined && !/^\d+$/.test(days))
    throw new UsageError(`--expires-in-days takes a whole number of days, not "${days}".\n${USAGE}`);
  const { token, view } = await withDatabase(async ({ db }) => {
    const em = db.orm.em.fork();
    const user = await findUserByEmail(em, email);
    return issueTokenFor({
      em,
      actor: 'cli',
      userId: user.id,
      name: values.name ?? 'cli',
      expiresInDays: days === undefined ? null : Number(days),
    });
  });
  info(
    `Issued API token "${view.name}" for ${email}${view.expiresAt ? `, valid until ${view.expiresAt}` : ''}; it is shown once. Use it as: Authorization: Bearer <token>`,
  );
  result(token);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' } } });
  if (!values.email) throw new UsageError(`--email is required.\n${USAGE}`);
  const email = values.email;
  const tokens = await withDatabase(async ({ db }) => {
    const em = db.orm.em.fork();
    const user = await findUserByEmail(em, email);
    return listApiTokens({ em, actor: 'cli', userId: user.id });
  });
  for (const t of tokens)
    result([t.id, t.state, t.name, t.createdAt, t.lastUsedAt ?? '-', t.expiresAt ?? '-'].join('\t'));
  if (tokens.length === 0) info(`${email} has no API tokens.`);
  return 0;
}

async function revoke(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { id: { type: 'string' } } });
  if (!values.id) throw new UsageError(`--id is required (see token list).\n${USAGE}`);
  const id = values.id;
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError(`"${id}" is not a token id (see token list).`);
  const token = await withDatabase(({ db }) => revokeTokenFor({ em: db.orm.em.fork(), actor: 'cli', id }));
  info(`Revoked API token "${token.name}" (${token.id}).`);
  return 0;
}

export const command = {
  name: 'token',
  summary: 'issue, list and revoke REST API tokens',
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === 'create') return create(rest);
    if (sub === 'list') return list(rest);
    if (sub === 'revoke') return revoke(rest);
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      info(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown subcommand "token ${sub}".\n${USAGE}`);
  },
};
