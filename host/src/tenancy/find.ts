import type { EntityManager } from '@mikro-orm/core';
import { Tenant, User } from '../db/entities/index.ts';
import type { ITenant } from '../db/entities/tenant.entity.ts';
import type { IUser } from '../db/entities/user.entity.ts';
import { normalizeEmail } from '../auth/login.ts';
import { TenancyError } from '../errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tenant by id or slug (what `--tenant ID|SLUG` accepts). */
export async function findTenant(em: EntityManager, idOrSlug: string): Promise<ITenant> {
  const key = idOrSlug.trim();
  const tenant = await em.findOne(
    Tenant,
    UUID.test(key) ? { id: key.toLowerCase() } : { slug: key.toLowerCase() },
  );
  if (!tenant) throw new TenancyError('TENANT_NOT_FOUND', `No tenant with the id or slug "${key}".`);
  return tenant;
}

export async function findUserByEmail(em: EntityManager, email: string): Promise<IUser> {
  const user = await em.findOne(User, { email: normalizeEmail(email) });
  if (!user) throw new TenancyError('USER_NOT_FOUND', `No user with the email "${email.trim()}".`);
  return user;
}
