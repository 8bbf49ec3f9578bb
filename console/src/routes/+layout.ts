import { redirect } from '@sveltejs/kit';
import { loadSession, session } from '$lib/session.svelte.ts';
import { errorMessage } from '$lib/trpc.ts';
import type { LayoutLoad } from './$types.js';

// A client-side app: the host serves the static shell, data comes from tRPC in the browser.
export const ssr = false;
export const prerender = false;

/**
 * Asks the host who is signed in, once per page load (the URL is read untracked, so navigating
 * does not ask again); pages' loads wait for it through `parent()`. Signed-out visitors go to the
 * login page, then back where they were heading; an expired session mid-use is the layout's to handle.
 */
export const load: LayoutLoad = async ({ url, untrack }) => {
  let signedIn: boolean;
  try {
    // Asked once: a redirect to the login page runs this load again, with the answer known.
    signedIn = (session.loaded ? session.user : await loadSession()) !== null;
  } catch (error) {
    return { hostFailure: errorMessage(error) };
  }
  const next = untrack(() => (url.pathname === '/login' ? null : url.pathname + url.search));
  if (!signedIn && next !== null) redirect(307, `/login?next=${encodeURIComponent(next)}`);
  return { hostFailure: null };
};
