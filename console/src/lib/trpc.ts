import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../../host/src/api/router.ts';

let unauthorized: (() => void) | undefined;

/** Called when the host answers 401 to a signed-in call (the session expired or was revoked). */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

/** The host's tRPC API on the same origin; the session cookie rides along (HttpOnly, same-site). */
export const api = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: '/trpc',
      // A batch names its procedures in the URL path, which Fastify caps at 100 characters
      // (maxParamLength) unless the host raises it; three names always fit.
      maxItems: 3,
      fetch: async (input, init) => {
        const response = await fetch(input, { ...init, credentials: 'same-origin' });
        // httpBatchLink passes the URL as a string.
        // eslint-disable-next-line @typescript-eslint/no-base-to-string
        if (response.status === 401 && !String(input).includes('/trpc/auth.')) unauthorized?.();
        return response;
      },
    }),
  ],
});

/** A per-field issue as the host reports it: a JSON pointer into the submitted value. */
export interface FieldIssue {
  path: string;
  code: string;
  message: string;
}

/** The sentence to show for any failure (the host's messages are written for people). */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong; try again.';
}

/** The tRPC error code (`UNAUTHORIZED`, `BAD_REQUEST`, …) when the host gave one. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  return isRecord(data) && typeof data.code === 'string' ? data.code : undefined;
}

/** Per-field issues carried by a BAD_REQUEST (`error.data.issues`). */
export function errorIssues(error: unknown): FieldIssue[] {
  if (!(error instanceof TRPCClientError)) return [];
  const data: unknown = error.data;
  if (!isRecord(data) || !Array.isArray(data.issues)) return [];
  return data.issues.filter(
    (issue): issue is FieldIssue =>
      isRecord(issue) && typeof issue.path === 'string' && typeof issue.message === 'string',
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The issues of a failed settings save, with pointers relative to the settings object: the host
 * points into the request body (`/settings/syncFrequencyMinutes`). Issues outside the settings
 * (or a refusal without issues) become one form-level issue carrying the host's sentence.
 */
export function settingsIssues(error: unknown): FieldIssue[] {
  const issues = errorIssues(error)
    .filter((issue) => issue.path === '/settings' || issue.path.startsWith('/settings/'))
    .map((issue) => ({ ...issue, path: issue.path.slice('/settings'.length) }));
  return issues.length > 0
    ? issues
    : [{ path: '', code: errorCode(error) ?? 'FAILED', message: errorMessage(error) }];
}
