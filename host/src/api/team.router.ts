import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../auth/password.ts';
import { ROLES } from '../db/entities/user.entity.ts';
import { actingTenantId } from '../integrations/access.ts';
import { listApiTokens, revokeTokenFor } from '../tenancy/api-token-admin.ts';
import { createUser } from '../tenancy/create-user.ts';
import { listTeam, resetUserPassword, setUserDisabled } from '../tenancy/user-admin.ts';
import { router, tenantAdminProcedure } from './trpc.ts';

const TENANT_ROLES = ROLES.filter((r) => r !== 'platform_admin') as ['tenant_admin', 'tenant_user'];

/**
 * A tenant's team, for its admins (and platform admins naming the tenant): list users, add one,
 * disable or enable, reset a password, see and revoke their API tokens. Users of other tenants
 * answer 404, like users that do not exist.
 */
export const teamRouter = router({
  users: tenantAdminProcedure
    .input(z.object({ tenantId: z.uuid().optional() }).optional())
    .query(async ({ ctx, input }) => ({
      users: await listTeam({
        em: ctx.services.db.orm.em.fork(),
        tenantId: actingTenantId(ctx.principal, input?.tenantId),
      }),
    })),

  /** Adds a user; without a password one is generated and returned in this answer only. */
  createUser: tenantAdminProcedure
    .input(
      z.object({
        tenantId: z.uuid().optional(),
        email: z.string().trim().min(3).max(320),
        role: z.enum(TENANT_ROLES),
        password: z
          .string()
          .min(1)
          .max(PASSWORD_MAX_LENGTH * 4)
          .optional(),
        name: z.string().trim().max(200).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const user = await createUser({
        em: ctx.services.db.orm.em.fork(),
        tenant: actingTenantId(ctx.principal, input.tenantId),
        email: input.email,
        role: input.role,
        password: input.password,
        name: input.name,
        actorUserId: ctx.principal.userId,
      });
      return {
        user: { id: user.id, email: user.email, role: user.role, tenantId: user.tenantId },
        ...(user.generatedPassword ? { generatedPassword: user.generatedPassword } : {}),
      };
    }),

  setDisabled: tenantAdminProcedure
    .input(z.object({ userId: z.uuid(), disabled: z.boolean() }))
    .mutation(async ({ ctx, input }) =>
      setUserDisabled({ em: ctx.services.db.orm.em.fork(), actor: ctx.principal, ...input }),
    ),

  /** Sets a new password (given, or generated and returned once); the user's sessions end. */
  resetPassword: tenantAdminProcedure
    .input(
      z.object({
        userId: z.uuid(),
        password: z
          .string()
          .min(1)
          .max(PASSWORD_MAX_LENGTH * 4)
          .optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await resetUserPassword({
        em: ctx.services.db.orm.em.fork(),
        actor: ctx.principal,
        userId: input.userId,
        password: input.password,
      });
      return { success: true as const, ...result };
    }),

  tokens: tenantAdminProcedure.input(z.object({ userId: z.uuid() })).query(async ({ ctx, input }) => ({
    tokens: await listApiTokens({
      em: ctx.services.db.orm.em.fork(),
      actor: ctx.principal,
      userId: input.userId,
    }),
  })),

  revokeToken: tenantAdminProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => ({
    token: await revokeTokenFor({ em: ctx.services.db.orm.em.fork(), actor: ctx.principal, id: input.id }),
  })),
});
