import type { EntityManager } from '@mikro-orm/core';
import { Integration } from '../db/entities/integration.entity.ts';
import { HostError } from '../errors.ts';
import { renderTemplate, secretSettingNames } from '@mch/schemas';
import type { LoadedPlugin } from '../plugins/types.ts';

/** The unique index that keeps one marketplace account in one tenant (migration …Security). */
export const ACCOUNT_UNIQUE_INDEX = 'integrations_account_active_unique';

export function accountTakenMessage(label: string): string {
  return `The marketplace account ${label} is already connected in another organisation on this host, so it was not connected here. An account can work for one organisation only: disconnect it there first (or ask your platform admin).`;
}

const SETTING_REF = /\{settings\.([A-Za-z0-9_]+)\}/g;

/** Settings that choose which marketplace endpoint an account talks to (e.g. eMAG's platform). */
function endpointSettings(plugin: LoadedPlugin): string[] {
  const { manifest } = plugin;
  const templates = [
    manifest.api?.baseUrl ?? '',
    ...Object.values(manifest.api?.headers ?? {}),
    ...manifest.config.map((c) => c.default ?? ''),
    ...Object.values(manifest.sandbox.env),
  ];
  const names = new Set<string>();
  for (const template of templates) for (const match of template.matchAll(SETTING_REF)) names.add(match[1]!);
  // A secret in a header (an API token) is a credential, never part of the account's name.
  for (const secret of secretSettingNames(manifest.settings)) names.delete(secret);
  return [...names].sort();
}

/**
 * The account the manifest declares (`auth.account`, a template over settings that are not secret,
 * e.g. a store's address), written the same way however it was typed: trimmed, lower case, no
 * trailing slash (`https://Shop.example/` and `https://shop.example` are one store).
 */
export function declaredAccount(plugin: LoadedPlugin, settings: Record<string, unknown>): string | null {
  const template = plugin.manifest.auth.account;
  if (template === undefined) return null;
  try {
    const value = renderTemplate(template, { settings }).trim().toLowerCase().replace(/\/+$/, '');
    return value === '' ? null : value.slice(0, 200);
  } catch {
    return null; // a setting it names is empty: the settings check says which
  }
}

/**
 * Which marketplace account a credentials-based integration is: the one its manifest declares
 * (`auth.account`), else a Basic account's username on its endpoint (`seller@ro`). Two
 * integrations of one tenant on the same account would import every order twice, so the (tenant,
 * plugin, account) unique index refuses the second. OAuth accounts are identified by the broker
 * from the marketplace's answer instead.
 */
export function accountKey(plugin: LoadedPlugin, settings: Record<string, unknown>): string | null {
  const auth = plugin.manifest.auth;
  if (auth.account !== undefined && auth.type !== 'oauth2') return declaredAccount(plugin, settings);
  if (auth.type !== 'basic') return null;
  const username = settings[auth.usernameSetting];
  if (typeof username !== 'string' || username === '') return null;
  const endpoint = endpointSettings(plugin)
    .map((name) => settings[name])
    .filter((v) => v !== undefined && v !== null && v !== '')
    .map(String);
  return (endpoint.length ? `${username}@${endpoint.join('/')}` : username).slice(0, 200);
}

/**
 * Refuses (409) an account already connected in the tenant under another integration, or working
 * for another tenant of this host (one marketplace account, one tenant: issue 11; the
 * `integrations_account_active_unique` index enforces it against races).
 */
export async function assertAccountFree(
  em: EntityManager,
  input: { tenantId: string; pluginId: string; key: string | null; exceptId?: string },
): Promise<void> {
  if (!input.key) return;
  const other = await em.findOne(Integration, {
    tenantId: input.tenantId,
    pluginId: input.pluginId,
    externalAccountId: input.key,
    ...(input.exceptId ? { id: { $ne: input.exceptId } } : {}),
  });
  if (other) {
    throw new HostError(
      'CONFLICT',
      `The account ${input.key} is already connected as '${other.label}'; edit that integration instead.`,
    );
  }
  const elsewhere = await em.count(Integration, {
    tenantId: { $ne: input.tenantId },
    pluginId: input.pluginId,
    externalAccountId: input.key,
    status: { $ne: 'disabled' },
  });
  if (elsewhere > 0) throw new HostError('CONFLICT', accountTakenMessage(input.key));
}
