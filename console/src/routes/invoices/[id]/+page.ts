import { DATA, readForPage } from '$lib/page-data.ts';
import type { PageLoad } from './$types.js';
import { readDocument } from './document.ts';

export const load: PageLoad = ({ parent, depends, params }) => {
  depends(DATA.invoice);
  return readForPage({ parent, read: () => readDocument(params.id) });
};
