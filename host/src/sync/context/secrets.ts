import type { PluginSecrets } from '@mch/plugin-sdk';
import type { Database } from '../../db/orm.ts';
import { loadCredential } from '../../vault/credentials.ts';
import type { Vault } from '../../vault/vault.ts';

/** Credential kind holding an integration's writeOnly settings (passwords, API keys). */
export const SETTINGS_CREDENTIAL_KIND = 'settings';

/** `ctx.secrets`: the integration's secret settings, decrypted from the vault on first use. */
export function createPluginSecrets(options: {
  db: Database;
  vault: Vault;
  tenantId: string;
  integrationId: string;
}): PluginSecrets {
  let secrets: Promise<Record<string, unknown>> | undefined;
  const load = async () => {
    const stored = await loadCredential<Record<string, unknown>>({
      em: options.db.orm.em.fork(),
      vault: options.vault,
      tenantId: options.tenantId,
      integrationId: options.integrationId,
      kind: SETTINGS_CREDENTIAL_KIND,
    });
    return stored?.secret ?? {};
  };
  return {
    async get(name) {
      secrets ??= load();
      const value = (await secrets)[name];
      if (value === undefined || value === null) return undefined;
      return typeof value === 'string' ? value : JSON.stringify(value);
    },
  };
}
