import type { Principal } from '../auth/principal.ts';
import type { EntityManager } from '@mikro-orm/core';
import { Company } from '../db/entities/company.entity.ts';
import { Integration, type IntegrationStatus } from '../db/entities/integration.entity.ts';
import { HostError } from '../errors.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import { loadCredential, saveCredential } from '../vault/index.ts';
import { actingTenantId, findAccessibleIntegration, tenantFilter } from './access.ts';
import { accountKey, assertAccountFree } from './account-key.ts';
import { audit } from './audit.ts';
import { assertConnectorOn, availablePlugin, pluginOf } from './plugin-lookup.ts';
import type { IntegrationDeps } from './ports.ts';
import { syncSchedule } from './schedule.ts';
import { mayRunJobs } from './enablement.ts';
import { intervalsChanged } from './job-specs.ts';
import { createLifecycle, type IntegrationLifecycle } from './lifecycle.ts';
import { assertHostChoices, schemaForTenant } from './host-choices.ts';
import {
  currentSettings,
  prepareNewSettings,
  prepareUpdatedSettings,
  secretNames,
  SETTINGS_CREDENTIAL,
} from './settings.ts';
import { createPluginActions, type PluginActions } from './plugin-actions.ts';
import { createSyncActions, type SyncActions } from './sync-actions.ts';
import { toIntegrationView, type IntegrationView } from './integration.view.ts';

type Settings = Record<string, unknown>;

/** The company a plugin of the company's documents is connected for: the one asked, else the default. */
async function documentsCompany(
  em: EntityManager,
  input: { tenantId: string; companyId: string | undefined; plugin: LoadedPlugin },
): Promise<string> {
  const company = await em.findOne(
    Company,
    { tenantId: input.tenantId, ...(input.companyId ? { id: input.companyId } : {}) },
    { orderBy: { isDefault: 'desc', createdAt: 'asc' } },
  );
  if (!company) {
    throw new HostError(
      'BAD_REQUEST',
      input.companyId
        ? `${input.plugin.manifest.name} works for one of your companies, and the one chosen is not yours; pick one of your companies.`
        : `${input.plugin.manifest.name} works for a company, and this organisation has none yet; add one under Settings → Company first.`,
    );
  }
  return company.id;
}

/** "eMAG (seller@example.ro)": several accounts of one plugin stay apart in lists. */
function defaultLabel(plugin: LoadedPlugin, settings: Settings): string {
  const auth = plugin.manifest.auth;
  const username = auth.type === 'basic' ? settings[auth.usernameSetting] : undefined;
  const label =
    typeof username === 'string' && username ? `${plugin.manifest.name} (${username})` : plugin.manifest.name;
  return label.slice(0, 200);
}

export interface SettingsView {
  settings: Settings;
  /** The plugin's settings JSON Schema; secret fields stay in it, marked writeOnly. */
  schema: object;
  /** Secret fields that have a stored value (their values are never returned). */
  secretsSet: string[];
}

export interface IntegrationService extends IntegrationLifecycle, SyncActions, PluginActions {
  list(input: { principal: Principal; pluginId?: string; tenantId?: string }): Promise<IntegrationView[]>;
  get(input: { principal: Principal; id: string }): Promise<IntegrationView>;
  create(input: {
    principal: Principal;
    pluginId: string;
    label?: string;
    settings: Settings;
    tenantId?: string;
    /** Plugins of the company's documents (manifest `documents`): the company; default the default one. */
    companyId?: string;
  }): Promise<IntegrationView>;
  getSettings(input: { principal: Principal; id: string }): Promise<SettingsView>;
  updateSettings(input: {
    principal: Principal;
    id: string;
    settings: Settings;
  }): Promise<{ success: true; settings: Settings }>;
}

