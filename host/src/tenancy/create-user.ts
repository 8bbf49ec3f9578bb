import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { checkPasswordPolicy, generatePassword, hashPassword } from '../auth/password.ts';
import { normalizeEmail } from '../auth/login.ts';
import { ROLES, User, type Role } from '../db/entities/user.entity.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { TenancyError } from '../errors.ts';
import { findTenant } from './find.ts';

/** Deliberately loose (RFC 5322 is not worth enforcing): one @, a dot in the domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface CreatedUser {
  id: string;
  email: string;
  role: Role;
  tenantId: string | null;
  /** Present only when no password was given: the generated one, to be shown once. */
  generatedPassword?: string;
}

const emailTaken = (email: string) =>
  new TenancyError('USER_EMAIL_TAKEN', `A user with the email "${email}" already exists.`);

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * A user of a tenant (tenant_admin, tenant_user) or a platform admin (no tenant). Without a
 * password one is generated and returned once; only its scrypt hash is stored.
 */
export async function createUser({
  em,
  tenant,
  email,
  role,
  password,
  name,
  actorUserId = null,
}: {
  em: EntityManager;
  /** Tenant id or slug; must be absent for platform admins. */
  tenant?: string | undefined;
  email: string;
  role: string;
  password?: string | undefined;
  name?: string | undefined;
  actorUserId?: string | null;
}): Promise<CreatedUser> {
  const normalized = normalizeEmail(email);
  if (!EMAIL.test(normalized) || normalized.length > 320) {
    throw new TenancyError('USER_EMAIL_INVALID', `"${email}" is not an email address.`);
  }
  if (!isRole(role)) {
    throw new TenancyError('USER_ROLE_INVALID', `Unknown role "${role}"; use one of ${ROLES.join(', ')}.`);
  }
  if (role === 'platform_admin' && tenant) {
    throw new TenancyError(
      'USER_TENANT_MISMATCH',
      'A platform_admin acts across tenants and belongs to none; omit --tenant.',
    );
  }
  if (role !== 'platform_admin' && !tenant) {
    throw new TenancyError('USER_TENANT_MISMATCH', `A ${role} belongs to a tenant; pass --tenant ID|SLUG.`);
  }
  if (password !== undefined) checkPasswordPolicy(password, { email: normalized });
  const generatedPassword = password === undefined ? generatePassword() : undefined;
  // Hash before the transaction: scrypt takes ~100 ms and must not hold the (embedded) database.
  const passwordHash = await hashPassword(password ?? generatedPassword!);
  const tenantId = tenant ? (await findTenant(em, tenant)).id : null;
  try {
    const user = await em.transactional(async (tx) => {
      if (await tx.findOne(User, { email: normalized })) throw emailTaken(normalized);
      const created = tx.create(User, {
        id: randomUUID(),
        tenantId,
        email: normalized,
        role,
        passwordHash,
        name: name?.trim() || null,
      });
      recordAudit(tx, {
        tenantId,
        actorUserId,
        action: 'user.create',
        targetType: 'user',
        targetId: created.id,
        details: { email: normalized, role, passwordGenerated: generatedPassword !== undefined },
      });
      await tx.flush();
      return created;
    });
    return {
      id: user.id,
      email: normalized,
      role,
      tenantId,
      ...(generatedPassword === undefined ? {} : { generatedPassword }),
    };
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw emailTaken(normalized);
    throw error;
  }
}
