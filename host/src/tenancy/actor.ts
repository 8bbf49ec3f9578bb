import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../auth/principal.ts';
import { User } from '../db/entities/index.ts';
import type { IUser } from '../db/entities/user.entity.ts';
import { TenancyError } from '../errors.ts';

/**
 * Who administers accounts: a signed-in principal, or the operator at the CLI (who has the
 * database, hence every power). Platform admins manage every user; tenant admins the users of
 * their own tenant; anyone else only themselves.
 */
export type Actor = Principal | 'cli';

export const actorUserId = (actor: Actor): string | null => (actor === 'cli' ? null : actor.userId);

export function mayManage(actor: Actor, user: Pick<IUser, 'id' | 'tenantId'>): boolean {
  if (actor === 'cli' || actor.role === 'platform_admin') return true;
  if (actor.userId === user.id) return true;
  return actor.role === 'tenant_admin' && !!user.tenantId && user.tenantId === actor.tenantId;
}

/** A user the actor may manage; any other (or none) is "not found", so ids cannot be probed. */
export async function manageableUser(em: EntityManager, actor: Actor, userId: string): Promise<IUser> {
  const user = await em.findOne(User, { id: userId });
  if (!user || !mayManage(actor, user))
    throw new TenancyError('USER_NOT_FOUND', 'No such user in your organisation.');
  return user;
}
