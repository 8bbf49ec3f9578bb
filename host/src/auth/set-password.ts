import type { EntityManager } from '@mikro-orm/core';
import { AuditLog, User } from '../db/entities/index.ts';
import { AuthError } from './errors.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.ts';
import { logoutEverywhere } from './sessions.ts';

/**
 * Sets a user's password and ends all their sessions (a changed password must lock out whoever
 * knew the old one). With `currentPassword`, the old one is checked first (self-service change).
 */
export async function setPassword({
  em,
  userId,
  password,
  currentPassword,
  actorUserId = userId,
}: {
  em: EntityManager;
  userId: string;
  password: string;
  currentPassword?: string;
  actorUserId?: string | null;
}): Promise<void> {
  const user = await em.findOneOrFail(User, { id: userId });
  if (
    currentPassword !== undefined &&
    !(user.passwordHash && (await verifyPassword(currentPassword, user.passwordHash)))
  ) {
    throw new AuthError('AUTH_INVALID_CREDENTIALS', 'The current password is incorrect.');
  }
  checkPasswordPolicy(password, { email: user.email });
  user.passwordHash = await hashPassword(password);
  em.create(AuditLog, {
    tenantId: user.tenantId ?? null,
    actorUserId,
    action: 'user.password_set',
    targetType: 'user',
    targetId: user.id,
  });
  await em.flush();
  await logoutEverywhere({ em, userId });
}
