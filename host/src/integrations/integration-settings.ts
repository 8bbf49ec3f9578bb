import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../auth/principal.ts';
import { Integration, type IIntegration } from '../db/entities/integration.entity.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import { loadCredential, saveCredential } from '../vault/index.ts';
import { findAccessibleIntegration } from './access.ts';
import { accountKey, assertAccountFree } from './account-key.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { mayRunJobs } from './enablement.ts';
import { assertHostChoices, schemaForTenant } from './host-choices.ts';
import { intervalsChanged } from './job-specs.ts';
import { assertConnectorOn, pluginOf } from './plugin-lookup.ts';
import type { IntegrationDeps } from './ports.ts';
import { HostError } from '../errors.ts';
import { checkConnection, testable, type ConnectionCheck } from './connection-check.ts';
import { syncSchedule } from './schedule.ts';
import {
  currentSettings,
  prepareUpdatedSettings,
  secretNames,
  SETTINGS_CREDENTIAL,
  type PreparedSettings,
} from './prepared-settings.ts';

type Settings = Record<string, unknown>;

export interface SettingsView {
  settings: Settings;
  /** The plugin's settings JSON Schema; secret fields stay in it, marked writeOnly. */
  schema: object;
  /** Secret fields that have a stored value (their values are never returned). */
  secretsSet: string[];
}

export interface IntegrationSettings {
  getSettings(input: { principal: Principal; id: string }): Promise<SettingsView>;
  updateSettings(input: {
    principal: Principal;
    id: string;
    settings: Settings;
  }): Promise<{ success: true; settings: Settings; connection: ConnectionCheck }>;
}

async function storedSecrets(
  deps: IntegrationDeps,
  input: { tenantId: string; integrationId: string },
): Promise<Settings> {
  const stored = await loadCredential<Settings>({
    em: deps.db.orm.em.fork(),
    vault: deps.vault,
    kind: SETTINGS_CREDENTIAL,
    ...input,
  });
  return stored?.secret ?? {};
}

/** The new settings on the row (and its account key), changed secrets in the vault, the audit entry. */
function saveSettings(
  em: EntityManager,
  deps: IntegrationDeps,
  input: {
    principal: Principal;
    current: IIntegration;
    plugin: LoadedPlugin;
    prepared: PreparedSettings;
    changedSecrets: string[];
  },
): Promise<IIntegration> {
  const { plugin, prepared, changedSecrets } = input;
  const before = input.current.settings;
  return em.transactional(async (tx) => {
    const locked = await tx.findOneOrFail(Integration, { id: input.current.id });
    // A credentials account follows its username and endpoint; OAuth ones keep the broker's id.
    const key = accountKey(plugin, prepared.public);
    if (key && key !== locked.externalAccountId) {
      await assertAccountFree(tx, {
        tenantId: locked.tenantId,
        pluginId: locked.pluginId,
        key,
        exceptId: locked.id,
      });
      locked.externalAccountId = key;
    }
    locked.settings = prepared.public;
    locked.settingsVersion = plugin.manifest.settingsVersion;
    if (changedSecrets.length > 0) {
      await saveCredential({
        em: tx,
        vault: deps.vault,
        tenantId: locked.tenantId,
        integrationId: locked.id,
        kind: SETTINGS_CREDENTIAL,
        secret: prepared.secret,
      });
    }
    recordAudit(tx, {
      tenantId: locked.tenantId,
      actorUserId: input.principal.userId,
      action: 'integration.settings_updated',
      targetType: 'integration',
      targetId: locked.id,
      details: {
        changed: Object.keys(prepared.public).filter(
          (k) => JSON.stringify(before[k]) !== JSON.stringify(prepared.public[k]),
        ),
        secretsChanged: changedSecrets,
      },
    });
    return locked;
  });
}

/** An integration's settings: read with the form's schema, and updated (secrets kept unless changed). */
export function createIntegrationSettings(
  deps: IntegrationDeps,
  hooks: {
    /** An account waiting for working credentials got them: it runs again (status and schedule). */
    recovered(integrationId: string): Promise<void>;
  },
): IntegrationSettings {
  const fork = () => deps.db.orm.em.fork();
  return {
    async getSettings({ principal, id }) {
      const em = fork();
      const row = await findAccessibleIntegration(em, principal, id);
      const plugin = pluginOf(deps, row);
      await assertConnectorOn(deps, { em, row, plugin, principalTenantId: principal.tenantId });
      const secrets = await storedSecrets(deps, { tenantId: row.tenantId, integrationId: row.id });
      return {
        settings: currentSettings(plugin, row),
        schema: await schemaForTenant(deps.db.pool, plugin.manifest.settings, {
          tenantId: row.tenantId,
          companyId: row.companyId ?? null,
        }),
        secretsSet: secretNames(plugin).filter((name) => secrets[name] !== undefined && secrets[name] !== ''),
      };
    },

    async updateSettings({ principal, id, settings }) {
      const em = fork();
      const current = await findAccessibleIntegration(em, principal, id);
      const plugin = pluginOf(deps, current);
      await assertConnectorOn(deps, { em, row: current, plugin, principalTenantId: principal.tenantId });
      const storedSecret = await storedSecrets(deps, {
        tenantId: current.tenantId,
        integrationId: current.id,
      });
      const prepared = prepareUpdatedSettings({
        plugin,
        storedPublic: currentSettings(plugin, current),
        storedSecret,
        submitted: settings,
      });
      await assertHostChoices({
        sql: deps.db.pool,
        schema: plugin.manifest.settings,
        scope: { tenantId: current.tenantId, companyId: current.companyId ?? null },
        settings: prepared.public,
        previous: current.settings,
      });
      const before = current.settings;
      const changedSecrets = Object.keys(prepared.secret).filter(
        (k) => prepared.secret[k] !== storedSecret[k],
      );
      const row = await saveSettings(em, deps, { principal, current, plugin, prepared, changedSecrets });
      // New credentials are tested: refused, the old ones are put back; accepted, an account
      // waiting for them ("needs re-auth") works again at once.
      const waiting = current.status === 'needs_reauth';
      const connection =
        changedSecrets.length > 0 || (waiting && testable(plugin))
          ? await checkConnection(deps, plugin, row)
          : ({ verdict: 'untested', message: null } as const);
      if (connection.verdict === 'refused' && changedSecrets.length > 0) {
        await saveSettings(fork(), deps, {
          principal,
          current: row,
          plugin,
          prepared: { public: before, secret: storedSecret },
          changedSecrets,
        });
        throw new HostError('BAD_REQUEST', `Not saved: ${connection.message}`);
      }
      if (waiting && connection.verdict === 'connected') await hooks.recovered(row.id);
      else if (intervalsChanged(plugin, before, prepared.public)) {
        const enabled = await mayRunJobs(fork(), row.tenantId, row.pluginId);
        await syncSchedule(deps, { row, plugin, enabled });
      }
      return { success: true, settings: prepared.public, connection };
    },
  };
}
