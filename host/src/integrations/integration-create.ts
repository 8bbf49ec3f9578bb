import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../auth/principal.ts';
import { Company } from '../db/entities/company.entity.ts';
import { Integration, type IIntegration, type IntegrationStatus } from '../db/entities/integration.entity.ts';
import { HostError } from '../errors.ts';
import { Credential } from '../db/entities/credential.entity.ts';
import { checkConnection, type ConnectionCheck } from './connection-check.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import { saveCredential } from '../vault/index.ts';
import { actingTenantId } from './access.ts';
import { accountKey, accountName, assertAccountFree } from './account-key.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { assertHostChoices } from './host-choices.ts';
import { toIntegrationView, type IntegrationView } from './integration.view.ts';
import { availablePlugin } from './plugin-lookup.ts';
import type { IntegrationDeps } from './ports.ts';
import { syncSchedule } from './schedule.ts';
import { prepareNewSettings, SETTINGS_CREDENTIAL, type PreparedSettings } from './prepared-settings.ts';

type Settings = Record<string, unknown>;

export interface IntegrationCreation {
  create(input: {
    principal: Principal;
    pluginId: string;
    label?: string;
    settings: Settings;
    tenantId?: string;
    /** Plugins of the company's documents (manifest `documents`): the company; default the default one. */
    companyId?: string;
  }): Promise<IntegrationView & { connection: ConnectionCheck }>;
}

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
  const account = accountName(plugin, settings);
  const label = account ? `${plugin.manifest.name} (${account})` : plugin.manifest.name;
  return label.slice(0, 200);
}

/**
 * A marketplace account connected through OAuth is created by the OAuth callback. A plugin of the
 * company's documents signing in with OAuth is created here, for its company, waiting for the
 * sign-in (auth/url with its integration id).
 */
function assertCreatedHere(plugin: LoadedPlugin): void {
  if (plugin.manifest.auth.type === 'oauth2' && !plugin.manifest.documents) {
    throw new HostError(
      'BAD_REQUEST',
      `${plugin.manifest.name} connects through OAuth: ask for its authorization URL (auth/url) instead.`,
    );
  }
}

