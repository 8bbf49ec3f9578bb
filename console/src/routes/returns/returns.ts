import { actionsFor, type ActionView } from '$lib/actions.ts';
import { api, isRecord } from '$lib/trpc.ts';

// A plugin's manifest names the action that lists its returns (`subject: {kind: 'return', role:
// 'list'}`) and the actions allowed on a return in given statuses (`role: 'act'`, `statuses`,
// `presets`). No plugin is named here.

export interface Item {
  id: number | string;
  status: number | string;
  statusLabel?: string | null;
  orderId?: string | null;
  buyer?: string | null;
  amount?: string | null;
  currency?: string | null;
  deadline?: string | null;
  daysLeft?: number | null;
  lines?: string[];
}
export interface Row {
  integrationId: string;
  integrationLabel: string;
  pluginName: string;
  item: Item;
  actions: ActionView[];
}
export interface HistoryEntry {
  id: string;
  type: string;
  number: string;
  grossTotal: string;
  currency: string;
  issueDate: string;
  pdfUrl: string;
}

/** Every return of the tenant's working integrations, open ones first, the nearest deadline first. */
export async function readReturns(): Promise<Row[]> {
  const [plugins, integrations] = await Promise.all([
    api.plugins.list.query(),
    api.integrations.list.query(),
  ]);
  const found: Row[] = [];
  for (const integration of integrations) {
    const plugin = plugins.find((p) => p.id === integration.pluginId);
    if (!plugin || (integration.status !== 'active' && integration.status !== 'degraded')) continue;
    const actions = plugin.actions as ActionView[];
    const [list] = actionsFor(actions, 'return', 'list');
    if (!list) continue;
    const result: unknown = await api.integrations.action.mutate({
      id: integration.id,
      action: list.id,
      input: {},
    });
    const items = isRecord(result) && Array.isArray(result.items) ? (result.items as Item[]) : [];
    const acts = actionsFor(actions, 'return', 'act');
    for (const item of items)
      found.push({
        integrationId: integration.id,
        integrationLabel: integration.label ?? plugin.name,
        pluginName: plugin.name,
        item,
        actions: acts,
      });
  }
  return found.sort(
    (a, b) => (a.item.daysLeft ?? Number.POSITIVE_INFINITY) - (b.item.daysLeft ?? Number.POSITIVE_INFINITY),
  );
}
