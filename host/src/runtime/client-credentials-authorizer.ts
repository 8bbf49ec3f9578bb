import { createHash } from 'node:crypto';
import { AuthError, RetryableError } from '@mch/plugin-sdk';
import * as oauth from 'oauth4webapi';
import type { RequestAuthorizer } from './plugin-http.ts';

/** The client's credentials as the seller entered them (the secret from the vault). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface ClientCredentialsAuthorizerOptions {
  /** One token per integration, shared by every hook call of this process. */
  integrationId: string;
  /** The rendered token URL; it carries no secret (the manifest check refuses one). */
  tokenUrl(): string;
  scopes: readonly string[];
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
  clientAuth: 'basic' | 'body';
  /** Fetch a new token this long before the current one expires (manifest `refreshLeadSeconds`). */
  leadSeconds: number;
  /** Reads the client id and secret (settings and vault); throws a ConfigError when one is missing. */
  credentials(): Promise<ClientCredentials>;
  fetch?: typeof fetch;
  /** How long the token endpoint may take to answer (the HTTP client's default: 30 s). */
  timeoutMs?: number;
}

interface Token {
  accessToken: string;
  /** Epoch ms from which a new token is fetched (expiry less the lead). */
  renewAt: number;
}

interface Slot {
  /** A hash of the token URL, client id, secret and scopes: new credentials, a new token. */
  fingerprint: string;
  token?: Token;
  /** The token request under way: concurrent requests wait for it instead of asking again. */
  pending?: Promise<Token>;
}

/** Tokens per integration, in this process's memory only (never stored, never logged). */
const slots = new Map<string, Slot>();
const MAX_SLOTS = 10_000;
/** RFC 6749 §5.1 makes `expires_in` optional; without it a token is used until a 401 (or an hour). */
const DEFAULT_EXPIRES_IN = 3600;

/** Errors of the token endpoint (RFC 6749 §5.2) that only the seller can fix. */
const REFUSALS: Record<string, string> = {
  invalid_client: 'refused the client id or client secret',
  unauthorized_client: 'does not allow this client to use the client credentials grant',
  invalid_scope: 'refused the access (scope) asked for',
};

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) for `ctx.http`: a bearer token fetched from the
 * token endpoint with the seller's client id and secret, kept in memory per integration, and
 * fetched again shortly before it expires or after the marketplace answers 401 (the grant has no
 * refresh token, §4.4.3). Concurrent requests share one token request. A token endpoint refusing
 * the client (`invalid_client`, …) is an AuthError: the integration needs new credentials.
 */
export function createClientCredentialsAuthorizer(
  options: ClientCredentialsAuthorizerOptions,
): RequestAuthorizer {
  let credentials: Promise<ClientCredentials> | undefined;
  /** The token this authorizer last sent: a 401 for an older one means a newer one is there already. */
  let sent: string | undefined;

  const read = () => {
    if (!credentials) {
      credentials = options.credentials();
      // A secret not set yet is read again on the next request.
      credentials.catch(() => (credentials = undefined));
    }
    return credentials;
  };

  const slotFor = async (): Promise<{ slot: Slot; client: ClientCredentials; tokenUrl: string }> => {
    const client = await read();
    const tokenUrl = options.tokenUrl();
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([tokenUrl, client.clientId, client.clientSecret, options.scopes, options.clientAuth]),
      )
      .digest('hex');
    let slot = slots.get(options.integrationId);
    if (!slot || slot.fingerprint !== fingerprint) {
      if (!slot && slots.size >= MAX_SLOTS) sweep();
      slot = { fingerprint };
      slots.set(options.integrationId, slot);
    }
    return { slot, client, tokenUrl };
  };

  const fetchToken = (input: { slot: Slot; client: ClientCredentials; tokenUrl: string }): Promise<Token> => {
    const { slot } = input;
    if (slot.pending) return slot.pending;
    const pending = requestToken({ ...options, tokenUrl: input.tokenUrl, client: input.client }).then(
      (token) => {
        if (slots.get(options.integrationId) === slot) slot.token = token;
        return token;
      },
    );
    slot.pending = pending;
    const clear = () => {
      if (slot.pending === pending) slot.pending = undefined;
    };
    pending.then(clear, clear);
    return pending;
  };

  return {
    async headers() {
      const current = await slotFor();
      const token =
        current.slot.token && current.slot.token.renewAt > Date.now()
          ? current.slot.token
          : await fetchToken(current);
      sent = token.accessToken;
      return { authorization: `Bearer ${token.accessToken}` };
    },
    /** After a 401: a new token, unless another request fetched one since this one was sent. */
    async recover() {
      const current = await slotFor();
      if (current.slot.pending) {
        await current.slot.pending;
        return true;
      }
      if (current.slot.token && current.slot.token.accessToken !== sent) return true;
      current.slot.token = undefined;
      await fetchToken(current); // an AuthError (the client refused) says more than "refused"
      return true;
    },
  };
}

