import { definePlugin } from '@mch/plugin-sdk';
import { cancelOrder, getOrder } from './cancel-order.action.ts';
import { onNewOrder } from './new-order.hook.ts';
import { pushOffers, syncOffers } from './offers.ts';
import { syncOrders } from './orders-sync.hook.ts';
import { listReturns, moveReturn, syncReturns } from './returns.ts';
import { migrateSettings } from './settings-migration.ts';
import { testConnection } from './test-connection.hook.ts';

/** eMAG Marketplace: the code the manifest's auth, jobs, webhooks and actions name. */
export default definePlugin({
  hooks: {
    testConnection,
    syncOrders,
    onNewOrder,
    syncReturns,
    listReturns,
    moveReturn,
    cancelOrder,
    getOrder,
    syncOffers,
    pushOffers,
  },
  migrateSettings,
});
