import { redirect } from '@sveltejs/kit';
import { nextPath, session } from '$lib/session.svelte.ts';
import type { PageLoad } from './$types.js';

/** Someone already signed in goes where they were heading. */
export const load: PageLoad = async ({ parent, url }) => {
  await parent();
  if (session.user) redirect(307, nextPath(url, session.user));
};
