import { listAlerts } from './queries/alerts.ts';
import { authedProcedure, router } from './trpc.ts';

/** What needs a person now (needs re-auth, switched off, failing, refused or due documents). */
export const alertsRouter = router({
  list: authedProcedure.query(({ ctx }) => listAlerts(ctx.services.db.pool, ctx.principal)),
});
