import { definePlugin } from '@mch/plugin-sdk';

// The plugin's code: hooks are added together with the manifest jobs that name them.
export default definePlugin({ hooks: {} });
