import type { FastifyInstance } from 'fastify';
import type { AllegroSandboxConfig } from '../config.ts';
import type { TokenAuthority } from './tokens.ts';
/**
 * `POST /auth/oauth/token` (reference/README.md "OAuth"): form-encoded (Allegro also accepts the
 * parameters in the query string), client authenticated with HTTP Basic, or — PKCE — `client_id`
 * and `code_verifier` in the body. Grants: authorization_code, refresh_token, client_credentials.
 */
export declare function registerTokenRoute(app: FastifyInstance, deps: {
    config: AllegroSandboxConfig;
    authority: TokenAuthority;
}): void;
