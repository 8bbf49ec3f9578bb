import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { HostServices } from '../../app/services.ts';
import type { Principal } from '../../auth/principal.ts';
import type { LoadedPlugin } from '../../plugins/types.ts';
import type { ResolvePrincipal } from '../http-server.ts';
export interface RestDeps {
    services: HostServices;
    resolvePrincipal: ResolvePrincipal;
}
export declare function requirePrincipal(deps: RestDeps, request: FastifyRequest): Promise<Principal>;
/** Validates a body or query with zod; issues point into it (`/settings/…`). */
export declare function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T>;
/**
 * The plugin named in the path, if the caller may use it: loaded and — for tenant users — not
 * switched off for their tenant. Anything else is 404, exactly like a plugin that does not exist.
 */
export declare function callerPlugin(deps: RestDeps, principal: Principal, pluginId: string): Promise<LoadedPlugin>;
/** An integration id in the path must belong to the plugin in the path. */
export declare function assertSamePlugin(integration: {
    pluginId: string;
}, pluginId: string): void;