/** Drops tokens that are due anyway, so the map stays as large as the integrations in use. */
function sweep(): void {
  const now = Date.now();
  for (const [id, slot] of slots)
    if (!slot.pending && (!slot.token || slot.token.renewAt <= now)) slots.delete(id);
}

/** Forgets every token held (tests; a process that wants all tokens fetched again). */
export function forgetClientCredentialTokens(): void {
  slots.clear();
}

/** One token request (RFC 6749 §4.4.2), its answer checked (§5.1) and its errors in words (§5.2). */
async function requestToken(
  options: Omit<ClientCredentialsAuthorizerOptions, 'tokenUrl' | 'credentials'> & {
    tokenUrl: string;
    client: ClientCredentials;
  },
): Promise<Token> {
  const { tokenUrl, client } = options;
  const as: oauth.AuthorizationServer = { issuer: new URL(tokenUrl).origin, token_endpoint: tokenUrl };
  const oauthClient: oauth.Client = { client_id: client.clientId };
  const clientAuth =
    options.clientAuth === 'body'
      ? oauth.ClientSecretPost(client.clientSecret)
      : oauth.ClientSecretBasic(client.clientSecret);
  const parameters = new URLSearchParams();
  if (options.scopes.length) parameters.set('scope', options.scopes.join(' '));
  const where = new URL(tokenUrl).origin;

  const attempt = new AbortController();
  const timer = setTimeout(
    () => attempt.abort(new DOMException('The token endpoint did not answer in time.', 'TimeoutError')),
    options.timeoutMs ?? 30_000,
  );
  let response: Response;
  try {
    response = await oauth.clientCredentialsGrantRequest(as, oauthClient, clientAuth, parameters, {
      // Sandboxes run on plain http://127.0.0.1; production endpoints are https.
      [oauth.allowInsecureRequests]: tokenUrl.startsWith('http://'),
      ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
      signal: attempt.signal,
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError' || attempt.signal.aborted;
    throw new RetryableError(
      timedOut
        ? `The token endpoint (${where}) did not answer in time; try again.`
        : `The token endpoint (${where}) could not be reached (${(error as Error).message}).`,
    );
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 429 || response.status >= 500) {
    await response.body?.cancel();
    throw new RetryableError(`The token endpoint (${where}) answered ${response.status}; try again later.`);
  }
  let answer: oauth.TokenEndpointResponse;
  try {
    answer = await oauth.processClientCredentialsResponse(as, oauthClient, response);
  } catch (error) {
    // No cause kept: what the endpoint said is in the words, and nothing of the request is.
    if (error instanceof oauth.ResponseBodyError) {
      const refusal = REFUSALS[error.error];
      const said = `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
      if (refusal)
        throw new AuthError(
          `The token endpoint (${where}) ${refusal} (${said}); enter the API client's credentials again.`,
        );
      throw new Error(`The token endpoint (${where}) refused the token request (${said}).`);
    }
    if (error instanceof oauth.WWWAuthenticateChallengeError)
      throw new AuthError(
        `The token endpoint (${where}) refused the client id or client secret (HTTP ${error.status}); enter the API client's credentials again.`,
      );
    throw new Error(
      `The token endpoint (${where}) gave an answer that is not a token (HTTP ${response.status}): ${(error as Error).message}`,
    );
  }
  if (answer.token_type.toLowerCase() !== 'bearer')
    throw new Error(
      `The token endpoint (${where}) gave a token of type '${answer.token_type}'; only bearer tokens are supported.`,
    );
  const expiresIn = answer.expires_in ?? DEFAULT_EXPIRES_IN;
  // A token shorter-lived than the lead is still used for half its life, not fetched per request.
  const lead = Math.min(options.leadSeconds, expiresIn / 2);
  return { accessToken: answer.access_token, renewAt: Date.now() + (expiresIn - lead) * 1000 };
}
