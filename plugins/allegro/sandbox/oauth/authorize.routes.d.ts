import type { FastifyInstance } from 'fastify';
import type { AllegroSandboxConfig } from '../config.ts';
import type { SellerAccount } from '../data/accounts.ts';
import { type TokenAuthority } from './tokens.ts';
/**
 * The consent page of `GET /auth/oauth/authorize` (reference/README.md "OAuth"): checks the client
 * and the exact redirect URI (errors there are shown, never redirected), then lets a person pick a
 * seller account and press Approve (`#approve`) or Deny (`#deny`); the form posts back here.
 */
export declare function registerAuthorizeRoutes(app: FastifyInstance, deps: {
    config: AllegroSandboxConfig;
    accounts: SellerAccount[];
    authority: TokenAuthority;
}): void;
