import type { Principal } from '../auth/principal.ts';
import { Integration } from '../db/entities/integration.entity.ts';
import { mergeDisjoint } from '../merge-disjoint.ts';
import { findAccessibleIntegration, tenantFilter } from './access.ts';
import { createIntegrationCreation, type IntegrationCreation } from './integration-create.ts';
import { createIntegrationSettings, type IntegrationSettings } from './integration-settings.ts';
import { toIntegrationView, type IntegrationView } from './integration.view.ts';
import { createLifecycle, type IntegrationLifecycle } from './lifecycle.ts';
import { createPluginActions, type PluginActions } from './plugin-actions.ts';
import type { IntegrationDeps } from './ports.ts';
import { createSyncActions, type SyncActions } from './sync-actions.ts';

export type { SettingsView } from './integration-settings.ts';

export interface IntegrationReads {
  list(input: { principal: Principal; pluginId?: string; tenantId?: string }): Promise<IntegrationView[]>;
  get(input: { principal: Principal; id: string }): Promise<IntegrationView>;
}

export interface IntegrationService
  extends
    IntegrationReads,
    IntegrationCreation,
    IntegrationSettings,
    IntegrationLifecycle,
    SyncActions,
    PluginActions {}

/** The caller's integrations (all tenants' for a platform admin, or the one asked). */
function createIntegrationReads(deps: IntegrationDeps): IntegrationReads {
  const fork = () => deps.db.orm.em.fork();
  return {
    async list({ principal, pluginId, tenantId }) {
      const tenant = tenantFilter(principal, tenantId);
      const rows = await fork().find(
        Integration,
        { ...(tenant ? { tenantId: tenant } : {}), ...(pluginId ? { pluginId } : {}) },
        { orderBy: { createdAt: 'asc' } },
      );
      return rows.map(toIntegrationView);
    },

    async get({ principal, id }) {
      return toIntegrationView(await findAccessibleIntegration(fork(), principal, id));
    },
  };
}

/** Integrations: create, settings, status transitions and removal, scoped to the caller's tenant. */
export function createIntegrationService(deps: IntegrationDeps): IntegrationService {
  const lifecycle = createLifecycle(deps);
  // Each part answers its own methods; a name given by two parts is refused, not overridden.
  return mergeDisjoint(
    'The integration service',
    createIntegrationReads(deps),
    createIntegrationCreation(deps),
    createIntegrationSettings(deps, {
      recovered: (integrationId) => lifecycle.transition({ integrationId, status: 'active', reason: null }),
    }),
    lifecycle,
    createSyncActions(deps),
    createPluginActions(deps),
  );
}
