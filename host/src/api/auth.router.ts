import { z } from 'zod';
import {
  clearSessionCookie,
  DEVICE_COOKIE,
  deviceCookie,
  issueDeviceToken,
  knownDevice,
  login,
  logout,
  normalizeEmail,
  passwordHashGate,
  readCookie,
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
      const { loginLimiter, env } = ctx.services;
      const email = normalizeEmail(input.email).slice(0, 320);
      const presented = readCookie(ctx.req.headers.cookie, DEVICE_COOKIE);
      const device = knownDevice(loginLimiter.deviceSecret, presented, email);
      // Refused here, before any database work or hashing: a source over its limits (429), then a
      // lane with as many sign-ins in progress as it can hash and queue (503, not held against
      // the source). A browser known to the account has its own lane, which a flood cannot fill.
      const lane = device ? 'trusted' : 'normal';
      const ticket = loginLimiter.begin({ ip: ctx.req.ip, email, device });
      let release: () => void;
      try {
        release = passwordHashGate.admit(lane);
      } catch (error) {
        ticket.cancelled();
        throw error;
      }
      const em = ctx.services.db.orm.em.fork();
      let session;
      try {
        session = await login({
          em,
          email: input.email,
          password: input.password,
          lane: { lane, source: ctx.req.ip },
        });
      } catch (error) {
        ticket.failed();
        throw error;
      } finally {
        release();
      }
      ticket.succeeded();
      const secure = secureCookies(env.publicUrl);
      ctx.reply.header(
        'set-cookie',
        sessionCookie({ token: session.token, expiresAt: session.expiresAt, secure }),
      );
      // This browser is now known to this account: its later attempts keep their own budget.
      ctx.reply.header(
        'set-cookie',
        deviceCookie({
          value: device && presented ? presented : issueDeviceToken(loginLimiter.deviceSecret, email),
          secure,
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
