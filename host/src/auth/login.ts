import type { EntityManager } from '@mikro-orm/core';
import { recordAudit } from '../audit/audit-log.ts';
import { Tenant, User } from '../db/entities/index.ts';
import { SignInError as AuthError } from '../errors.ts';
import {
  dummyPasswordHash,
  hashPassword,
  needsRehash,
  PASSWORD_MAX_LENGTH,
  verifyPassword,
} from './password.ts';
import type { HashRequest } from './hash-gate.ts';
import type { Principal } from './principal.ts';
import { createSession } from './sessions.ts';

const INVALID = () => new AuthError('AUTH_INVALID_CREDENTIALS', 'Email or password is incorrect.');

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/**
 * Password login for the console. Unknown email and wrong password fail the same way after the
 * same scrypt work; a disabled account is reported only to someone who knows its password.
 * Throttling is the caller's (`api/login-limiter.ts`): it must refuse a flood before this runs,
 * since each call costs a scrypt computation.
 */
export async function login({
  em,
  email,
  password,
  lane = 'normal',
  now = new Date(),
}: {
  em: EntityManager;
  email: string;
  password: string;
  /**
   * `trusted` for a client known to this account (device cookie): hashed ahead of the rest; with
   * the client's address as `source`, one address holds at most one normal hashing slot.
   */
  lane?: HashRequest;
  now?: Date;
}): Promise<{ principal: Principal; token: string; expiresAt: Date }> {
  const normalized = normalizeEmail(email).slice(0, 320);
  const user = await em.findOne(User, { email: normalized });
  const hash = user?.passwordHash ?? (await dummyPasswordHash());
  // Over-long input cannot be a valid password (policy); still pay the scrypt cost on a bounded input.
  const ok =
    (await verifyPassword(password.slice(0, PASSWORD_MAX_LENGTH * 4), hash, lane)) &&
    password.length <= PASSWORD_MAX_LENGTH * 4;
  if (!user?.passwordHash || !ok) {
    recordAudit(em, {
      tenantId: user?.tenantId ?? null,
      actorUserId: user?.id ?? null,
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: normalized.slice(0, 200),
      at: now,
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
  user.lastLoginAt = now;
  if (needsRehash(user.passwordHash)) user.passwordHash = await hashPassword(password, lane);
  recordAudit(em, {
    tenantId: user.tenantId ?? null,
    actorUserId: user.id,
    action: 'auth.login',
    targetType: 'user',
    targetId: user.id,
    at: now,
  });
  const session = await createSession({ em, userId: user.id, now });
  return {
    principal: { userId: user.id, tenantId: user.tenantId ?? null, role: user.role, email: user.email },
    ...session,
  };
}
