import type { EntityManager } from '@mikro-orm/core';
import { AuditLog, Tenant, User } from '../db/entities/index.ts';
import { HostError } from '../errors.ts';
import { AuthError } from './errors.ts';
import {
  dummyPasswordHash,
  hashPassword,
  needsRehash,
  PASSWORD_MAX_LENGTH,
  verifyPassword,
} from './password.ts';
import type { Principal } from './principal.ts';
import { createSession } from './sessions.ts';

const INVALID = () => new AuthError('AUTH_INVALID_CREDENTIALS', 'Email or password is incorrect.');

/**
 * Online guessing limit per email, counted from the audit log so it holds across host processes.
 * It applies to unknown emails too, so it reveals nothing about which accounts exist.
 */
export const LOGIN_FAILURE_LIMIT = 10;
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60 * 1000;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Failures since the window opened or since the last successful login, whichever is later. */
async function assertNotThrottled(em: EntityManager, email: string, since: Date): Promise<void> {
  const failures = await em.count(AuditLog, {
    action: 'auth.login_failed',
    targetId: email,
    at: { $gt: since },
  });
  if (failures >= LOGIN_FAILURE_LIMIT) {
    throw new HostError(
      'TOO_MANY_REQUESTS',
      `Too many failed logins for this account; try again in ${LOGIN_FAILURE_WINDOW_MS / 60_000} minutes.`,
    );
  }
}

/**
 * Password login for the console. Unknown email and wrong password fail the same way after the
 * same scrypt work; a disabled account is reported only to someone who knows its password.
 */
export async function login({
  em,
  email,
  password,
  now = new Date(),
}: {
  em: EntityManager;
  email: string;
  password: string;
  now?: Date;
}): Promise<{ principal: Principal; token: string; expiresAt: Date }> {
  const normalized = normalizeEmail(email).slice(0, 320);
  const user = await em.findOne(User, { email: normalized });
  const windowStart = new Date(now.getTime() - LOGIN_FAILURE_WINDOW_MS);
  const lastLogin = user?.lastLoginAt;
  await assertNotThrottled(em, normalized, lastLogin && lastLogin > windowStart ? lastLogin : windowStart);
  const hash = user?.passwordHash ?? (await dummyPasswordHash());
  // Over-long input cannot be a valid password (policy); still pay the scrypt cost on a bounded input.
  const ok =
    (await verifyPassword(password.slice(0, PASSWORD_MAX_LENGTH * 4), hash)) &&
    password.length <= PASSWORD_MAX_LENGTH * 4;
  if (!user?.passwordHash || !ok) {
    em.create(AuditLog, {
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
  if (needsRehash(user.passwordHash)) user.passwordHash = await hashPassword(password);
  em.create(AuditLog, {
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
