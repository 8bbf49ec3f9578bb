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
 * The account as a person recognises it, for the default label and the account's shared rate
 * budget: the one the manifest declares, a Basic account's username, or a client-credentials
 * account's client id; null for OAuth (named by the broker) and when it is a secret setting.
 */
export function accountName(plugin: LoadedPlugin, settings: Record<string, unknown>): string | null {
  const auth = plugin.manifest.auth;
  if (auth.account !== undefined && auth.type !== 'oauth2') return declaredAccount(plugin, settings);
  const setting =
    auth.type === 'basic'
      ? auth.usernameSetting
      : auth.type === 'oauth2ClientCredentials'
        ? auth.clientIdSetting
        : null;
  if (!setting || secretSettingNames(plugin.manifest.settings).includes(setting)) return null;
  const name = settings[setting];
  return typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 200) : null;
}

/**
 * Where a client-credentials account's token endpoint is: the token URL's origin with this
 * connection's settings filled in. A config variable it starts with is the same for every account
 * of the plugin on this host, so it stays a name (`{SHOP_AUTH_URL}`); a setting left empty, null.
 */
function tokenEndpoint(template: string, settings: Record<string, unknown>): string | null {
  let rendered = '';
  try {
    rendered = template.replace(SETTING_REF, (_match, name: string) => {
      const value = settings[name];
      if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`no ${name}`);
      if (String(value).trim() === '') throw new Error(`no ${name}`);
      return String(value).trim();
    });
  } catch {
    return null;
  }
  try {
    return new URL(rendered).origin;
  } catch {
    return rendered.replace(/^(\{[A-Za-z0-9_]+\}|[a-z][a-z0-9+.-]*:\/\/[^/?#]*).*$/i, '$1');
  }
}

/**
 * Which marketplace account a credentials-based integration is: the one its manifest declares
 * (`auth.account`), else a Basic account's username on its endpoint (`seller@ro`), else a
 * client-credentials account's client id at its token endpoint (`shop-client@https://shop.example`,
 * unless the client id is a secret setting). Two
 * integrations of one tenant on the same account would import every order twice, so the (tenant,
 * plugin, account) unique index refuses the second. OAuth accounts are identified by the broker
 * from the marketplace's answer instead.
 */
export function accountKey(plugin: LoadedPlugin, settings: Record<string, unknown>): string | null {
  const auth = plugin.manifest.auth;
  if (auth.account !== undefined && auth.type !== 'oauth2') return declaredAccount(plugin, settings);
  if (auth.type === 'oauth2ClientCredentials') {
    const clientId = settings[auth.clientIdSetting];
    if (typeof clientId !== 'string' || clientId.trim() === '') return null;
    const endpoint = tokenEndpoint(auth.tokenUrl, settings);
    return endpoint ? `${clientId.trim()}@${endpoint}`.slice(0, 200) : null;
  }
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
