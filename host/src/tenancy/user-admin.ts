import type { EntityManager } from '@mikro-orm/core';
import { generatePassword } from '../auth/password.ts';
import { setPassword } from '../auth/set-password.ts';
import { ApiToken, Session, User } from '../db/entities/index.ts';
import type { IUser } from '../db/entities/user.entity.ts';
import { actorUserId, manageableUser, type Actor } from './actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { TenancyError } from '../errors.ts';

export interface TeamMemberView {
  id: string;
  email: string;
  name: string | null;
  role: IUser['role'];
  tenantId: string | null;
  disabled: boolean;
  lastLoginAt: string | null;
  createdAt: string;
  activeTokens: number;
}

/** The users of one tenant (with their active token counts), for its admins. */
export async function listTeam({
  em,
  tenantId,
}: {
  em: EntityManager;
  tenantId: string;
}): Promise<TeamMemberView[]> {
  const users = await em.find(User, { tenantId }, { orderBy: { email: 'asc' } });
  const now = new Date();
  const tokens = await em.find(ApiToken, {
    userId: { $in: users.map((u) => u.id) },
    revokedAt: null,
    $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
  });
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name ?? null,
    role: u.role,
    tenantId: u.tenantId ?? null,
    disabled: u.disabledAt != null,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    activeTokens: tokens.filter((t) => t.userId === u.id).length,
  }));
}

/**
 * Disables (or enables again) a user. A disabled user cannot sign in, their sessions end now and
 * their API tokens are refused while disabled (they work again once the user is enabled).
 */
export async function setUserDisabled({
  em,
  actor,
  userId,
  disabled,
}: {
  em: EntityManager;
  actor: Actor;
  userId: string;
  disabled: boolean;
}): Promise<{ disabled: boolean; sessionsEnded: number }> {
  const user = await manageableUser(em, actor, userId);
  if (actor !== 'cli' && actor.userId === user.id)
    throw new TenancyError(
      'USER_SELF',
      'You cannot disable or enable your own account; ask another administrator.',
    );
  if (disabled !== (user.disabledAt != null)) {
    user.disabledAt = disabled ? new Date() : null;
    recordAudit(em, {
      tenantId: user.tenantId ?? null,
      actorUserId: actorUserId(actor),
      action: disabled ? 'user.disable' : 'user.enable',
      targetType: 'user',
      targetId: user.id,
    });
    await em.flush();
  }
  const sessionsEnded = disabled ? await em.nativeDelete(Session, { userId: user.id }) : 0;
  return { disabled, sessionsEnded };
}

/**
 * An administrator's (or the CLI's) reset of someone's password: the given one, or a generated
 * one returned once. Every session of that user ends; their API tokens are left alone.
 */
export async function resetUserPassword({
  em,
  actor,
  userId,
  password,
}: {
  em: EntityManager;
  actor: Actor;
  userId: string;
  password?: string | undefined;
}): Promise<{ generatedPassword?: string; sessionsEnded: number }> {
  const user = await manageableUser(em, actor, userId);
  if (actor !== 'cli' && actor.userId === user.id)
    throw new TenancyError(
      'USER_SELF',
      'Change your own password with your current one (Settings → Profile), not with a reset.',
    );
  const generated = password === undefined ? generatePassword() : undefined;
  const { sessionsEnded } = await setPassword({
    em,
    userId: user.id,
    password: password ?? generated!,
    actorUserId: actorUserId(actor),
    by: actor === 'cli' ? 'cli' : 'admin',
  });
  return { ...(generated ? { generatedPassword: generated } : {}), sessionsEnded };
}
