import { session, type SessionUser } from './session.svelte.ts';
import { errorMessage } from './trpc.ts';

/**
 * What a page's `load` hands the page: its data, or the sentence saying why the host could not
 * give it (the page shows it where it always did). No value and `failure: null`: nothing was asked,
 * because a layout does not show the page to this user (signed out, or not allowed).
 */
export type Loaded<T> = { value: T; failure: null } | { value: null; failure: string | null };

/**
 * The keys pages' loads `depend` on, for `invalidate` after a change: one per page, so a change
 * reads again only what it can have changed (see https://svelte.dev/docs/kit/load#Rerunning-load-functions).
 */
export const DATA = {
  adminMetrics: 'app:admin-metrics',
  adminIntegrations: 'app:admin-integrations',
  adminTenants: 'app:admin-tenants',
  alerts: 'app:alerts',
  catalog: 'app:catalog',
  integrations: 'app:integrations',
  returns: 'app:returns',
  order: 'app:order',
  series: 'app:series',
  integration: 'app:integration',
  invoices: 'app:invoices',
  invoice: 'app:invoice',
  products: 'app:products',
  team: 'app:team',
  templates: 'app:templates',
  tokens: 'app:tokens',
} as const;

export interface ReadOptions<T> {
  /** The load event's `parent`: once it resolves, the root layout knows who is signed in. */
  parent: () => Promise<unknown>;
  /** Who the page is for; a layout shows everyone else a refusal, so nothing is asked for them. */
  allowed?: (user: SessionUser) => boolean;
  read: () => Promise<T>;
}

/** Reads a page's data for the signed-in user; a failure becomes the host's sentence. */
export async function readForPage<T>({ parent, allowed, read }: ReadOptions<T>): Promise<Loaded<T>> {
  await parent();
  if (!session.user || (allowed && !allowed(session.user))) return { value: null, failure: null };
  try {
    return { value: await read(), failure: null };
  } catch (error) {
    return { value: null, failure: errorMessage(error) };
  }
}
