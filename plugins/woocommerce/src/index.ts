import { definePlugin } from '@mch/plugin-sdk';

/**
 * No code: WooCommerce is read entirely by the manifest's `pull` jobs and mappings (issue 14).
 * The module exists because every plugin names one; it declares no hooks.
 */
export default definePlugin({ hooks: {} });
