import { z } from 'zod';
import { envName, hookName, nonEmpty, template } from '../patterns.ts';

/**
 * A request that proves the credentials work, sent by the host itself (no hook): when an account
 * is connected and when its secret settings change. Templates as in a pull's request.
 */
export const ConnectionTestSchema = z.strictObject({
  method: z.enum(['GET', 'POST']).default('GET'),
  path: template.describe('Path under api.baseUrl; may use {settings.name} (not secret) and {CONFIG_VAR}.'),
  query: z
    .record(z.string(), z.string())
    .optional()
    .describe('Query parameters (templates), e.g. { "per_page": "1" }.'),
});

/** Fields every auth kind may carry. */
const common = {
  /**
   * A connection test without code: the host sends this request with the account's credentials.
   * 2xx connects; 401, 403 and 404 refuse the settings with a sentence saying what to check; a
   * 5xx, 429 or no answer keeps them unchecked, to be used at the next sync.
   */
  test: ConnectionTestSchema.optional().describe(
    'A request proving the credentials work (e.g. the first order), sent by the host when an account is connected; instead of a testHook.',
  ),
  /** Hook that proves the credentials work (eMAG "test connection"; also run after connecting). */
  testHook: hookName.optional().describe('Hook that proves the credentials work (test connection).'),
  /** Hook that fetches the marketplace account's id and label after connecting (multi-account). */
  accountHook: hookName
    .optional()
    .describe("Hook that returns the connected account's { id, label } after connecting."),
  /**
   * Which marketplace account the settings connect, declared: a template over settings that are not
   * secret, e.g. '{settings.storeUrl}'. One account is one integration: a second connection of it
   * in the tenant is refused, one in another tenant too. Basic auth without it: the username on
   * its endpoint; client credentials: the client id at the token URL's origin; OAuth: the
   * accountHook's id.
   */
  account: template
    .optional()
    .describe(
      "Template over non-secret settings naming the connected account, e.g. '{settings.storeUrl}': one account, one integration.",
    ),
};

/** OAuth 2.0 authorization code (+ PKCE) with refresh, as Allegro does it. */
export const OAuth2AuthSchema = z.strictObject({
  type: z.literal('oauth2'),
  /** Templates over config variables, e.g. '{ALLEGRO_AUTH_URL}/auth/oauth/authorize'. */
  authorizeUrl: template.describe("Template, e.g. '{ALLEGRO_AUTH_URL}/auth/oauth/authorize'."),
  tokenUrl: template.describe("Template, e.g. '{ALLEGRO_AUTH_URL}/auth/oauth/token'."),
  /** Config variables (declared in `config`) holding the client credentials and redirect URI. */
  clientIdConfig: envName,
  clientSecretConfig: envName,
  redirectUriConfig: envName,
  scopes: z.array(nonEmpty).default([]),
  pkce: z.boolean().default(true),
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
  clientAuth: z.enum(['basic', 'body']).default('basic'),
  /** Refresh this long before the access token expires (Allegro: one hour). */
  refreshLeadSeconds: z
    .number()
    .int()
    .min(0)
    .default(3600)
    .describe('Refresh the access token this long before it expires.'),
  ...common,
});

/** Username/password (or API key) kept in settings marked writeOnly, as eMAG's HTTP Basic. */
export const BasicAuthSchema = z.strictObject({
  type: z.literal('basic'),
  usernameSetting: nonEmpty.describe('Setting (string) holding the username.'),
  passwordSetting: nonEmpty.describe('Setting (string, writeOnly) holding the password or API key.'),
  ...common,
});

/**
 * An API key from a secret setting, sent in a header (`X-Api-Key: <key>`, `Authorization: Bearer
 * <key>` with a prefix) or as a query parameter on every request.
 */
export const ApiKeyAuthSchema = z.strictObject({
  type: z.literal('apiKey'),
  setting: nonEmpty.describe('Setting (string, writeOnly) holding the key.'),
  in: z
    .enum(['header', 'query'])
    .default('header')
    .describe('Where the key goes: a header or a query parameter.'),
  name: nonEmpty.describe("The header's or query parameter's name, e.g. 'X-Api-Key' or 'api_key'."),
  prefix: z.string().default('').describe("Written before the key, e.g. 'Bearer ' (header only)."),
  ...common,
});

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4), as shop and ERP APIs with per-seller API clients do
 * it: the seller enters a client id and secret in the connection's settings; the host fetches a
 * bearer token from the token endpoint and fetches a new one before it expires or after a 401 (the
 * grant has no refresh token).
 */
export const OAuth2ClientCredentialsAuthSchema = z.strictObject({
  type: z.literal('oauth2ClientCredentials'),
  tokenUrl: template.describe(
    "Template over config variables and non-secret settings, e.g. '{settings.shopUrl}/oauth/token'.",
  ),
  clientIdSetting: nonEmpty.describe('Setting (string) holding the client id.'),
  clientSecretSetting: nonEmpty.describe('Setting (string, writeOnly) holding the client secret.'),
  scopes: z.array(nonEmpty).default([]).describe('Scopes asked for (sent space-separated as `scope`).'),
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
  clientAuth: z
    .enum(['basic', 'body'])
    .default('basic')
    .describe('How the client authenticates at the token endpoint: HTTP Basic or in the form body.'),
  refreshLeadSeconds: z
    .number()
    .int()
    .min(0)
    .default(60)
    .describe('Fetch a new access token this long before the current one expires.'),
  ...common,
});

export const NoAuthSchema = z.strictObject({
  type: z.literal('none'),
  ...common,
});

/** Discriminated on `type` so more kinds slot in later. */
export const AuthSchema = z.discriminatedUnion('type', [
  OAuth2AuthSchema,
  OAuth2ClientCredentialsAuthSchema,
  BasicAuthSchema,
  ApiKeyAuthSchema,
  NoAuthSchema,
]);

export type OAuth2Auth = z.infer<typeof OAuth2AuthSchema>;
export type OAuth2ClientCredentialsAuth = z.infer<typeof OAuth2ClientCredentialsAuthSchema>;
export type BasicAuth = z.infer<typeof BasicAuthSchema>;
export type ApiKeyAuth = z.infer<typeof ApiKeyAuthSchema>;
export type Auth = z.infer<typeof AuthSchema>;
export type ConnectionTest = z.infer<typeof ConnectionTestSchema>;
