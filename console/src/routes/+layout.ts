// A client-side app: the host serves the static shell, data comes from tRPC in the browser.
import { loadSession } from '$lib/session.svelte.ts';
import { errorMessage } from '$lib/trpc.ts';

export const ssr = false;
export const prerender = false;

/** Who is signed in, asked once before any page's `load` runs its queries. */
export async function load(): Promise<{ failure: string | null }> {
  try {
    await loadSession();
    return { failure: null };
  } catch (error) {
    return { failure: errorMessage(error) };
  }
}
