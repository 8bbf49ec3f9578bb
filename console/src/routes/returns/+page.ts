import { DATA, readForPage } from '$lib/page-data.ts';
import type { PageLoad } from './$types.js';
import { readReturns } from './returns.ts';

export const load: PageLoad = ({ parent, depends }) => {
  depends(DATA.returns);
  return readForPage({ parent, read: readReturns });
};
