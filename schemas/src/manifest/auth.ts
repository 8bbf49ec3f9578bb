import { z } from 'zod';
import { envName, hookName, nonEmpty, template } from '../patterns.ts';

/** Fields every auth kind may carry. */
const common = {
  /** Hook that proves the credentials work (eMAG "test connection"; also run after connecting). */
  testHook: hookName.optional().describe('Hook that proves the credentials work (test connection).'),
  /** Hook that fetches the marketplace account's id and label after connecting (multi-account). */
  accountHook: hookName
    .optional()
    .describe("Hook that returns the connected account's { id, label } after connecting."),
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

export const NoAuthSchema = z.strictObject({
  type: z.literal('none'),
  ...common,
});

/** Discriminated on `type` so more kinds (api key header, OAuth client credentials) slot in later. */
export const AuthSchema = z.discriminatedUnion('type', [OAuth2AuthSchema, BasicAuthSchema, NoAuthSchema]);

export type OAuth2Auth = z.infer<typeof OAuth2AuthSchema>;
export type BasicAuth = z.infer<typeof BasicAuthSchema>;
export type Auth = z.infer<typeof AuthSchema>;
