import type { FaultState, Ledger, RateLimiter } from '@mch/plugin-sdk/sandbox-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AllegroSandboxConfig } from '../config.ts';
import type { AllegroFaults } from '../faults.ts';
import type { TokenAuthority } from '../oauth/tokens.ts';
import type { AccountOrders } from '../store.ts';
export declare const ALLEGRO_MEDIA_TYPE = "application/vnd.allegro.public.v1+json";
export interface ApiDeps {
    config: AllegroSandboxConfig;
    stores: AccountOrders[];
    authority: TokenAuthority;
    limiter: RateLimiter;
    ledger: Ledger;
    faults: FaultState<AllegroFaults>;
}
export interface Caller {
    clientId: string;
    accountIndex: number | null;
}
/**
 * Runs before every API route, in Allegro's order: bearer token (401), the per-client-id limit
 * (429, client blocked for `blockMs`; each refused request is a breach in the ledger), then the
 * versioned media type in Accept (406) — reference/README.md "Every API call" and "Limits".
 */
export declare function apiGuard(deps: ApiDeps): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
/** The seller behind the request's token, or a 403 sent (application tokens have no seller). */
export declare function sellerStore(deps: ApiDeps, request: FastifyRequest, reply: FastifyReply): AccountOrders | null;
export declare function notFound(reply: FastifyReply, what: string): FastifyReply;
export declare function unprocessable(reply: FastifyReply, message: string, path?: string): FastifyReply;
