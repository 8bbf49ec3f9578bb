import type { IntegrationStatus, Invoice, PluginInfo, SyncRun } from '$lib/api-types.ts';
import { DATA, readForPage } from '$lib/page-data.ts';
import { api } from '$lib/trpc.ts';
import type { PageLoad } from './$types.js';

interface IntegrationView {
  integration: IntegrationStatus & { label: string; pluginId: string };
  plugin: PluginInfo | null;
  runs: SyncRun[];
  invoices: Invoice[];
  invoiceTotal: number;
}

/** The integration, its plugin and its recent activity in one round of batched queries. */
export const load: PageLoad = ({ parent, depends, params }) => {
  depends(DATA.integration);
  const id = params.id;
  return readForPage({
    parent,
    read: async (): Promise<IntegrationView> => {
      const [info, status, plugins, runs, invoices] = await Promise.all([
        api.integrations.get.query({ id }),
        api.integrations.status.query({ id }),
        api.plugins.list.query() as Promise<PluginInfo[]>,
        api.integrations.runs.query({ id, limit: 10 }),
        api.invoices.list.query({ integrationId: id, limit: 20 }),
      ]);
      return {
        integration: { ...status, label: info.label, pluginId: info.pluginId },
        plugin: plugins.find((p) => p.id === info.pluginId) ?? null,
        runs,
        invoices: invoices.invoices,
        invoiceTotal: invoices.total,
      };
    },
  });
};
