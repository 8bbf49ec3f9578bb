import type { EntityManager } from '@mikro-orm/core';
import { recordAudit } from '../audit/audit-log.ts';
import { Session, User } from '../db/entities/index.ts';
import { SignInError as AuthError } from '../errors.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.ts';
import { sha256Hex } from './tokens.ts';

/**
 * Sets a user's password and ends their sessions (a changed password must lock out whoever knew
 * the old one) — all of them, or all but `keepSessionToken` (the browser that made the change).
 * With `currentPassword`, the old one is checked first (self-service change).
 */
export async function setPassword({
  em,
  userId,
  password,
  currentPassword,
  keepSessionToken,
  actorUserId = userId,
  by = currentPassword === undefined ? 'admin' : 'self',
}: {
  em: EntityManager;
  userId: string;
  password: string;
  currentPassword?: string;
  keepSessionToken?: string | undefined;
  actorUserId?: string | null;
  /** Recorded in the audit log: a change by the user, a reset by an admin, or by the CLI. */
  by?: 'self' | 'admin' | 'cli';
}): Promise<{ sessionsEnded: number }> {
  const user = await em.findOneOrFail(User, { id: userId });
  if (
    currentPassword !== undefined &&
    !(user.passwordHash && (await verifyPassword(currentPassword, user.passwordHash, 'trusted')))
  ) {
    throw new AuthError(
      'AUTH_WRONG_CURRENT_PASSWORD',
      'The current password is incorrect; enter the one you signed in with.',
    );
  }
  checkPasswordPolicy(password, { email: user.email });
  user.passwordHash = await hashPassword(password, currentPassword === undefined ? 'normal' : 'trusted');
  recordAudit(em, {
    tenantId: user.tenantId ?? null,
    actorUserId,
    action: 'user.password_set',
    targetType: 'user',
    targetId: user.id,
    details: { by },
  });
  await em.flush();
  const sessionsEnded = await em.nativeDelete(Session, {
    userId,
    ...(keepSessionToken ? { tokenHash: { $ne: sha256Hex(keepSessionToken) } } : {}),
  });
  return { sessionsEnded };
}
