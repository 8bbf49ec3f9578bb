import type { EntityManager } from '@mikro-orm/core';
import { PluginEnablement } from '../db/entities/plugin-enablement.entity.ts';
import { Tenant } from '../db/entities/tenant.entity.ts';

/**
 * Connectors are on for every tenant unless an admin switched one off (a row with
 * `enabled = false`): a fresh tenant created from the CLI can connect right away, and an admin's
 * "disable" is what takes a connector away.
 */
export async function disabledPluginIds(em: EntityManager, tenantId: string): Promise<Set<string>> {
  const rows = await em.find(PluginEnablement, { tenantId, enabled: false });
  return new Set(rows.map((r) => r.pluginId));
}

export async function isPluginEnabled(
  em: EntityManager,
  tenantId: string,
  pluginId: string,
): Promise<boolean> {
  const row = await em.findOne(PluginEnablement, { tenantId, pluginId });
  return row?.enabled ?? true;
}

export async function setPluginEnabled(
  em: EntityManager,
  input: { tenantId: string; pluginId: string; enabled: boolean },
): Promise<void> {
  await em.upsert(PluginEnablement, { ...input, updatedAt: new Date() });
}

/**
 * Whether an integration's jobs may be on the scheduler: its tenant is not disabled (issue 11: a
 * disabled tenant's accounts do no marketplace work) and its connector is on for the tenant.
 */
export async function mayRunJobs(em: EntityManager, tenantId: string, pluginId: string): Promise<boolean> {
  const tenant = await em.findOne(Tenant, { id: tenantId }, { fields: ['disabledAt'] });
  if (!tenant || tenant.disabledAt) return false;
  return isPluginEnabled(em, tenantId, pluginId);
}
