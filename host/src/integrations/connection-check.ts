import type { IIntegration } from '../db/entities/integration.entity.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import type { IntegrationDeps } from './ports.ts';

/**
 * Credentials are tested before "connected" is said (issue 13 "Connections that recover"): the
 * manifest's `auth.test` request or the plugin's `auth.testHook` runs against the saved settings when an account is connected and when
 * its secret settings change. `refused`: the service said no (wrong password, an address it does
 * not allow); `unchecked`: it could not say (busy, unreachable) and the settings are kept.
 */
export type ConnectionCheck =
  | { verdict: 'connected'; message: string }
  | { verdict: 'refused'; message: string }
  | { verdict: 'unchecked'; message: string }
  | { verdict: 'untested'; message: null };

/** Whether the plugin can test credentials: a connection test (request or hook), and not an OAuth sign-in. */
export function testable(plugin: LoadedPlugin): boolean {
  const auth = plugin.manifest.auth;
  return auth.type !== 'oauth2' && Boolean(auth.testHook ?? auth.test);
}

export async function checkConnection(
  deps: IntegrationDeps,
  plugin: LoadedPlugin,
  row: Pick<IIntegration, 'id' | 'tenantId'>,
): Promise<ConnectionCheck> {
  if (!testable(plugin)) return { verdict: 'untested', message: null };
  const name = plugin.manifest.name;
  try {
    const result = await deps.sync.testConnection({ integrationId: row.id, tenantId: row.tenantId });
    if (result.ok)
      return { verdict: 'connected', message: result.message ?? `${name} accepted the connection.` };
    const message = result.message ?? `${name} did not accept these settings; check them and try again.`;
    return result.retryable ? { verdict: 'unchecked', message } : { verdict: 'refused', message };
  } catch (error) {
    deps.logger.warn({ err: error, integrationId: row.id }, 'connection test failed to run');
    return {
      verdict: 'unchecked',
      message: `The connection to ${name} could not be tested just now; the settings are kept and used at the next sync.`,
    };
  }
}
