import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { SellerAccount } from '../data/accounts.ts';

/** Scopes a seller's token carries (Allegro scopes used by the order/invoice/offer endpoints). */
export const ALL_SCOPES = [
  'allegro:api:orders:read',
  'allegro:api:orders:write',
  'allegro:api:sale:offers:read',
  'allegro:api:profile:read',
] as const;

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  refresh_token?: string;
  expires_in: number;
  scope: string;
  allegro_api: true;
  jti: string;
}

interface CodeGrant {
  clientId: string;
  accountIndex: number;
  redirectUri: string;
  scope: string;
  challenge?: string;
  expiresAt: number;
  used: boolean;
}

interface RefreshGrant {
  clientId: string;
  accountIndex: number;
  scope: string;
  pkce: boolean;
  expiresAt: number;
  usedAt?: number;
  revoked: boolean;
  /** The access token issued together with this refresh token. */
  accessJti: string;
}

/** The tokens a sandbox keeps across a restart (`SandboxOptions.stateDir`): access tokens are JWTs of a seeded key. */
export interface TokensSnapshot {
  refresh: [string, RefreshGrant][];
  access: [string, { accountIndex: number | null; revoked: boolean; superseded?: boolean }][];
}

export type AccessCheck =
  | { ok: true; clientId: string; accountIndex: number | null; scope: string }
  | { ok: false; description: string; error: 'invalid_token' };

export type GrantResult =
  { ok: true; tokens: TokenResponse } | { ok: false; error: string; description: string };

const sha256url = (value: string): string => createHash('sha256').update(value).digest('base64url');

/**
 * Issues and checks the sandbox's OAuth artefacts: single-use expiring codes (with PKCE S256),
 * JWT access tokens, rotating refresh tokens with a grace period (reference/README.md "OAuth").
 */
export class TokenAuthority {
  private readonly key: Uint8Array;
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refresh = new Map<string, RefreshGrant>();
  private readonly accessMeta = new Map<
    string,
    { accountIndex: number | null; revoked: boolean; superseded?: boolean }
  >();
  private readonly settings: {
    codeTtlMs: number;
    refreshGraceMs: number;
    accessTtlSec: number;
    refreshTtlSec: number;
  };
  private readonly accounts: SellerAccount[];

  constructor(input: {
    seed: string | number;
    accounts: SellerAccount[];
    codeTtlMs: number;
    refreshGraceMs: number;
    accessTtlSec: number;
    refreshTtlSec: number;
  }) {
    this.key = createHash('sha256')
      .update(`allegro-sandbox-jwt:${String(input.seed)}`)
      .digest();
    this.accounts = input.accounts;
    this.settings = input;
  }

  snapshot(): TokensSnapshot {
    const now = Date.now();
    return {
      refresh: [...this.refresh].filter(([, grant]) => grant.expiresAt > now),
      access: [...this.accessMeta],
    };
  }

  /** Takes back the tokens a previous run issued, so connected sellers stay connected. */
  restore(saved: TokensSnapshot): void {
    for (const [token, grant] of saved.refresh) this.refresh.set(token, grant);
    for (const [jti, meta] of saved.access) this.accessMeta.set(jti, meta);
  }

