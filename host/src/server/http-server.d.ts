import { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Principal } from '../api/context.ts';
import type { HostServices } from '../app/services.ts';
export type ResolvePrincipal = (request: FastifyRequest) => Promise<Principal | null>;
/** A route as registered, for tests that must cover every route (the cross-tenant walk). */
export interface RegisteredRoute {
    method: string;
    url: string;
}
declare module 'fastify' {
    interface FastifyInstance {
        registeredRoutes: RegisteredRoute[];
    }
}
export interface BuildServerOptions {
    services: HostServices;
    resolvePrincipal: ResolvePrincipal;
    /** More routes (REST, webhooks, OAuth callbacks), registered after the core ones. */
    routes?: ((app: FastifyInstance) => void | Promise<void>)[];
    /** The console's built static files; served at `/` with an SPA fallback when present. */
    consoleDir?: string;
}
export declare function buildHttpServer(options: BuildServerOptions): Promise<FastifyInstance>;
