import type { PluginInfo } from '$lib/api-types.ts';
import { loadPageData } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

/** One integration with its plugin, recent runs and invoices (two tRPC batches, in parallel). */
export const load = (({ parent, params, depends }) => {
  depends('app:integration');
  const id = params.id;
  return loadPageData(parent, async () => {
    const [info, status, plugins, runs, invoices] = await Promise.all([
      api.integrations.get.query({ id }),
      api.integrations.status.query({ id }),
      api.plugins.list.query(),
      api.integrations.runs.query({ id, limit: 10 }),
      api.invoices.list.query({ integrationId: id, limit: 20 }),
    ]);
    return {
      integration: { ...status, label: info.label, pluginId: info.pluginId },
      plugin: (plugins as PluginInfo[]).find((p) => p.id === info.pluginId) ?? null,
      runs,
      invoices: invoices.invoices,
      invoiceTotal: invoices.total,
    };
  });
}) satisfies PageLoad;