  issueCode(grant: Omit<CodeGrant, 'expiresAt' | 'used'>): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { ...grant, expiresAt: Date.now() + this.settings.codeTtlMs, used: false });
    return code;
  }

  /** `grant_type=authorization_code`. `clientAuthenticated` is false when the client used PKCE without a secret. */
  async redeemCode(input: {
    code: string;
    clientId: string;
    redirectUri: string;
    codeVerifier?: string;
    clientAuthenticated: boolean;
  }): Promise<GrantResult> {
    const grant = this.codes.get(input.code);
    const invalid = (description: string): GrantResult => ({
      ok: false,
      error: 'invalid_grant',
      description,
    });
    if (!grant || grant.clientId !== input.clientId) return invalid('Invalid authorization code');
    if (grant.used) return invalid('Authorization code has already been used');
    grant.used = true; // single use, even when the rest of the request is wrong
    if (Date.now() > grant.expiresAt) return invalid('Authorization code expired');
    if (grant.redirectUri !== input.redirectUri) return invalid('Redirect URI mismatch');
    if (grant.challenge !== undefined) {
      if (!input.codeVerifier) return invalid('Missing code_verifier');
      if (sha256url(input.codeVerifier) !== grant.challenge) return invalid('Invalid code_verifier');
    } else if (!input.clientAuthenticated) {
      return { ok: false, error: 'invalid_client', description: 'Client authentication required' };
    }
    return {
      ok: true,
      tokens: await this.issue(
        grant.clientId,
        grant.accountIndex,
        grant.scope,
        grant.challenge !== undefined,
      ),
    };
  }

  /** `grant_type=refresh_token`: a new pair every time; the old refresh token lives on for the grace period. */
  async redeemRefresh(input: {
    refreshToken: string;
    clientId: string;
    clientAuthenticated: boolean;
  }): Promise<GrantResult> {
    const grant = this.refresh.get(input.refreshToken);
    const invalid = (description: string): GrantResult => ({
      ok: false,
      error: 'invalid_grant',
      description,
    });
    if (!grant || grant.clientId !== input.clientId) return invalid('Invalid refresh token');
    if (!input.clientAuthenticated && !grant.pkce) {
      return { ok: false, error: 'invalid_client', description: 'Client authentication required' };
    }
    const now = Date.now();
    if (grant.revoked) return invalid('Refresh token revoked');
    if (now > grant.expiresAt) return invalid('Refresh token expired');
    if (grant.usedAt !== undefined && now - grant.usedAt > this.settings.refreshGraceMs) {
      return invalid('Refresh token has already been used');
    }
    grant.usedAt ??= now;
    // A refresh also invalidates the access token issued with this refresh token
    // (reference/README.md "OAuth", Correction: allegro-api #2927, #10619, #9045).
    const previous = this.accessMeta.get(grant.accessJti);
    if (previous) previous.superseded = true;
    return {
      ok: true,
      tokens: await this.issue(grant.clientId, grant.accountIndex, grant.scope, grant.pkce),
    };
  }

  /** `grant_type=client_credentials`: an application token, no user, no refresh token. */
  async clientToken(clientId: string): Promise<TokenResponse> {
    return this.issue(clientId, null, 'allegro:api:sale:offers:read', false);
  }

  private async issue(
    clientId: string,
    accountIndex: number | null,
    scope: string,
    pkce: boolean,
  ): Promise<TokenResponse> {
    const jti = randomUUID();
    const account = accountIndex === null ? undefined : this.accounts[accountIndex];
    const access = await new SignJWT({
      ...(account ? { user_name: account.id } : {}),
      scope: scope.split(' '),
      allegro_api: true,
      client_id: clientId,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setJti(jti)
      .setIssuer('https://allegro.pl.allegrosandbox.pl')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.settings.accessTtlSec)
      .sign(this.key);
    this.accessMeta.set(jti, { accountIndex, revoked: false });
    const tokens: TokenResponse = {
      access_token: access,
      token_type: 'bearer',
      expires_in: this.settings.accessTtlSec,
      scope,
      allegro_api: true,
      jti,
    };
    if (accountIndex !== null) {
      const refreshToken = randomBytes(32).toString('base64url');
      this.refresh.set(refreshToken, {
        clientId,
        accountIndex,
        scope,
        pkce,
        expiresAt: Date.now() + this.settings.refreshTtlSec * 1000,
        revoked: false,
        accessJti: jti,
      });
      tokens.refresh_token = refreshToken;
    }
    return tokens;
  }

  /**
   * An expired, revoked or superseded token answers 401 `{"error":"invalid_token",
   * "error_description":"Access token expired: …"}` (reference/README.md, Correction: #13741).
   */
  async verifyAccess(token: string): Promise<AccessCheck> {
    // Allegro names the token; a shortened one is enough here and keeps it out of client logs.
    const shown = `${token.slice(0, 12)}…`;
    const invalid = (description: string): AccessCheck => ({
      ok: false,
      error: 'invalid_token',
      description,
    });
    try {
      const { payload } = await jwtVerify(token, this.key);
      const meta = payload.jti ? this.accessMeta.get(payload.jti) : undefined;
      if (!meta) return invalid(`Invalid access token: ${shown}`);
      if (meta.revoked) return invalid(`Access token has been revoked: ${shown}`);
      if (meta.superseded) return invalid(`Access token expired: ${shown}`);
      const scope = Array.isArray(payload.scope) ? payload.scope.join(' ') : '';
      return { ok: true, clientId: String(payload.client_id), accountIndex: meta.accountIndex, scope };
    } catch (error) {
      const expired = error instanceof Error && 'code' in error && error.code === 'ERR_JWT_EXPIRED';
      return invalid(expired ? `Access token expired: ${shown}` : `Invalid access token: ${shown}`);
    }
  }

  /** Revokes every token of one account (or of all accounts): the seller withdrew consent. */
  revoke(accountIndex?: number): number {
    let count = 0;
    for (const meta of this.accessMeta.values()) {
      if (!meta.revoked && (accountIndex === undefined || meta.accountIndex === accountIndex)) {
        meta.revoked = true;
        count++;
      }
    }
    for (const grant of this.refresh.values()) {
      if (!grant.revoked && (accountIndex === undefined || grant.accountIndex === accountIndex)) {
        grant.revoked = true;
        count++;
      }
    }
    return count;
  }
}
