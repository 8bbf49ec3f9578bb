import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logging/logger.ts';
import type { HostServices } from '../app/services.ts';

export type Role = 'platform_admin' | 'tenant_admin' | 'tenant_user';

/** Who is calling: resolved from the session cookie (console) or an API token (REST). */
export interface Principal {
  userId: string;
  tenantId: string | null;
  role: Role;
  email: string;
}

export interface RequestContext {
  services: HostServices;
  principal: Principal | null;
  requestId: string;
  log: Logger;
  req: FastifyRequest;
  reply: FastifyReply;
}
