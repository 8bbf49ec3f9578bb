import type { Database } from '../db/orm.ts';
import type { ResolvePrincipal } from './http-server.ts';
/**
 * Who is calling: an API token (`Authorization: Bearer …`, REST and scripts) wins over the
 * console's session cookie. Resolved once per request, however many handlers ask.
 */
export declare function createPrincipalResolver(db: Database): ResolvePrincipal;
