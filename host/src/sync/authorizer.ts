import { renderTemplate, type Manifest } from '@mch/schemas';
import { ConfigError, type PluginSecrets } from '@mch/plugin-sdk';
import type { Database } from '../db/orm.ts';
import { createOAuthClient } from '../oauth/oauth-client.ts';
import { createClientCredentialsAuthorizer } from '../runtime/client-credentials-authorizer.ts';
import { createOAuthAuthorizer } from '../runtime/oauth-authorizer.ts';
import type { RequestAuthorizer } from '../runtime/plugin-http.ts';
import type { Vault } from '../vault/vault.ts';

const NO_AUTH: RequestAuthorizer = { headers: async () => ({}), recover: async () => false };

/** Picks how `ctx.http` authenticates from the manifest's `auth` kind — never from the plugin id. */
export function createAuthorizer(options: {
  manifest: Manifest;
  config: Readonly<Record<string, string | undefined>>;
  settings: Readonly<Record<string, unknown>>;
  secrets: PluginSecrets;
  db: Database;
  vault: Vault;
  tenantId: string;
  integrationId: string;
  owner: string;
  onRevoked(reason: string): Promise<void>;
}): RequestAuthorizer {
  const auth = options.manifest.auth;
  switch (auth.type) {
    case 'oauth2':
      return createOAuthAuthorizer({
        db: options.db,
        vault: options.vault,
        client: createOAuthClient({ auth, config: options.config }),
        tenantId: options.tenantId,
        integrationId: options.integrationId,
        leadSeconds: auth.refreshLeadSeconds,
        owner: options.owner,
        onRevoked: (reason) => options.onRevoked(reason),
      });
    case 'oauth2ClientCredentials':
      return createClientCredentialsAuthorizer({
        integrationId: options.integrationId,
        tokenUrl: () => {
          try {
            return renderTemplate(auth.tokenUrl, { config: options.config, settings: options.settings });
          } catch (error) {
            throw new ConfigError(`The token URL cannot be made: ${(error as Error).message}.`);
          }
        },
        scopes: auth.scopes,
        clientAuth: auth.clientAuth,
        leadSeconds: auth.refreshLeadSeconds,
        async credentials() {
          const fromSettings = options.settings[auth.clientIdSetting];
          const clientId =
            typeof fromSettings === 'string' && fromSettings
              ? fromSettings
              : await options.secrets.get(auth.clientIdSetting);
          const clientSecret = await options.secrets.get(auth.clientSecretSetting);
          if (!clientId || !clientSecret)
            throw new ConfigError(
              `Set the account's ${auth.clientIdSetting} and ${auth.clientSecretSetting}.`,
              {
                pointer: `/${clientId ? auth.clientSecretSetting : auth.clientIdSetting}`,
              },
            );
          return { clientId, clientSecret };
        },
      });
    case 'basic': {
      let header: string | undefined;
      return {
        async headers() {
          if (!header) {
            const fromSettings = options.settings[auth.usernameSetting];
            const username =
              typeof fromSettings === 'string' && fromSettings
                ? fromSettings
                : await options.secrets.get(auth.usernameSetting);
            const password = await options.secrets.get(auth.passwordSetting);
            if (!username || !password) {
              throw new ConfigError(
                `Set the account's ${auth.usernameSetting} and ${auth.passwordSetting}.`,
                {
                  pointer: `/${username ? auth.passwordSetting : auth.usernameSetting}`,
                },
              );
            }
            header = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
          }
          return { authorization: header };
        },
        recover: async () => false,
      };
    }
    case 'apiKey': {
      let key: string | undefined;
      const read = async () => {
        key ??= await options.secrets.get(auth.setting);
        if (!key)
          throw new ConfigError(`Set the account's ${auth.setting}.`, { pointer: `/${auth.setting}` });
        return key;
      };
      return auth.in === 'query'
        ? {
            headers: async () => ({}),
            query: async () => ({ [auth.name]: await read() }),
            recover: async () => false,
          }
        : {
            headers: async () => ({ [auth.name]: `${auth.prefix}${await read()}` }),
            recover: async () => false,
          };
    }
    case 'none':
      return NO_AUTH;
  }
}
