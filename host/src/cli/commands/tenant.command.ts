import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import type { HostEnv } from '../../config/env.ts';
import type { Database } from '../../db/orm.ts';
import { Integration, Tenant } from '../../db/entities/index.ts';
import { syncTenantSchedules } from '../../integrations/schedule.ts';
import { createLogger } from '../../logging/logger.ts';
import { loadPlugins } from '../../plugins/index.ts';
import { createScheduler } from '../../scheduler/index.ts';
import { createTenant } from '../../tenancy/create-tenant.ts';
import { setTenantDisabled } from '../../tenancy/tenant-admin.ts';
import { UsageError } from '../support/errors.ts';
import { info, result } from '../support/output.ts';
import { withDatabase } from '../support/with-database.ts';

const USAGE = `usage:
  tenant create --name NAME [--slug SLUG]   create a tenant (with its default company and FV invoice series); prints its id
  tenant list                               one line per tenant: id, slug, name
  tenant disable --tenant ID|SLUG           its users cannot sign in; sessions end, API tokens are refused,
                                            its integrations' jobs stop
  tenant enable --tenant ID|SLUG`;

async function create(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { name: { type: 'string' }, slug: { type: 'string' } } });
  if (!values.name) throw new UsageError(`--name is required.\n${USAGE}`);
  const name = values.name;
  const tenant = await withDatabase(({ db }) =>
    createTenant({ em: db.orm.em.fork(), name, slug: values.slug }),
  );
  info(`Created tenant "${name}" (slug ${tenant.slug}) with its default company and invoice series.`);
  result(tenant.id);
  return 0;
}

async function list(args: string[]): Promise<number> {
  parseArgs({ args, options: {} });
  const tenants = await withDatabase(({ db }) =>
    db.orm.em.fork().find(Tenant, {}, { orderBy: { createdAt: 'asc' } }),
  );
  for (const t of tenants) result(`${t.id}\t${t.slug}\t${t.name}${t.disabledAt ? '\t(disabled)' : ''}`);
  if (tenants.length === 0) info('No tenants yet: npm run host -- tenant create --name NAME');
  return 0;
}

async function setDisabled(args: string[], disabled: boolean): Promise<number> {
  const { values } = parseArgs({ args, options: { tenant: { type: 'string' } } });
  if (!values.tenant) throw new UsageError(`--tenant is required.\n${USAGE}`);
  const tenant = values.tenant;
  const done = await withDatabase(async ({ db, env }) => {
    const changed = await setTenantDisabled({ em: db.orm.em.fork(), actor: 'cli', tenant, disabled });
    await followSchedules({ db, env, tenantId: changed.id });
    return changed;
  });
  info(
    disabled
      ? `Disabled tenant ${done.slug}: ${done.sessionsEnded} session(s) ended; its users and API tokens are refused and its accounts do not sync until enabled.`
      : `Enabled tenant ${done.slug}: its accounts sync on their schedules again.`,
  );
  return 0;
}

/**
 * Takes a disabled tenant's integrations' jobs off the scheduler, or puts them back, as the API
 * does (a running host would otherwise keep them; its sync engine skips them while disabled).
 */
async function followSchedules(input: { db: Database; env: HostEnv; tenantId: string }): Promise<void> {
  if ((await input.db.orm.em.fork().count(Integration, { tenantId: input.tenantId })) === 0) return;
  const logger = createLogger({ level: 'warn' });
  const loaded = await loadPlugins();
  const byId = new Map(loaded.plugins.map((p) => [p.id, p]));
  const scheduler = createScheduler({
    db: input.db,
    mongodbUrl: input.env.mongodbUrl,
    logger,
    processName: `${hostname()}:${process.pid}:cli`,
  });
  try {
    await syncTenantSchedules(
      { db: input.db, plugins: { ...loaded, get: (id) => byId.get(id) }, scheduler, logger },
      input.tenantId,
    );
  } finally {
    await scheduler.stop({ drainTimeoutMs: 0 });
  }
}

export const command = {
  name: 'tenant',
  summary: 'create, list, disable or enable tenants',
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === 'create') return create(rest);
    if (sub === 'disable') return setDisabled(rest, true);
    if (sub === 'enable') return setDisabled(rest, false);
    if (sub === 'list') return list(rest);
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      info(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown subcommand "tenant ${sub}".\n${USAGE}`);
  },
};
