import { authedProcedure, publicProcedure, router } from './trpc.ts';

/** Who am I, and what host is this. */
export const systemRouter = router({
  info: publicProcedure.query(({ ctx }) => ({
    version: ctx.services.version,
    startedAt: ctx.services.startedAt.toISOString(),
    database: ctx.services.db.kind,
  })),
  me: authedProcedure.query(({ ctx }) => ctx.principal),
});
