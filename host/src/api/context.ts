import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logging/logger.ts';
import type { HostServices } from '../app/services.ts';

export type { Role } from '../db/entities/user.entity.ts';
/** Who is calling: resolved from the session cookie (console) or an API token (REST). */
export type { Principal } from '../auth/principal.ts';
import type { Principal } from '../auth/principal.ts';

export interface RequestContext {
  services: HostServices;
  principal: Principal | null;
  requestId: string;
  log: Logger;
  req: FastifyRequest;
  reply: FastifyReply;
}