/** Integrations: create, settings, status transitions and removal, scoped to the caller's tenant. */
export function createIntegrationService(deps: IntegrationDeps): IntegrationService {
  const fork = () => deps.db.orm.em.fork();

  async function storedSecrets(input: { tenantId: string; integrationId: string }): Promise<Settings> {
    const stored = await loadCredential<Settings>({
      em: fork(),
      vault: deps.vault,
      kind: SETTINGS_CREDENTIAL,
      ...input,
    });
    return stored?.secret ?? {};
  }

  return {
    ...createLifecycle(deps),
    ...createSyncActions(deps),
    ...createPluginActions(deps),

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

    async create({ principal, pluginId, label, settings, tenantId: requested, companyId: requestedCompany }) {
      const tenantId = actingTenantId(principal, requested);
      const em = fork();
      const plugin = await availablePlugin(deps.plugins, { em, tenantId, pluginId });
      // A marketplace account connected through OAuth is created by the OAuth callback. A plugin of
      // the company's documents signing in with OAuth is created here, for its company, waiting for
      // the sign-in (auth/url with its integration id).
      const oauth = plugin.manifest.auth.type === 'oauth2';
      if (oauth && !plugin.manifest.documents) {
        throw new HostError(
          'BAD_REQUEST',
          `${plugin.manifest.name} connects through OAuth: ask for its authorization URL (auth/url) instead.`,
        );
      }
      const prepared = prepareNewSettings(plugin, settings);
      await assertHostChoices({
        sql: deps.db.pool,
        schema: plugin.manifest.settings,
        scope: { tenantId },
        settings: prepared.public,
      });
      // A plugin of the company's documents is connected once per company (its "account").
      const companyId = plugin.manifest.documents
        ? await documentsCompany(em, { tenantId, companyId: requestedCompany, plugin })
        : null;
      const externalAccountId = companyId ? `company:${companyId}` : accountKey(plugin, prepared.public);
      await assertAccountFree(em, { tenantId, pluginId, key: externalAccountId });
      const status: IntegrationStatus = oauth ? 'pending_auth' : 'active';
      const row = await em.transactional(async (tx) => {
        const created = tx.create(Integration, {
          tenantId,
          pluginId,
          label: label?.trim() || defaultLabel(plugin, prepared.public),
          status,
          settings: prepared.public,
          settingsVersion: plugin.manifest.settingsVersion,
          externalAccountId,
          companyId,
        });
        await tx.flush();
        if (Object.keys(prepared.secret).length > 0) {
          await saveCredential({
            em: tx,
            vault: deps.vault,
            tenantId,
            integrationId: created.id,
            kind: SETTINGS_CREDENTIAL,
            secret: prepared.secret,
          });
        }
        audit(tx, {
          tenantId,
          actorUserId: principal.userId,
          action: 'integration.created',
          targetType: 'integration',
          targetId: created.id,
          details: {
            pluginId,
            settings: Object.keys(prepared.public),
            secrets: Object.keys(prepared.secret),
          },
        });
        return created;
      });
      await syncSchedule(deps, { row, plugin, enabled: true });
      return toIntegrationView(row);
    },

    async getSettings({ principal, id }) {
      const em = fork();
      const row = await findAccessibleIntegration(em, principal, id);
      const plugin = pluginOf(deps, row);
      await assertConnectorOn(deps, { em, row, plugin, principalTenantId: principal.tenantId });
      const secrets = await storedSecrets({ tenantId: row.tenantId, integrationId: row.id });
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
      const storedSecret = await storedSecrets({ tenantId: current.tenantId, integrationId: current.id });
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
      const row = await em.transactional(async (tx) => {
        const locked = await tx.findOneOrFail(Integration, { id: current.id });
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
        audit(tx, {
          tenantId: locked.tenantId,
          actorUserId: principal.userId,
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
      if (intervalsChanged(plugin, before, prepared.public)) {
        const enabled = await mayRunJobs(fork(), row.tenantId, row.pluginId);
        await syncSchedule(deps, { row, plugin, enabled });
      }
      return { success: true, settings: prepared.public };
    },
  };
}
