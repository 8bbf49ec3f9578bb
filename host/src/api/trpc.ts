import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { credentialKind, credentialRefusal } from '../auth/refusal.ts';
import { HostError, type ErrorCode, type FieldIssue } from '../errors.ts';
import type { RequestContext } from './context.ts';
import { asHostError } from './host-error.ts';
import { zodIssueWords, zodSentence } from './zod-words.ts';

/** zod issues → per-field issues with JSON pointers, the same shape REST answers with. */
export function zodIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: '/' + issue.path.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/'),
    code: issue.code,
    message: zodIssueWords(issue),
  }));
}

const TRPC_CODE: Record<ErrorCode, TRPCError['code']> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/** Turns any thrown HostError into a TRPCError that keeps its sentence and issues. */
export function toTrpcError(error: unknown): unknown {
  const host = asHostError(error);
  if (host) return new TRPCError({ code: TRPC_CODE[host.code], message: host.message, cause: host });
  return error;
}

const t = initTRPC.context<RequestContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    let issues: FieldIssue[] | undefined;
    if (cause instanceof ZodError) issues = zodIssues(cause);
    else if (cause instanceof HostError) issues = cause.issues;
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      ...shape,
      // Never a stack trace or an internal message to the caller (STYLE 10).
      // A refused input says which fields and why in words, not zod's JSON dump of its issues.
      message: internal
        ? 'Something went wrong on our side; the error was logged.'
        : cause instanceof ZodError
          ? zodSentence(cause)
          : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        ...(issues ? { issues } : {}),
      },
    };
  },
});

export const router = t.router;
export const middleware = t.middleware;
export const mergeRouters = t.mergeRouters;

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause && !(result.error.cause instanceof ZodError)) {
    const mapped = toTrpcError(result.error.cause);
    if (mapped instanceof TRPCError) throw mapped;
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.principal) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: credentialRefusal(ctx.req) ?? 'Sign in first: no valid session or API token.',
    });
  }
  return next({ ctx: { ...ctx, principal: ctx.principal } });
});

/**
 * Signed in through the console (session cookie), not an API token: minting tokens and changing
 * passwords must not be possible with a token alone, or a leaked token would outlive its revocation.
 */
export const sessionProcedure = authedProcedure.use(({ ctx, next }) => {
  if (credentialKind(ctx.req) !== 'session') {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Sign in to the console for this; an API token cannot manage passwords or create tokens.',
    });
  }
  return next();
});

/** Tenant admins of their own tenant, and platform admins anywhere. */
export const tenantAdminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.principal.role === 'tenant_user') {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Only a tenant admin (or a platform admin) may do this.',
    });
  }
  return next();
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.principal.role !== 'platform_admin') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only platform admins may do this.' });
  }
  return next();
});
