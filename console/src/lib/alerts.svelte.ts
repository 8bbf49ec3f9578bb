import type { Alert } from './api-types.ts';
import { api } from './trpc.ts';

/**
 * The alerts the navigation counts, shared by the header and the alerts page: the header reads them
 * as the user moves around (at most every `FRESH_MS`), the alerts page hands over what it read.
 */
export const alertsState = $state<{ count: number; readAt: number }>({ count: 0, readAt: 0 });

const FRESH_MS = 30_000;

export function showAlerts(alerts: readonly Alert[]): void {
  alertsState.count = alerts.length;
  alertsState.readAt = Date.now();
}

/** Reads the alerts again unless they were read a moment ago; a failure keeps the last count. */
export async function refreshAlerts(): Promise<void> {
  if (Date.now() - alertsState.readAt < FRESH_MS) return;
  alertsState.readAt = Date.now();
  try {
    showAlerts((await api.alerts.list.query()).alerts);
  } catch {
    // The count is a hint; the alerts page says why it cannot read them.
  }
}
