import { definePlugin } from '@mch/plugin-sdk';
import { clearDocuments } from './clear-documents.hook.ts';

export default definePlugin({
  hooks: {
    clearDocuments,
  },
});
