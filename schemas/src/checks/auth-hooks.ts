import { ManifestErrorCode } from '../errors.ts';
import type { ManifestCheck } from './context.ts';
import { checkRequestTemplates } from './pull.ts';

/**
 * Why the host ignores `auth.accountHook` for an auth kind: it asks a hook for the account only
 * after an OAuth sign-in (host/src/oauth/oauth-integration.ts). Basic accounts are identified by
 * their username and endpoint, API-key accounts by `auth.account`, client-credentials accounts by
 * `auth.account` or their client id (host/src/integrations/account-key.ts).
 * A kind listed here that later
 * gains an account step must be removed from this table.
 */
const ACCOUNT_HOOK_IGNORED: Partial<Record<string, string>> = {
  basic: 'it identifies a basic account by its username setting (and the settings in api.baseUrl)',
  none: 'a plugin without auth has no account to identify',
  apiKey:
    'it identifies an API-key account by auth.account (a template over its settings); declare that instead',
  oauth2ClientCredentials:
    "it identifies a client-credentials account by auth.account, else by the client id at the token URL's origin",
};

/** Hooks the manifest names where the host never calls them. */
export const checkAuthHooks: ManifestCheck = ({ sections, report }) => {
  const auth = sections.auth;
  if (!auth?.accountHook) return;
  const reason = ACCOUNT_HOOK_IGNORED[auth.type];
  if (reason === undefined) return;
  report(
    ManifestErrorCode.HOOK_UNUSED,
    '/auth/accountHook',
    `names hook '${auth.accountHook}', but the host never calls accountHook for auth type '${auth.type}': ${reason}; remove accountHook`,
  );
};

/** `auth.test`: one connection test (the request or a hook), sent to the API the manifest names. */
export const checkConnectionTest: ManifestCheck = (context) => {
  const auth = context.sections.auth;
  if (!auth?.test) return;
  if (auth.type === 'oauth2') {
    context.report(
      ManifestErrorCode.FIELD_INVALID,
      '/auth/test',
      'is not sent for oauth2: an account is connected by signing in at the marketplace, which proves it; remove test',
    );
    return;
  }
  if (auth.testHook)
    context.report(
      ManifestErrorCode.FIELD_INVALID,
      '/auth/test',
      'and auth.testHook are two connection tests; keep the request (test) or the hook (testHook), not both',
    );
  if (context.sections.api === undefined && context.raw.api === undefined)
    context.report(
      ManifestErrorCode.FIELD_MISSING,
      '/auth/test',
      'needs api.baseUrl to send its request to; add an api section with the base URL',
    );
  checkRequestTemplates(context, {
    pointer: '/auth/test',
    request: auth.test,
    cursor: false,
    sink: "a connection test's path or query, which are written to logs and error messages",
  });
};
