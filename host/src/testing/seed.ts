import { SAMPLE_COMPANIES } from '../invoicing/seller-identity.ts';
import type { CompanyIdentityInput } from '../tenancy/create-tenant.ts';
import type { Database } from '../db/orm.ts';
import type { Role } from '../db/entities/user.entity.ts';
import { createApiToken, createTenant, createUser } from '../tenancy/index.ts';

/**
 * A tenant with one user and an API token, written straight into a database — for tests that
 * drive a host running in another process (which only shares the database).
 */
export async function seedTenantUser(input: {
  db: Database;
  tenantName: string;
  email: string;
  role?: Role;
  password?: string;
  /** The tenant's seller; a complete Polish company unless given. */
  company?: CompanyIdentityInput;
}): Promise<{ tenantId: string; userId: string; token: string }> {
  const em = () => input.db.orm.em.fork();
  const tenant = await createTenant({
    em: em(),
    name: input.tenantName,
    company: input.company ?? SAMPLE_COMPANIES.PL,
  });
  const user = await createUser({
    em: em(),
    tenant: tenant.id,
    email: input.email,
    role: input.role ?? 'tenant_admin',
    password: input.password ?? 'seeded-password-1',
  });
  const { token } = await createApiToken({ em: em(), email: user.email });
  return { tenantId: tenant.id, userId: user.id, token };
}
