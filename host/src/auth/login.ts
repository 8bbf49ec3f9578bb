import type { EntityManager } from '@mikro-orm/core';
import { AuditLog, Tenant, User } from '../db/entities/index.ts';
import { AuthError } from './errors.ts';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './password.ts';
import type { Principal } from './principal.ts';
import { createSession } from './sessions.ts';

const INVALID = () => new AuthError('AUTH_INVALID_CREDENTIALS', 'Email or password is incorrect.');

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/**
 * Password login for the console. Unknown email and wrong password fail the same way after the
 * same scrypt work; a disabled account is reported only to someone who knows its password.
 */
export async function login({
  em,
  email,
  password,
}: {
  em: EntityManager;
  email: string;
  password: string;
}): Promise<{ principal: Principal; token: string; expiresAt: Date }> {
  const user = await em.findOne(User, { email: normalizeEmail(email) });
  const hash = user?.passwordHash ?? (await dummyPasswordHash());
  const ok = await verifyPassword(password, hash);
  if (!user?.passwordHash || !ok) {
    em.create(AuditLog, {
      tenantId: user?.tenantId ?? null,
      actorUserId: user?.id ?? null,
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: normalizeEmail(email).slice(0, 200),
    });
    await em.flush();
    throw INVALID();
  }
  const tenant = user.tenantId ? await em.findOne(Tenant, { id: user.tenantId }) : null;
  if (user.disabledAt || tenant?.disabledAt) {
    throw new AuthError(
      'AUTH_ACCOUNT_DISABLED',
      user.disabledAt
        ? 'This account is disabled; ask an administrator.'
        : 'This organisation is disabled; ask an administrator.',
    );
  }
  const now = new Date();
  user.lastLoginAt = now;
  if (needsRehash(user.passwordHash)) user.passwordHash = await hashPassword(password);
  em.create(AuditLog, {
    tenantId: user.tenantId ?? null,
    actorUserId: user.id,
    action: 'auth.login',
    targetType: 'user',
    targetId: user.id,
  });
  const session = await createSession({ em, userId: user.id, now });
  return {
    principal: { userId: user.id, tenantId: user.tenantId ?? null, role: user.role, email: user.email },
    ...session,
  };
}
