import { definePlugin } from '@mch/plugin-sdk';
import { fetchAccount } from './account.hook.ts';
import { uploadInvoices } from './invoice-upload.ts';
import { syncOrders } from './orders-sync.hook.ts';
import { getOrder, listRefunds, refundOrder } from './refunds.ts';
import { listReturns, rejectReturn, refundReturn, syncReturns } from './returns.ts';

/** Allegro: the code the manifest's auth, jobs and actions name; everything else is declared there. */
export default definePlugin({
  hooks: {
    fetchAccount,
    syncOrders,
    uploadInvoices,
    syncReturns,
    listReturns,
    refundReturn,
    rejectReturn,
    getOrder,
    refundOrder,
    listRefunds,
  },
});
