import { type StartSandbox } from '@mch/plugin-sdk/sandbox-kit';
export { DEFAULT_REDIRECT_URI } from './config.ts';
export { allegroFaultsSchema, type AllegroFaults } from './faults.ts';
/**
 * Starts the Allegro sandbox: one Fastify server answering the REST API, the OAuth pages
 * (`/auth/oauth/authorize`, `/auth/oauth/token`) and the control endpoint (`/__sandbox/*`), so
 * its `url` serves as both ALLEGRO_API_URL and ALLEGRO_AUTH_URL. Options: see `SandboxOptions`
 * and `allegroExtraSchema` (config.ts) for `extra`; faults: `allegroFaultsSchema`.
 */
export declare const startSandbox: StartSandbox;
