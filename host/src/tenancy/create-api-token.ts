import type { EntityManager } from '@mikro-orm/core';
import { issueApiToken } from '../auth/api-tokens.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { TenancyError } from '../errors.ts';
import { findUserByEmail } from './find.ts';

/** An API token for the user with `email`; the token string is returned once and stored hashed. */
export async function createApiToken({
  em,
  email,
  name = 'cli',
  actorUserId = null,
}: {
  em: EntityManager;
  email: string;
  name?: string | undefined;
  actorUserId?: string | null;
}): Promise<{ id: string; token: string; userId: string }> {
  const user = await findUserByEmail(em, email);
  if (user.disabledAt)
    throw new TenancyError(
      'USER_DISABLED',
      `The user ${user.email} is disabled; enable it before issuing tokens.`,
    );
  recordAudit(em, {
    tenantId: user.tenantId ?? null,
    actorUserId: actorUserId ?? user.id,
    action: 'api_token.create',
    targetType: 'user',
    targetId: user.id,
    details: { name },
  });
  const { id, token } = await issueApiToken({ em, userId: user.id, name });
  return { id, token, userId: user.id };
}
