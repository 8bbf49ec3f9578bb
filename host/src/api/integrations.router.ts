import { z } from 'zod';
import { authorizationUrl } from './auth-url.ts';
import { sessionHashOf } from '../auth/session-hash.ts';
import { ReturnToSchema } from './return-to.ts';
import { authedProcedure, router } from './trpc.ts';

/** Ids are checked by the service (unknown, malformed and other tenants' ids all answer 404). */
const id = z.string().min(1).max(100);
const settings = z.record(z.string(), z.unknown());
const byId = z.object({ id });

/**
 * One connected marketplace account per integration. Every procedure is scoped to the caller's
 * tenant; platform admins may act on any tenant's integration.
 */
export const integrationsRouter = router({
  list: authedProcedure
    .input(z.object({ pluginId: z.string().max(64).optional(), tenantId: z.uuid().optional() }).optional())
    .query(({ ctx, input }) =>
      ctx.services.integrations.list({
        principal: ctx.principal,
        ...(input?.pluginId ? { pluginId: input.pluginId } : {}),
        ...(input?.tenantId ? { tenantId: input.tenantId } : {}),
      }),
    ),

  get: authedProcedure
    .input(byId)
    .query(({ ctx, input }) => ctx.services.integrations.get({ principal: ctx.principal, id: input.id })),

  create: authedProcedure
    .input(
      z.object({
        pluginId: z.string().min(1).max(64),
        label: z.string().max(200).optional(),
        settings: settings.default({}),
        tenantId: z.uuid().optional(),
        companyId: z.uuid().optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.integrations.create({
        principal: ctx.principal,
        pluginId: input.pluginId,
        settings: input.settings,
        ...(input.companyId ? { companyId: input.companyId } : {}),
        ...(input.label ? { label: input.label } : {}),
        ...(input.tenantId ? { tenantId: input.tenantId } : {}),
      }),
    ),

  getSettings: authedProcedure
    .input(byId)
    .query(({ ctx, input }) =>
      ctx.services.integrations.getSettings({ principal: ctx.principal, id: input.id }),
    ),

  updateSettings: authedProcedure.input(z.object({ id, settings })).mutation(({ ctx, input }) =>
    ctx.services.integrations.updateSettings({
      principal: ctx.principal,
      id: input.id,
      settings: input.settings,
    }),
  ),

  status: authedProcedure
    .input(byId)
    .query(({ ctx, input }) => ctx.services.integrations.status({ principal: ctx.principal, id: input.id })),

  sync: authedProcedure
    .input(z.object({ id, jobId: z.string().min(1).max(64).optional() }))
    .mutation(({ ctx, input }) =>
      ctx.services.integrations.syncNow({
        principal: ctx.principal,
        id: input.id,
        ...(input.jobId ? { jobId: input.jobId } : {}),
      }),
    ),

  runs: authedProcedure
    .input(z.object({ id, limit: z.number().int().min(1).max(100).optional() }))
    .query(({ ctx, input }) =>
      ctx.services.integrations.runs({
        principal: ctx.principal,
        id: input.id,
        ...(input.limit ? { limit: input.limit } : {}),
      }),
    ),

  /** One run, for progress polling after `sync`. */
  run: authedProcedure
    .input(z.object({ runId: id }))
    .query(({ ctx, input }) =>
      ctx.services.integrations.run({ principal: ctx.principal, runId: input.runId }),
    ),

  deactivate: authedProcedure
    .input(z.object({ id, reason: z.string().max(500).optional() }))
    .mutation(({ ctx, input }) =>
      ctx.services.integrations.deactivate({
        principal: ctx.principal,
        id: input.id,
        ...(input.reason ? { reason: input.reason } : {}),
      }),
    ),

  enable: authedProcedure
    .input(byId)
    .mutation(({ ctx, input }) =>
      ctx.services.integrations.enable({ principal: ctx.principal, id: input.id }),
    ),

  remove: authedProcedure
    .input(byId)
    .mutation(({ ctx, input }) =>
      ctx.services.integrations.remove({ principal: ctx.principal, id: input.id }),
    ),

  testConnection: authedProcedure
    .input(byId)
    .mutation(({ ctx, input }) =>
      ctx.services.integrations.testConnection({ principal: ctx.principal, id: input.id }),
    ),

  /** A manifest action (e.g. cancel an order) on one integration; input checked against its schema. */
  action: authedProcedure
    .input(z.object({ id, action: z.string().min(1).max(64), input: z.unknown().optional() }))
    .mutation(({ ctx, input }) =>
      ctx.services.integrations.runAction({
        principal: ctx.principal,
        id: input.id,
        action: input.action,
        input: input.input ?? {},
      }),
    ),

  authUrl: authedProcedure
    .input(
      z.object({
        pluginId: z.string().min(1).max(64),
        integrationId: id.optional(),
        tenantId: z.uuid().optional(),
        returnTo: ReturnToSchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      authorizationUrl({
        services: ctx.services,
        principal: ctx.principal,
        pluginId: input.pluginId,
        ...(input.integrationId ? { integrationId: input.integrationId } : {}),
        ...(input.tenantId ? { tenantId: input.tenantId } : {}),
        ...(input.returnTo ? { returnTo: input.returnTo } : {}),
        sessionHash: sessionHashOf(ctx.req),
      }),
    ),
});
