import { z } from 'zod';
import {
  clearSessionCookie,
  login,
  logout,
  readSessionCookie,
  secureCookies,
  sessionCookie,
} from '../auth/index.ts';
import { authedProcedure, publicProcedure, router } from './trpc.ts';
import { userView } from './user-view.ts';

/** Console sign-in: the session token travels only in the HttpOnly `mch_session` cookie. */
export const authRouter = router({
  login: publicProcedure
    .input(z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) }))
    .mutation(async ({ ctx, input }) => {
      const em = ctx.services.db.orm.em.fork();
      const key = `${ctx.req.ip}|${input.email.toLowerCase()}`;
      await ctx.services.loginLimiter.check(key);
      const session = await login({ em, email: input.email, password: input.password }).catch(
        async (error: unknown) => {
          await ctx.services.loginLimiter.failed(key);
          throw error;
        },
      );
      await ctx.services.loginLimiter.succeeded(key);
      ctx.reply.header(
        'set-cookie',
        sessionCookie({
          token: session.token,
          expiresAt: session.expiresAt,
          secure: secureCookies(ctx.services.env.publicUrl),
        }),
      );
      return { user: await userView(em, session.principal) };
    }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    await logout({ em: ctx.services.db.orm.em.fork(), token: readSessionCookie(ctx.req.headers.cookie) });
    ctx.reply.header('set-cookie', clearSessionCookie({ secure: secureCookies(ctx.services.env.publicUrl) }));
    return { success: true as const };
  }),

  me: authedProcedure.query(async ({ ctx }) => ({
    user: await userView(ctx.services.db.orm.em.fork(), ctx.principal),
  })),
});
