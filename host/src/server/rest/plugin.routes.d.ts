import type { FastifyInstance } from 'fastify';
import { type RestDeps } from './rest-helpers.ts';
/**
 * The seeds' REST endpoints (SPEC "Interfaces"), answered generically for every plugin under
 * `/api/v1/<pluginId>/`: nothing here knows a plugin by name.
 */
export declare function registerPluginRoutes(app: FastifyInstance, deps: RestDeps): void;
