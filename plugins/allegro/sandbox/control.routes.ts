import { randomUUID } from 'node:crypto';
import { SandboxErrorCode, sandboxError, type RateLimiter } from '@mch/plugin-sdk/sandbox-kit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { customerReturnView } from './api/customer-returns.routes.ts';
import type { AllegroSandboxConfig } from './config.ts';
import type { TokenAuthority } from './oauth/tokens.ts';
import { latestEvent } from './events.ts';
import { RETURN_REASONS, RETURN_STATUSES, type AccountReturns } from './returns-store.ts';
import type { AccountOrders } from './store.ts';

const accountRef = z.union([z.string(), z.number().int().min(0)]).optional();
const addOrdersSchema = z
  .object({ count: z.number().int().min(1).max(10_000).default(1), account: accountRef })
  .strict();
const revokeSchema = z.object({ account: accountRef }).strict();
const formSchema = z.object({ checkoutFormId: z.string() }).strict();
const externalInvoiceSchema = z
  .object({ checkoutFormId: z.string(), invoiceNumber: z.string().min(1).optional() })
  .strict();
const returnReason = z.union([
  z.enum(RETURN_REASONS),
  z.object({ type: z.enum(RETURN_REASONS), userComment: z.string().max(1000).optional() }).strict(),
]);
const openReturnSchema = z
  .object({
    checkoutFormId: z.string(),
    items: z
      .array(z.object({ lineItemId: z.string(), quantity: z.number().int().min(1) }).strict())
      .min(1)
      .optional(),
    status: z.enum(RETURN_STATUSES).default('DELIVERED'),
    reason: returnReason.optional(),
  })
  .strict();
const returnStatusSchema = z.object({ status: z.enum(RETURN_STATUSES) }).strict();
const rateLimitSchema = z
  .object({
    limit: z.number().int().min(1),
    windowMs: z.number().int().min(1),
    blockMs: z.number().int().min(0),
  })
  .partial()
  .strict();

/**
 * Allegro-only control routes, beside the kit's `/__sandbox/state|faults|reset`:
 * - `POST /__sandbox/orders` `{count?, account?}` → new orders bought now, with their events (live trade)
 * - `POST /__sandbox/revoke` `{account?}` → every token of that account (or all) stops working
 * - `POST /__sandbox/merge` `{checkoutFormId}` → the form 404s from now on; `{oldId, newId}` of its replacement
 * - `POST /__sandbox/buyer-modify` `{checkoutFormId}` → BUYER_MODIFIED event and a new revision
 * - `POST /__sandbox/buyer-cancel` `{checkoutFormId}` → the buyer cancels: CANCELLED, a BUYER_CANCELLED
 *   event and a new revision (`{revision}`); 422 when it is cancelled already
 * - `POST /__sandbox/invoices` `{checkoutFormId, invoiceNumber?}` → an invoice the seller added
 *   elsewhere (Allegro's panel, another tool), file scanned and accepted: `GET …/invoices` lists it
 *   (reference/README.md "Invoices", Correction)
 * - `POST /__sandbox/returns` `{checkoutFormId, items?:[{lineItemId, quantity}], status?, reason?}` →
 *   201 CustomerReturn: the buyer sends items back (default: every line, whole quantity; status
 *   DELIVERED). 400 in words for an unknown form, a line not on it or more than was sold.
 * - `PUT  /__sandbox/returns/:id` `{status}` → 200 CustomerReturn with that status (404 unknown id)
 * - `PUT  /__sandbox/rate-limit` `{limit?, windowMs?, blockMs?}` → the per-client-id limit now in force
 * `account` is a login, an Allegro user id or an account index.
 */
