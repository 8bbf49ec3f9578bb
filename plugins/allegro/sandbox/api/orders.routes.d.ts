import type { FastifyInstance } from 'fastify';
import { type ApiDeps } from './context.ts';
/** Order reading endpoints (OpenAPI "Order management"; reference/README.md "Orders"). */
export declare function registerOrderRoutes(app: FastifyInstance, deps: ApiDeps): void;
