import type { FastifyInstance } from 'fastify';
import type { RestDeps } from './rest-helpers.ts';
/** Every REST route (SPEC "Interfaces"), for `buildHttpServer({ routes })`. */
export declare function restRoutes(deps: RestDeps): (app: FastifyInstance) => void;
