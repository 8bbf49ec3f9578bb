import { definePlugin } from '@mch/plugin-sdk';
import { clearDocuments } from './clear-documents.hook.ts';
import { testConnection } from './test-connection.hook.ts';

export default definePlugin({
  hooks: {
    clearDocuments,
    testConnection,
  },
});
