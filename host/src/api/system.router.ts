import { demoViewOf } from '../app/demo-mode.ts';
import { authedProcedure, publicProcedure, router } from './trpc.ts';

/** Who am I, and what host is this. */
export const systemRouter = router({
  info: publicProcedure.query(({ ctx }) => ({
    version: ctx.services.version,
    startedAt: ctx.services.startedAt.toISOString(),
    database: ctx.services.db.kind,
  })),
  me: authedProcedure.query(({ ctx }) => ctx.principal),
  /**
   * In demo mode only: each plugin's sandbox sign-ins a person types into the connect form (test
   * accounts of the local sandboxes, never a real account's secrets); null on any other host.
   */
  demo: authedProcedure.query(({ ctx }) => demoViewOf(ctx.services) ?? null),
});
