import { systemRouter } from './system.router.ts';
import { router } from './trpc.ts';

/** The tRPC API the console uses (SPEC "Interfaces": `/trpc/*`). One sub-router per concept. */
export const appRouter = router({
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
