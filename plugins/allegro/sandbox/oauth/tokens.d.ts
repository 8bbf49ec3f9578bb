import type { SellerAccount } from '../data/accounts.ts';
/** Scopes a seller's token carries (Allegro scopes used by the order/invoice/offer endpoints). */
export declare const ALL_SCOPES: readonly ["allegro:api:orders:read", "allegro:api:orders:write", "allegro:api:sale:offers:read", "allegro:api:profile:read"];
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
export type AccessCheck = {
    ok: true;
    clientId: string;
    accountIndex: number | null;
    scope: string;
} | {
    ok: false;
    description: string;
    error: 'invalid_token';
};
export type GrantResult = {
    ok: true;
    tokens: TokenResponse;
} | {
    ok: false;
    error: string;
    description: string;
};
/**
 * Issues and checks the sandbox's OAuth artefacts: single-use expiring codes (with PKCE S256),
 * JWT access tokens, rotating refresh tokens with a grace period (reference/README.md "OAuth").
 */
export declare class TokenAuthority {
    private readonly key;
    private readonly codes;
    private readonly refresh;
    private readonly accessMeta;
    private readonly settings;
    private readonly accounts;
    constructor(input: {
        seed: string | number;
        accounts: SellerAccount[];
        codeTtlMs: number;
        refreshGraceMs: number;
        accessTtlSec: number;
        refreshTtlSec: number;
    });
    issueCode(grant: Omit<CodeGrant, 'expiresAt' | 'used'>): string;
    /** `grant_type=authorization_code`. `clientAuthenticated` is false when the client used PKCE without a secret. */
    redeemCode(input: {
        code: string;
        clientId: string;
        redirectUri: string;
        codeVerifier?: string;
        clientAuthenticated: boolean;
    }): Promise<GrantResult>;
    /** `grant_type=refresh_token`: a new pair every time; the old refresh token lives on for the grace period. */
    redeemRefresh(input: {
        refreshToken: string;
        clientId: string;
        clientAuthenticated: boolean;
    }): Promise<GrantResult>;
    /** `grant_type=client_credentials`: an application token, no user, no refresh token. */
    clientToken(clientId: string): Promise<TokenResponse>;
    private issue;
    /**
     * An expired, revoked or superseded token answers 401 `{"error":"invalid_token",
     * "error_description":"Access token expired: …"}` (reference/README.md, Correction: #13741).
     */
    verifyAccess(token: string): Promise<AccessCheck>;
    /** Revokes every token of one account (or of all accounts): the seller withdrew consent. */
    revoke(accountIndex?: number): number;
}
export {};
