import type { FastifyInstance } from 'fastify';
import { type RestDeps } from './rest-helpers.ts';
/**
 * The eMAG seed's `integration/*` endpoints, served for every plugin from its manifest: flows and
 * configuration come from the manifest, status from the caller's integrations of the plugin.
 */
export declare function registerIntegrationInfoRoutes(app: FastifyInstance, deps: RestDeps): void;
