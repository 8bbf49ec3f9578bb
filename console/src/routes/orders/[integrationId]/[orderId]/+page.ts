import { DATA, readForPage } from '$lib/page-data.ts';
import type { PageLoad } from './$types.js';
import { readOrder } from './order.ts';

export const load: PageLoad = ({ parent, depends, params }) => {
  depends(DATA.order);
  return readForPage({
    parent,
    read: () => readOrder({ integrationId: params.integrationId, orderId: params.orderId }),
  });
};
