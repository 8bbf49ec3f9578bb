import { z } from 'zod';
import { clearSessionCookie, logoutEverywhere, readSessionCookie, secureCookies } from '../auth/index.ts';
import { setPassword } from '../auth/set-password.ts';
import { PASSWORD_MAX_LENGTH } from '../auth/password.ts';
import { issueTokenFor, listApiTokens, MAX_TOKEN_DAYS, revokeTokenFor } from '../tenancy/api-token-admin.ts';
import { authedProcedure, router, sessionProcedure } from './trpc.ts';

/** The caller's own account: password, API tokens, sessions (Settings → Profile). */
export const accountRouter = router({
  /** Needs the current password; every other session of the user ends, this one stays. */
  changePassword: sessionProcedure
    .input(
      z.object({
        currentPassword: z.string().min(1).max(1024),
        newPassword: z
          .string()
          .min(1)
          .max(PASSWORD_MAX_LENGTH * 4),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { sessionsEnded } = await setPassword({
        em: ctx.services.db.orm.em.fork(),
        userId: ctx.principal.userId,
        currentPassword: input.currentPassword,
        password: input.newPassword,
        keepSessionToken: readSessionCookie(ctx.req.headers.cookie),
        by: 'self',
      });
      return { success: true as const, otherSessionsEnded: sessionsEnded };
    }),

  /** Ends every console session of the caller, this one included. API tokens are not touched. */
  signOutEverywhere: authedProcedure.mutation(async ({ ctx }) => {
    const ended = await logoutEverywhere({
      em: ctx.services.db.orm.em.fork(),
      userId: ctx.principal.userId,
    });
    ctx.reply.header('set-cookie', clearSessionCookie({ secure: secureCookies(ctx.services.env.publicUrl) }));
    return { success: true as const, sessionsEnded: ended };
  }),

  tokens: authedProcedure.query(async ({ ctx }) => ({
    tokens: await listApiTokens({
      em: ctx.services.db.orm.em.fork(),
      actor: ctx.principal,
      userId: ctx.principal.userId,
    }),
  })),

  /** A new API token for the caller; the token string is in this answer only. */
  createToken: sessionProcedure
    .input(
      z.object({
        name: z.string().trim().min(1).max(100),
        expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).nullable().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { token, view } = await issueTokenFor({
        em: ctx.services.db.orm.em.fork(),
        actor: ctx.principal,
        userId: ctx.principal.userId,
        name: input.name,
        expiresInDays: input.expiresInDays,
      });
      return { token, tokenInfo: view };
    }),

  revokeToken: authedProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => ({
    token: await revokeTokenFor({ em: ctx.services.db.orm.em.fork(), actor: ctx.principal, id: input.id }),
  })),
});
