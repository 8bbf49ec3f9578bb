import { redirect } from '@sveltejs/kit';
import { homeFor, session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types.js';

/** `/` opens the signed-in user's home; signed-out visitors are sent to sign in by the layout. */
export const load = (async ({ parent }) => {
  await parent();
  if (session.user) redirect(307, homeFor(session.user));
}) satisfies PageLoad;
