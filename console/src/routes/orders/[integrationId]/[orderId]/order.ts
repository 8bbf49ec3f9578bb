import { actionInput, actionsFor, listInput, type ActionView, type RecordId } from '$lib/actions.ts';
import type { PluginInfo } from '$lib/api-types.ts';
import { orderHistory, type HistoryEntry, type ListedItem, type OrderDocument } from '$lib/order-history.ts';
import { api, errorMessage, isRecord } from '$lib/trpc.ts';

// One order of one integration (issue 21), generically from the plugin's manifest: the order as
// the marketplace has it (`subject {kind: 'order', role: 'get'}` answering `{item}`), its history
// (the host's documents, and the items of the `return` and `refund` `list` actions of this order)
// and the acts on orders (`role: 'act'`). No plugin is named here.

/** An order as a `get` action answers it. */
export interface OrderItem {
  id: RecordId;
  status: RecordId;
  statusLabel?: string | null;
  buyer?: string | null;
  amount?: string | null;
  currency?: string | null;
  lines?: string[];
  /** Anything else the plugin tells about the order (e.g. what is left to refund), shown as is. */
  [field: string]: unknown;
}

export interface OrderPage {
  integrationId: string;
  integrationLabel: string;
  orderId: string;
  /** What the plugin's `get` action answered; `declared: false` when the plugin has none. */
  record: { declared: false } | { declared: true; item: OrderItem | null; failure: string | null };
  history: HistoryEntry[];
  /** The parts of the history that could not be read, each in a sentence. */
  gaps: string[];
  /** Every act on orders the plugin declares; the page offers those the order's status allows. */
  acts: ActionView[];
}

type Attempt<T> = { ok: true; value: T } | { ok: false; failure: string };

async function attempt<T>(read: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, failure: errorMessage(error) };
  }
}

export async function readOrder({
  integrationId,
  orderId,
}: {
  integrationId: string;
  orderId: string;
}): Promise<OrderPage> {
  const [integration, plugins] = await Promise.all([
    api.integrations.get.query({ id: integrationId }),
    api.plugins.list.query() as Promise<PluginInfo[]>,
  ]);
  const plugin = plugins.find((p) => p.id === integration.pluginId);
  const actions = (plugin?.actions ?? []) as ActionView[];
  const run = (action: ActionView, input: Record<string, unknown>): Promise<unknown> =>
    api.integrations.action.mutate({ id: integrationId, action: action.id, input });
  const list = async (action: ActionView | undefined): Promise<ListedItem[]> => {
    if (!action) return [];
    const result = await run(action, listInput(action, orderId));
    return isRecord(result) && Array.isArray(result.items) ? (result.items as ListedItem[]) : [];
  };

  const [get] = actionsFor(actions, 'order', 'get');
  const [returnList] = actionsFor(actions, 'return', 'list');
  const [refundList] = actionsFor(actions, 'refund', 'list');
  const [record, documents, returns, refunds] = await Promise.all([
    get
      ? attempt(async () => {
          const result = await run(get, actionInput(get, orderId));
          return isRecord(result) && isRecord(result.item) ? (result.item as unknown as OrderItem) : null;
        })
      : null,
    attempt(
      () =>
        api.invoices.orderHistory.query({ integrationId, externalOrderId: orderId }) as Promise<
          OrderDocument[]
        >,
    ),
    attempt(() => list(returnList)),
    attempt(() => list(refundList)),
  ]);

  const gaps: string[] = [];
  if (!documents.ok) gaps.push(`The order's invoice and corrections could not be read: ${documents.failure}`);
  if (!returns.ok) gaps.push(`Its returns could not be read: ${returns.failure}`);
  if (!refunds.ok) gaps.push(`Its refunds could not be read: ${refunds.failure}`);
  return {
    integrationId,
    integrationLabel: integration.label || plugin?.name || integration.pluginId,
    orderId,
    record: record
      ? {
          declared: true,
          item: record.ok ? record.value : null,
          failure: record.ok ? null : record.failure,
        }
      : { declared: false },
    history: orderHistory({
      orderId,
      documents: documents.ok ? documents.value : [],
      returns: returns.ok ? returns.value : [],
      refunds: refunds.ok ? refunds.value : [],
    }),
    gaps,
    acts: actionsFor(actions, 'order', 'act'),
  };
}
