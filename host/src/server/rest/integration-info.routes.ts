import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal.ts';
import { HostError } from '../../errors.ts';
import type { IntegrationView } from '../../integrations/integration.view.ts';
import type { LoadedPlugin } from '../../plugins/types.ts';
import { callerPlugin, requirePrincipal, type RestDeps } from './rest-caller.ts';
import { parseInput } from './rest-input.ts';

type PluginParams = { pluginId: string };

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The eMAG seed's `integration/*` endpoints, served for every plugin from its manifest: flows and
 * configuration come from the manifest, status from the caller's integrations of the plugin.
 */
export function registerIntegrationInfoRoutes(app: FastifyInstance, deps: RestDeps): void {
  const { services } = deps;

  async function context(request: { params: PluginParams }, principal: Principal) {
    const plugin = await callerPlugin(deps, principal, request.params.pluginId);
    const mine = await services.integrations.list({ principal, pluginId: plugin.id });
    return { plugin, mine };
  }

  /**
   * Which integration a seed-style call means: `integrationId` when given; otherwise the caller's
   * integrations whose settings match the other body fields (`account_type` → `accountType`),
   * which must leave exactly one.
   */
  async function pick(input: {
    principal: Principal;
    mine: IntegrationView[];
    body: Record<string, unknown>;
  }) {
    const { integrationId, ...filters } = input.body;
    if (typeof integrationId === 'string')
      return services.integrations.get({ principal: input.principal, id: integrationId });
    let candidates = input.mine;
    for (const [key, value] of Object.entries(filters)) {
      const name = camel(key);
      const withSettings = await Promise.all(
        candidates.map(async (c) => ({
          c,
          settings: (await services.integrations.getSettings({ principal: input.principal, id: c.id }))
            .settings,
        })),
      );
      candidates = withSettings.filter((x) => x.settings[name] === value).map((x) => x.c);
    }
    if (candidates.length === 1 && candidates[0]) return candidates[0];
    throw new HostError(
      candidates.length === 0 ? 'NOT_FOUND' : 'BAD_REQUEST',
      candidates.length === 0
        ? 'No integration of this plugin matches; create one first (POST integrations).'
        : `${candidates.length} integrations match; name one with integrationId.`,
      candidates.length === 0
        ? {}
        : {
            issues: [
              {
                path: '/integrationId',
                code: 'AMBIGUOUS',
                message: 'is required when several integrations match',
              },
            ],
          },
    );
  }

  const flowsOf = (plugin: LoadedPlugin) =>
    plugin.manifest.flows.map((f) => ({
      id: f.id,
      title: f.title,
      description: f.description,
      direction: f.direction,
    }));

  app.post<{ Params: PluginParams }>('/api/v1/:pluginId/integration/test-connection', async (request) => {
    const principal = await requirePrincipal(deps, request);
    const { mine } = await context(request, principal);
    const body = parseInput(z.record(z.string(), z.unknown()), request.body, 'request body');
    const integration = await pick({ principal, mine, body });
    const result = await services.integrations.testConnection({ principal, id: integration.id });
    return {
      status: result.ok ? 'success' : 'error',
      connected: result.ok,
      integrationId: integration.id,
      message: result.message ?? (result.ok ? 'Connection works.' : 'Connection failed.'),
      ...(result.details ? { details: result.details } : {}),
    };
  });

  app.get<{ Params: PluginParams }>('/api/v1/:pluginId/integration/status', async (request) => {
    const principal = await requirePrincipal(deps, request);
    const { plugin, mine } = await context(request, principal);
    return {
      status: 'success',
      integration_status: {
        connected: mine.some((i) => i.status === 'active' || i.status === 'degraded'),
        supported_flows: plugin.manifest.flows.map((f) => f.id),
        integrations: mine.map((i) => ({
          id: i.id,
          label: i.label,
          status: i.status,
          health: i.health,
          lastSyncAt: i.lastSyncAt,
          lastSyncError: i.lastSyncError,
          syncErrorCount: i.syncErrorCount,
        })),
      },
      message: `${plugin.manifest.name} integration status retrieved`,
    };
  });

  app.get<{ Params: PluginParams }>('/api/v1/:pluginId/integration/flows', async (request) => {
    const principal = await requirePrincipal(deps, request);
    const plugin = await callerPlugin(deps, principal, request.params.pluginId);
    return {
      status: 'success',
      supported_flows: plugin.manifest.flows.map((f) => f.id),
      flows: flowsOf(plugin),
    };
  });

  app.get<{ Params: PluginParams }>('/api/v1/:pluginId/integration/configuration', async (request) => {
    const principal = await requirePrincipal(deps, request);
    const plugin = await callerPlugin(deps, principal, request.params.pluginId);
    const { manifest } = plugin;
    return {
      status: 'success',
      configuration: {
        plugin: { id: manifest.id, name: manifest.name, version: manifest.version },
        auth: { type: manifest.auth.type },
        // Whether each variable is set, and the value only when it is not a secret.
        environment: manifest.config.map((c) => {
          const value = process.env[c.env];
          const set = value !== undefined && value !== '';
          return {
            env: c.env,
            description: c.description,
            secret: c.secret,
            required: c.required,
            set,
            ...(c.secret ? {} : { value: set ? value : (c.default ?? null) }),
          };
        }),
        rateLimits: manifest.rateLimits,
        jobs: manifest.jobs.map((j) => ({ id: j.id, title: j.title, interval: j.interval })),
        flows: flowsOf(plugin),
        settingsSchema: manifest.settings,
      },
    };
  });
}
