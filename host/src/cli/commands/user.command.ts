import { parseArgs } from 'node:util';
import { ROLES } from '../../db/entities/user.entity.ts';
import { createUser } from '../../tenancy/create-user.ts';
import { findUserByEmail } from '../../tenancy/find.ts';
import { resetUserPassword, setUserDisabled } from '../../tenancy/user-admin.ts';
import { UsageError } from '../support/errors.ts';
import { info, result } from '../support/output.ts';
import { withDatabase } from '../support/with-database.ts';

const USAGE = `usage:
  user create --email E --role ${ROLES.join('|')} [--tenant ID|SLUG] [--password P] [--name N]
      --tenant is required for tenant roles and refused for platform_admin.
      Without --password one is generated and shown once (on stderr). Prints the user id.
  user set-password --email E [--password P]
      Sets a new password and ends the user's sessions; without --password one is generated and
      shown once (on stderr).
  user disable --email E     the user cannot sign in; sessions end, API tokens are refused
  user enable --email E`;

async function create(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      tenant: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
    },
  });
  if (!values.email || !values.role) throw new UsageError(`--email and --role are required.\n${USAGE}`);
  const { email, role } = values;
  const user = await withDatabase(({ db }) =>
    createUser({
      em: db.orm.em.fork(),
      tenant: values.tenant,
      email,
      role,
      password: values.password,
      name: values.name,
    }),
  );
  info(
    `Created ${user.role} ${user.email}${user.tenantId ? ` in tenant ${user.tenantId}` : ' (all tenants)'}.`,
  );
  if (user.generatedPassword) {
    info(`Generated password (shown once, store it now): ${user.generatedPassword}`);
  }
  result(user.id);
  return 0;
}

function emailOf(args: string[], extra: { password?: { type: 'string' } } = {}) {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, ...extra } });
  if (!values.email) throw new UsageError(`--email is required.\n${USAGE}`);
  return { email: values.email, password: (values as { password?: string }).password };
}

async function setPasswordCommand(args: string[]): Promise<number> {
  const { email, password } = emailOf(args, { password: { type: 'string' } });
  const result = await withDatabase(async ({ db }) => {
    const em = db.orm.em.fork();
    const user = await findUserByEmail(em, email);
    return resetUserPassword({ em, actor: 'cli', userId: user.id, password });
  });
  info(`Password of ${email} set; ${result.sessionsEnded} session(s) ended.`);
  if (result.generatedPassword)
    info(`Generated password (shown once, store it now): ${result.generatedPassword}`);
  return 0;
}

async function setDisabledCommand(args: string[], disabled: boolean): Promise<number> {
  const { email } = emailOf(args);
  const result = await withDatabase(async ({ db }) => {
    const em = db.orm.em.fork();
    const user = await findUserByEmail(em, email);
    return setUserDisabled({ em, actor: 'cli', userId: user.id, disabled });
  });
  info(
    disabled
      ? `Disabled ${email}: ${result.sessionsEnded} session(s) ended; its API tokens are refused until enabled.`
      : `Enabled ${email}.`,
  );
  return 0;
}

export const command = {
  name: 'user',
  summary: 'create users, set passwords, disable or enable them',
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === 'create') return create(rest);
    if (sub === 'set-password') return setPasswordCommand(rest);
    if (sub === 'disable') return setDisabledCommand(rest, true);
    if (sub === 'enable') return setDisabledCommand(rest, false);
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      info(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown subcommand "user ${sub}".\n${USAGE}`);
  },
};
