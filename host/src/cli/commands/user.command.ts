import { parseArgs } from 'node:util';
import { ROLES } from '../../db/entities/user.entity.ts';
import { createUser } from '../../tenancy/create-user.ts';
import { UsageError } from '../support/errors.ts';
import { info, result } from '../support/output.ts';
import { withDatabase } from '../support/with-database.ts';

const USAGE = `usage:
  user create --email E --role ${ROLES.join('|')} [--tenant ID|SLUG] [--password P] [--name N]
      --tenant is required for tenant roles and refused for platform_admin.
      Without --password one is generated and shown once (on stderr). Prints the user id.`;

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

export const command = {
  name: 'user',
  summary: 'create users (platform_admin, tenant_admin, tenant_user)',
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === 'create') return create(rest);
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      info(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown subcommand "user ${sub}".\n${USAGE}`);
  },
};
