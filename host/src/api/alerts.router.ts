import type { EntityManager } from '@mikro-orm/core';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.ts';
import { HostError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { listAlerts } from './queries/alerts.ts';
import { authedProcedure, router, tenantAdminProcedure } from './trpc.ts';

/** The tenant whose webhook is meant: the caller's own (a platform admin names one). */
function webhookTenant(principal: Principal, tenantId: string | undefined): string {
  const id = principal.tenantId ?? (principal.role === 'platform_admin' ? tenantId : undefined);
  if (!id) throw new HostError('BAD_REQUEST', 'Choose the tenant whose alerts are meant.');
  return id;
}

/** Who changed where alerts go (the destination's host only, never the URL's secret). */
async function audit(
  em: EntityManager,
  principal: Principal,
  tenantId: string,
  action: string,
  destination: string | null,
) {
  recordAudit(em, {
    tenantId,
    actorUserId: principal.userId,
    action,
    targetType: 'tenant',
    targetId: tenantId,
    details: { destination },
  });
  await em.flush();
}

const TenantInput = z.object({ tenantId: z.uuid().optional() }).optional();

/** What needs a person now, and where else it is sent (a chat webhook per tenant). */
export const alertsRouter = router({
  list: authedProcedure.query(({ ctx }) => listAlerts(ctx.services.db.pool, ctx.principal)),

  webhook: tenantAdminProcedure
    .input(TenantInput)
    .query(({ ctx, input }) => ctx.services.alertWebhooks.get(webhookTenant(ctx.principal, input?.tenantId))),

  setWebhook: tenantAdminProcedure
    .input(z.object({ tenantId: z.uuid().optional(), url: z.string().trim().min(1).max(2000) }))
    .mutation(async ({ ctx, input }) => {
      const tenantId = webhookTenant(ctx.principal, input.tenantId);
      const saved = await ctx.services.alertWebhooks.save(tenantId, input.url);
      await audit(
        ctx.services.db.orm.em.fork(),
        ctx.principal,
        tenantId,
        'alerts.webhook_set',
        saved.destination,
      );
      return saved;
    }),

  removeWebhook: tenantAdminProcedure.input(TenantInput).mutation(async ({ ctx, input }) => {
    const tenantId = webhookTenant(ctx.principal, input?.tenantId);
    const removed = await ctx.services.alertWebhooks.remove(tenantId);
    await audit(ctx.services.db.orm.em.fork(), ctx.principal, tenantId, 'alerts.webhook_removed', null);
    return removed;
  }),

  testWebhook: tenantAdminProcedure
    .input(TenantInput)
    .mutation(({ ctx, input }) =>
      ctx.services.alertWebhooks.test(webhookTenant(ctx.principal, input?.tenantId)),
    ),
});