export function registerAllegroControlRoutes(
  app: FastifyInstance,
  deps: {
    config: AllegroSandboxConfig;
    stores: AccountOrders[];
    authority: TokenAuthority;
    limiter: RateLimiter;
    returns: AccountReturns[];
  },
): void {
  const { stores } = deps;
  const invalid = (reply: FastifyReply, error: z.ZodError) =>
    reply.code(400).send(
      sandboxError(
        SandboxErrorCode.InvalidInput,
        'Invalid control request.',
        error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message })),
      ),
    );
  const storeOf = (ref: string | number | undefined): AccountOrders | undefined =>
    ref === undefined
      ? stores[0]
      : stores.find(
          (s) =>
            s.accountIndex === ref ||
            s.account.login === ref ||
            s.account.id === ref ||
            String(s.accountIndex) === ref,
        );
  const findForm = (id: string): { store: AccountOrders; index: number } | null => {
    for (const store of stores) {
      const index = store.find(id);
      if (index !== null) return { store, index };
    }
    return null;
  };

  app.post('/__sandbox/orders', async (request, reply) => {
    const parsed = addOrdersSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const store = storeOf(parsed.data.account);
    if (!store)
      return reply.code(404).send(sandboxError(SandboxErrorCode.NotFound, 'No such seller account.'));
    const indices = store.addOrders(parsed.data.count);
    return reply
      .code(201)
      .send({ account: store.account.login, orders: indices.map((i) => ({ id: store.id(i) })) });
  });

  app.post('/__sandbox/revoke', async (request, reply) => {
    const parsed = revokeSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const store = parsed.data.account === undefined ? undefined : storeOf(parsed.data.account);
    if (parsed.data.account !== undefined && !store) {
      return reply.code(404).send(sandboxError(SandboxErrorCode.NotFound, 'No such seller account.'));
    }
    return { revoked: deps.authority.revoke(store?.accountIndex) };
  });

  app.post('/__sandbox/merge', async (request, reply) => {
    const parsed = formSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const found = findForm(parsed.data.checkoutFormId);
    if (!found)
      return reply.code(404).send(sandboxError(SandboxErrorCode.NotFound, 'No such visible checkout form.'));
    const replacement = found.store.merge(found.index);
    return { oldId: parsed.data.checkoutFormId, newId: found.store.id(replacement) };
  });

  app.post('/__sandbox/buyer-modify', async (request, reply) => {
    const parsed = formSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const found = findForm(parsed.data.checkoutFormId);
    if (!found)
      return reply.code(404).send(sandboxError(SandboxErrorCode.NotFound, 'No such visible checkout form.'));
    return { revision: found.store.buyerModified(found.index) };
  });

  app.post('/__sandbox/buyer-cancel', async (request, reply) => {
    const parsed = formSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const found = findForm(parsed.data.checkoutFormId);
    if (!found)
      return reply.code(404).send(sandboxError(SandboxErrorCode.NotFound, 'No such visible checkout form.'));
    if (found.store.statusOf(found.index) === 'CANCELLED')
      return reply
        .code(422)
        .send(sandboxError(SandboxErrorCode.InvalidInput, 'The checkout form is cancelled already.'));
    return { revision: found.store.buyerCancel(found.index) };
  });

  app.post('/__sandbox/invoices', async (request, reply) => {
    const parsed = externalInvoiceSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const found = findForm(parsed.data.checkoutFormId);
    if (!found)
      return reply.code(404).send(sandboxError(SandboxErrorCode.NotFound, 'No such visible checkout form.'));
    const at = Date.now();
    const id = randomUUID();
    found.store.addInvoice(found.index, {
      id,
      ...(parsed.data.invoiceNumber ? { invoiceNumber: parsed.data.invoiceNumber } : {}),
      fileName: 'faktura.pdf',
      createdAt: at,
      file: { uploadedAt: at, size: 20_000, sha256: '', verifiedAt: at, verdict: 'ACCEPTED' },
      external: true,
    });
    return reply.code(201).send({ id });
  });

  const refuse = (reply: FastifyReply, message: string) =>
    reply.code(400).send(sandboxError(SandboxErrorCode.InvalidInput, message));

  app.post('/__sandbox/returns', async (request, reply) => {
    const parsed = openReturnSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const { checkoutFormId, items, status, reason } = parsed.data;
    const found = findForm(checkoutFormId);
    if (!found) return refuse(reply, `No visible checkout form ${checkoutFormId} in any seller account.`);
    const form = found.store.form(found.index) as { lineItems: { id: string; quantity: number }[] };
    for (const item of items ?? []) {
      const line = form.lineItems.find((l) => l.id === item.lineItemId);
      if (!line)
        return refuse(reply, `Line item ${item.lineItemId} is not on checkout form ${checkoutFormId}.`);
      if (item.quantity > line.quantity)
        return refuse(
          reply,
          `Line item ${item.lineItemId} sold ${line.quantity}; a return of ${item.quantity} is more than that.`,
        );
    }
    const account = deps.returns[found.store.accountIndex];
    if (!account) return refuse(reply, 'No returns for that account.');
    const record = account.open({
      index: found.index,
      ...(items ? { items } : {}),
      status,
      ...(reason ? { reason: typeof reason === 'string' ? { type: reason } : reason } : {}),
    });
    return reply.code(201).send(customerReturnView(found.store, record));
  });

  app.put('/__sandbox/returns/:id', async (request, reply) => {
    const parsed = returnStatusSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const { id } = request.params as { id: string };
    for (const account of deps.returns) {
      const record = account.find(id);
      if (!record) continue;
      record.status = parsed.data.status;
      return customerReturnView(account.orders, record);
    }
    return reply.code(404).send(sandboxError(SandboxErrorCode.NotFound, `No customer return ${id}.`));
  });

  app.put('/__sandbox/rate-limit', async (request, reply) => {
    const parsed = rateLimitSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    deps.limiter.configure(parsed.data);
    deps.limiter.reset();
    return deps.limiter.options;
  });
}

/** Extra fields of `GET /__sandbox/state` for Allegro. */
export function allegroState(deps: {
  config: AllegroSandboxConfig;
  stores: AccountOrders[];
  limiter: RateLimiter;
}) {
  return (): Record<string, unknown> => ({
    accounts: deps.stores.map((s) => ({
      index: s.accountIndex,
      id: s.account.id,
      login: s.account.login,
      orders: s.size - s.hidden.size,
      lastEventId: String(latestEvent(s)?.id ?? ''),
    })),
    rateLimit: { enabled: deps.config.rateLimitEnabled, ...deps.limiter.options },
  });
}
