import { redirect } from '@sveltejs/kit';
import { homeFor, session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types.js';

/** `/` opens the signed-in user's home. */
export const load: PageLoad = async ({ parent }) => {
  await parent();
  if (session.user) redirect(307, homeFor(session.user));
};
