import type { FastifyInstance } from 'fastify';
import { registerAccountRoutes } from './account.routes.ts';
import { registerIntegrationInfoRoutes } from './integration-info.routes.ts';
import { registerInvoiceRoutes } from './invoice.routes.ts';
import { registerPluginRoutes } from './plugin.routes.ts';
import type { RestDeps } from './rest-caller.ts';

/** Every REST route (SPEC "Interfaces"), for `buildHttpServer({ routes })`. */
export function restRoutes(deps: RestDeps): (app: FastifyInstance) => void {
  return (app) => {
    registerInvoiceRoutes(app, deps);
    registerPluginRoutes(app, deps);
    registerIntegrationInfoRoutes(app, deps);
    registerAccountRoutes(app, deps);
  };
}
