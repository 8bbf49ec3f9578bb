import type { FastifyInstance } from 'fastify';
import type { HostServices } from '../app/services.ts';
/** `/healthz`: the process is alive. `/readyz`: the database and the scheduler answer. */
export declare function registerHealthRoutes(app: FastifyInstance, services: HostServices): void;