/** The new row, its secret settings in the vault and the audit entry, in one transaction. */
function insertIntegration(
  em: EntityManager,
  deps: IntegrationDeps,
  input: {
    principal: Principal;
    tenantId: string;
    plugin: LoadedPlugin;
    label: string | undefined;
    prepared: PreparedSettings;
    externalAccountId: string | null;
    companyId: string | null;
  },
): Promise<IIntegration> {
  const { principal, tenantId, plugin, prepared } = input;
  const status: IntegrationStatus = plugin.manifest.auth.type === 'oauth2' ? 'pending_auth' : 'active';
  return em.transactional(async (tx) => {
    const created = tx.create(Integration, {
      tenantId,
      pluginId: plugin.id,
      label: input.label?.trim() || defaultLabel(plugin, prepared.public),
      status,
      settings: prepared.public,
      settingsVersion: plugin.manifest.settingsVersion,
      externalAccountId: input.externalAccountId,
      companyId: input.companyId,
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
    recordAudit(tx, {
      tenantId,
      actorUserId: principal.userId,
      action: 'integration.created',
      targetType: 'integration',
      targetId: created.id,
      details: {
        pluginId: plugin.id,
        settings: Object.keys(prepared.public),
        secrets: Object.keys(prepared.secret),
      },
    });
    return created;
  });
}

/** An account its service refused at connect: its row and secrets go, the attempt is audited. */
async function forgetRefused(
  em: EntityManager,
  deps: IntegrationDeps,
  input: { principal: Principal; row: IIntegration; plugin: LoadedPlugin; message: string },
): Promise<void> {
  const { row } = input;
  await em.fork().transactional(async (tx) => {
    await tx.nativeDelete(Credential, { integrationId: row.id, tenantId: row.tenantId });
    await tx.nativeDelete(Integration, { id: row.id });
    recordAudit(tx, {
      tenantId: row.tenantId,
      actorUserId: input.principal.userId,
      action: 'integration.connect_refused',
      targetType: 'integration',
      targetId: row.id,
      details: { pluginId: input.plugin.id },
    });
  });
  deps.logger.info(
    { integrationId: row.id, pluginId: input.plugin.id },
    'connection refused by the service; not kept',
  );
}

/**
 * A disconnected account connected again: its row (invoices, ledger, history) comes back with the
 * new settings and secrets, tested like a new one; refused, it stays disconnected.
 */
async function reconnect(
  em: EntityManager,
  deps: IntegrationDeps,
  input: {
    principal: Principal;
    row: IIntegration;
    plugin: LoadedPlugin;
    prepared: PreparedSettings;
    label: string | undefined;
  },
): Promise<IntegrationView & { connection: ConnectionCheck }> {
  const { principal, plugin, prepared } = input;
  const before = {
    status: input.row.status,
    statusReason: input.row.statusReason,
    disconnectedAt: input.row.disconnectedAt,
  };
  const row = await em.transactional(async (tx) => {
    const locked = await tx.findOneOrFail(Integration, { id: input.row.id });
    locked.settings = prepared.public;
    locked.settingsVersion = plugin.manifest.settingsVersion;
    if (input.label?.trim()) locked.label = input.label.trim();
    locked.status = plugin.manifest.auth.type === 'oauth2' ? 'pending_auth' : 'active';
    locked.statusReason = null;
    locked.consecutiveFailures = 0;
    locked.disconnectedAt = null;
    if (Object.keys(prepared.secret).length > 0)
      await saveCredential({
        em: tx,
        vault: deps.vault,
        tenantId: locked.tenantId,
        integrationId: locked.id,
        kind: SETTINGS_CREDENTIAL,
        secret: prepared.secret,
      });
    recordAudit(tx, {
      tenantId: locked.tenantId,
      actorUserId: principal.userId,
      action: 'integration.reconnected',
      targetType: 'integration',
      targetId: locked.id,
      details: {
        pluginId: plugin.id,
        settings: Object.keys(prepared.public),
        secrets: Object.keys(prepared.secret),
      },
    });
    return locked;
  });
  const connection = await checkConnection(deps, plugin, row);
  if (connection.verdict === 'refused') {
    await em.fork().transactional(async (tx) => {
      await tx.nativeDelete(Credential, { integrationId: row.id, tenantId: row.tenantId });
      await tx.nativeUpdate(Integration, { id: row.id }, before);
    });
    throw new HostError('BAD_REQUEST', `Not connected: ${connection.message}`);
  }
  await syncSchedule(deps, { row, plugin, enabled: true });
  return { ...toIntegrationView(row), connection };
}

/** Connecting an account: settings checked, the account free, the row created, tested and scheduled. */
export function createIntegrationCreation(deps: IntegrationDeps): IntegrationCreation {
  return {
    async create({ principal, pluginId, label, settings, tenantId: requested, companyId: requestedCompany }) {
      const tenantId = actingTenantId(principal, requested);
      const em = deps.db.orm.em.fork();
      const plugin = await availablePlugin(deps.plugins, { em, tenantId, pluginId });
      assertCreatedHere(plugin);
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
      // The same account disconnected earlier: resumed with its history (nothing issued twice).
      const dormant = externalAccountId
        ? await em.findOne(Integration, {
            tenantId,
            pluginId,
            externalAccountId,
            disconnectedAt: { $ne: null },
          })
        : null;
      if (dormant) return reconnect(em, deps, { principal, row: dormant, plugin, prepared, label });
      await assertAccountFree(em, { tenantId, pluginId, key: externalAccountId });
      const row = await insertIntegration(em, deps, {
        principal,
        tenantId,
        plugin,
        label,
        prepared,
        externalAccountId,
        companyId,
      });
      // Tested before "connected" is said: an account the service refuses is not kept.
      const connection = await checkConnection(deps, plugin, row);
      if (connection.verdict === 'refused') {
        await forgetRefused(em, deps, { principal, row, plugin, message: connection.message });
        throw new HostError('BAD_REQUEST', `Not connected: ${connection.message}`);
      }
      await syncSchedule(deps, { row, plugin, enabled: true });
      return { ...toIntegrationView(row), connection };
    },
  };
}
