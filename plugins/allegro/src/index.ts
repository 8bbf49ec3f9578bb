import { definePlugin } from '@mch/plugin-sdk';
import { fetchAccount } from './account.hook.ts';
import { uploadInvoices } from './invoice-upload.ts';
import { syncOrders } from './orders-sync.hook.ts';

/** Allegro: the code the manifest's auth and jobs name; everything else is declared there. */
export default definePlugin({
  hooks: { fetchAccount, syncOrders, uploadInvoices },
});
