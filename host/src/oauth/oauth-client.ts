import type { OAuth2Auth } from '@mch/schemas';
import { renderTemplate } from '@mch/schemas';
import * as oauth from 'oauth4webapi';

/** Tokens as the vault keeps them (credential kind `oauth`). */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string | undefined;
  tokenType: string;
  scope: string | undefined;
  /** ISO time the access token stops working. */
  expiresAt: string;
}

export class OAuthGrantError extends Error {
  override name = 'OAuthGrantError';
  /** `invalid_grant` means the refresh token or code is dead: the seller must reconnect. */
  readonly oauthError: string;
  constructor(oauthError: string, message: string) {
    super(message);
    this.oauthError = oauthError;
  }
}

/**
 * The token-endpoint side of one plugin's OAuth 2.0 configuration (authorization code + PKCE,
 * refresh), on oauth4webapi. URLs and client credentials come from the manifest's `auth` and the
 * config variables it names, so the host has no marketplace in it.
 */
export interface OAuthClient {
  clientId: string;
  redirectUri: string;
  authorizeUrl(input: { state: string; codeChallenge: string | undefined }): string;
  exchangeCode(input: { code: string; codeVerifier: string | undefined }): Promise<OAuthTokens>;
  refresh(refreshToken: string): Promise<OAuthTokens>;
}

export function createOAuthClient(options: {
  auth: OAuth2Auth;
  config: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
}): OAuthClient {
  const { auth, config } = options;
  const need = (name: string) => {
    const value = config[name];
    if (!value) throw new Error(`OAuth needs the config variable ${name}; set it in the environment.`);
    return value;
  };
  const clientId = need(auth.clientIdConfig);
  const clientSecret = need(auth.clientSecretConfig);
  const redirectUri = need(auth.redirectUriConfig);
  const authorizationEndpoint = renderTemplate(auth.authorizeUrl, { config });
  const tokenEndpoint = renderTemplate(auth.tokenUrl, { config });
  const as: oauth.AuthorizationServer = {
    issuer: new URL(authorizationEndpoint).origin,
    authorization_endpoint: authorizationEndpoint,
    token_endpoint: tokenEndpoint,
  };
  const client: oauth.Client = { client_id: clientId };
  const clientAuth =
    auth.clientAuth === 'body' ? oauth.ClientSecretPost(clientSecret) : oauth.ClientSecretBasic(clientSecret);
  const requestOptions = {
    // Sandboxes run on plain http://127.0.0.1; production endpoints are https.
    [oauth.allowInsecureRequests]: tokenEndpoint.startsWith('http://'),
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
  };

  const toTokens = (r: oauth.TokenEndpointResponse): OAuthTokens => ({
    accessToken: r.access_token,
    refreshToken: r.refresh_token,
    tokenType: r.token_type,
    scope: r.scope,
    expiresAt: new Date(Date.now() + (r.expires_in ?? 3600) * 1000).toISOString(),
  });
  const asGrantError = (error: unknown): never => {
    if (error instanceof oauth.ResponseBodyError) {
      throw new OAuthGrantError(
        error.error,
        `${error.error}: ${error.error_description ?? 'the token endpoint refused the request'}`,
      );
    }
    throw error;
  };

  return {
    clientId,
    redirectUri,
    authorizeUrl({ state, codeChallenge }) {
      const url = new URL(authorizationEndpoint);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      if (auth.scopes.length) url.searchParams.set('scope', auth.scopes.join(' '));
      if (codeChallenge) {
        url.searchParams.set('code_challenge_method', 'S256');
        url.searchParams.set('code_challenge', codeChallenge);
      }
      return url.toString();
    },
    async exchangeCode({ code, codeVerifier }) {
      // The broker checked `state` itself (hashed, single use); oauth4webapi only needs the code.
      const params = oauth.validateAuthResponse(
        as,
        client,
        new URLSearchParams({ code }),
        oauth.skipStateCheck,
      );
      try {
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          clientAuth,
          params,
          redirectUri,
          codeVerifier ?? oauth.nopkce,
          requestOptions,
        );
        return toTokens(await oauth.processAuthorizationCodeResponse(as, client, response));
      } catch (error) {
        return asGrantError(error);
      }
    },
    async refresh(refreshToken) {
      try {
        const response = await oauth.refreshTokenGrantRequest(
          as,
          client,
          clientAuth,
          refreshToken,
          requestOptions,
        );
        return toTokens(await oauth.processRefreshTokenResponse(as, client, response));
      } catch (error) {
        return asGrantError(error);
      }
    },
  };
}
