import { z } from 'zod';
import { PluginEnablement } from '../db/entities/plugin-enablement.entity.ts';
import { Tenant } from '../db/entities/tenant.entity.ts';
import { notFound } from '../errors.ts';
import { adminIntegrations, adminMetrics, ADMIN_SORTS } from '../integrations/admin-queries.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { setPluginEnabled } from '../integrations/enablement.ts';
import { HEALTHS } from '../integrations/integration.view.ts';
import { setTenantDisabled } from '../tenancy/tenant-admin.ts';
import { asHostError } from './host-error.ts';
import { adminProcedure, router } from './trpc.ts';

const BATCH_ACTIONS = ['sync', 'enable', 'disable'] as const;

/** Platform operators: metrics, every tenant's integrations, connectors per tenant, batch actions. */
export const adminRouter = router({
  metrics: adminProcedure.query(({ ctx }) => adminMetrics(ctx.services.db.orm.em.fork())),

  integrations: adminProcedure
    .input(
      z
        .object({
          tenantId: z.uuid().optional(),
          pluginId: z.string().max(64).optional(),
          health: z.enum(HEALTHS).optional(),
          sort: z.enum(ADMIN_SORTS).optional(),
          order: z.enum(['asc', 'desc']).optional(),
          limit: z.number().int().min(1).max(500).optional(),
          offset: z.number().int().min(0).optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) => adminIntegrations(ctx.services.db.orm.em.fork(), input ?? {})),

  tenants: adminProcedure.query(async ({ ctx }) => {
    const em = ctx.services.db.orm.em.fork();
    const tenants = await em.find(Tenant, {}, { orderBy: { name: 'asc' } });
    const counts = await em
      .getConnection()
      .execute<{ tenant_id: string; n: number }[]>(
        'select tenant_id, count(*)::int as n from integrations group by tenant_id',
        [],
        'all',
      );
    const countOf = new Map(counts.map((c) => [c.tenant_id, Number(c.n)]));
    const off = await em.find(PluginEnablement, { enabled: false });
    const loaded = ctx.services.plugins.plugins.map((p) => p.id);
    return tenants.map((t) => ({
      id: t.id,
      slug: t.slug,
      name: t.name,
      disabled: t.disabledAt != null,
      createdAt: new Date(t.createdAt).toISOString(),
      integrationCount: countOf.get(t.id) ?? 0,
      plugins: loaded.map((pluginId) => ({
        pluginId,
        enabled: !off.some((o) => o.tenantId === t.id && o.pluginId === pluginId),
      })),
    }));
  }),

  /**
   * A disabled tenant's users cannot sign in; their sessions end, their API tokens are refused and
   * its integrations' jobs stop (they come back when it is enabled).
   */
  setTenantDisabled: adminProcedure
    .input(z.object({ tenantId: z.uuid(), disabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const done = await setTenantDisabled({
        em: ctx.services.db.orm.em.fork(),
        actor: ctx.principal,
        tenant: input.tenantId,
        disabled: input.disabled,
      });
      await ctx.services.integrations.tenantStateChanged({ tenantId: done.id });
      return done;
    }),

  /** Switching a connector off takes it from the tenant: gone from plugins.list, its jobs stop. */
  setPluginEnabled: adminProcedure
    .input(z.object({ tenantId: z.uuid(), pluginId: z.string().min(1).max(64), enabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const em = ctx.services.db.orm.em.fork();
      if (!(await em.findOne(Tenant, { id: input.tenantId }))) throw notFound('The tenant');
      if (!ctx.services.plugins.get(input.pluginId)) throw notFound(`The plugin '${input.pluginId}'`);
      await setPluginEnabled(em, input);
      recordAudit(em, {
        tenantId: input.tenantId,
        actorUserId: ctx.principal.userId,
        action: input.enabled ? 'plugin.enabled' : 'plugin.disabled',
        targetType: 'plugin',
        targetId: input.pluginId,
      });
      await em.flush();
      await ctx.services.integrations.pluginEnablementChanged(input);
      return { success: true as const, ...input };
    }),

  /** One action over many integrations; each id gets its own result, one failure stops none. */
  batch: adminProcedure
    .input(
      z.object({ ids: z.array(z.string().min(1).max(100)).min(1).max(200), action: z.enum(BATCH_ACTIONS) }),
    )
    .mutation(async ({ ctx, input }) => {
      const { integrations } = ctx.services;
      const principal = ctx.principal;
      const results = [];
      for (const id of input.ids) {
        try {
          switch (input.action) {
            case 'sync':
              results.push({ id, ok: true as const, ...(await integrations.syncNow({ principal, id })) });
              break;
            case 'enable':
              await integrations.enable({ principal, id });
              results.push({ id, ok: true as const });
              break;
            case 'disable':
              await integrations.deactivate({ principal, id });
              results.push({ id, ok: true as const });
              break;
          }
        } catch (error) {
          const known = asHostError(error);
          if (!known) ctx.log.error({ err: error, integrationId: id }, 'batch action failed');
          results.push({
            id,
            ok: false as const,
            error: known
              ? { code: known.code, message: known.message }
              : {
                  code: 'INTERNAL_SERVER_ERROR',
                  message: 'Something went wrong on our side; the error was logged.',
                },
          });
        }
      }
      return { action: input.action, results };
    }),
});
