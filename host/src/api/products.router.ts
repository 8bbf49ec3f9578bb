import { z } from 'zod';
import { actingTenantId } from '../integrations/access.ts';
import { Products } from '../products/products.ts';
import type { Principal, RequestContext } from './context.ts';
import { authedProcedure, router, tenantAdminProcedure } from './trpc.ts';

type Context = RequestContext & { principal: Principal };
const products = (ctx: Context) => new Products(ctx.services);

const decimal = z
  .string()
  .trim()
  .regex(/^\d{1,14}(\.\d{1,4})?$/, 'must be a number with up to 4 decimals, like 49.99');
const code = (max: number) => z.string().trim().max(max).nullable();

const Change = z.object({
  id: z.uuid(),
  name: z.string().trim().min(1).max(500).optional(),
  sku: code(200).optional(),
  ean: code(64).optional(),
  partNumber: code(200).optional(),
  vatRate: z
    .string()
    .trim()
    .regex(/^\d{1,3}(\.\d{1,2})?$/, 'must be a percentage like 21 or 5.5')
    .optional(),
  price: decimal.nullable().optional(),
  stock: z.number().int().min(0, 'cannot be negative').max(1_000_000).optional(),
  active: z.boolean().optional(),
});

/**
 * Products (issue 15): the tenant's catalogue with each product's marketplace offers, editable
 * one by one or in bulk; changes reach the linked offers through each connector's push job.
 */
export const productsRouter = router({
  list: authedProcedure
    .input(
      z
        .object({
          tenantId: z.uuid().optional(),
          q: z.string().max(200).optional(),
          linkState: z.enum(['linked', 'conflict', 'unlinked']).optional(),
          limit: z.number().int().min(1).max(500).optional(),
          offset: z.number().int().min(0).optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) =>
      products(ctx).list({ ...input, tenantId: actingTenantId(ctx.principal, input?.tenantId) }),
    ),

  conflicts: authedProcedure
    .input(z.object({ tenantId: z.uuid().optional() }).optional())
    .query(({ ctx, input }) =>
      products(ctx).conflicts({ tenantId: actingTenantId(ctx.principal, input?.tenantId) }),
    ),

  /** One product or many (bulk edit): all saved, or none when one is not found. */
  update: tenantAdminProcedure
    .input(z.object({ tenantId: z.uuid().optional(), changes: z.array(Change).min(1).max(1000) }))
    .mutation(({ ctx, input }) =>
      products(ctx).update({
        tenantId: actingTenantId(ctx.principal, input.tenantId),
        changes: input.changes,
      }),
    ),

  importFromOffers: tenantAdminProcedure
    .input(z.object({ tenantId: z.uuid().optional(), integrationId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      products(ctx).importFromOffers({
        tenantId: actingTenantId(ctx.principal, input.tenantId),
        integrationId: input.integrationId,
      }),
    ),
});
