import { type RateLimiter } from '@mch/plugin-sdk/sandbox-kit';
import type { FastifyInstance } from 'fastify';
import type { AllegroSandboxConfig } from './config.ts';
import type { TokenAuthority } from './oauth/tokens.ts';
import type { AccountOrders } from './store.ts';
/**
 * Allegro-only control routes, beside the kit's `/__sandbox/state|faults|reset`:
 * - `POST /__sandbox/orders` `{count?, account?}` → new orders bought now, with their events (live trade)
 * - `POST /__sandbox/revoke` `{account?}` → every token of that account (or all) stops working
 * - `POST /__sandbox/merge` `{checkoutFormId}` → the form 404s from now on; `{oldId, newId}` of its replacement
 * - `POST /__sandbox/buyer-modify` `{checkoutFormId}` → BUYER_MODIFIED event and a new revision
 * - `POST /__sandbox/invoices` `{checkoutFormId, invoiceNumber?}` → an invoice the seller added
 *   elsewhere (Allegro's panel, another tool), file scanned and accepted: `GET …/invoices` lists it
 *   (reference/README.md "Invoices", Correction)
 * - `PUT  /__sandbox/rate-limit` `{limit?, windowMs?, blockMs?}` → the per-client-id limit now in force
 * `account` is a login, an Allegro user id or an account index.
 */
export declare function registerAllegroControlRoutes(app: FastifyInstance, deps: {
    config: AllegroSandboxConfig;
    stores: AccountOrders[];
    authority: TokenAuthority;
    limiter: RateLimiter;
}): void;
/** Extra fields of `GET /__sandbox/state` for Allegro. */
export declare function allegroState(deps: {
    config: AllegroSandboxConfig;
    stores: AccountOrders[];
    limiter: RateLimiter;
}): () => Record<string, unknown>;
