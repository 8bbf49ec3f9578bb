// Page data fetched in SvelteKit `load` functions, once the root layout knows who is signed in.
import { session, type SessionUser } from './session.svelte.ts';
import { errorMessage } from './trpc.ts';

/** What a page's `load` hands the page: its data, or the host's sentence saying why there is none. */
export type Loaded<T> = { value: T; failure: null } | { value: null; failure: string | null };

/**
 * Runs a page's queries after the root layout's `load` (the session). Nobody signed in (the layout
 * sends the visitor to sign in) or a user without the role the page needs gives no data and no
 * failure; a failed query gives the host's message for the page to show in place.
 */
export async function loadPageData<T>(
  parent: () => Promise<unknown>,
  query: () => Promise<T>,
  allowed: (user: SessionUser) => boolean = () => true,
): Promise<Loaded<T>> {
  await parent();
  if (!session.user || !allowed(session.user)) return { value: null, failure: null };
  try {
    return { value: await query(), failure: null };
  } catch (error) {
    return { value: null, failure: errorMessage(error) };
  }
}
