import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { WebhookInput, WebhookOutput } from '@mch/plugin-sdk';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HostPlugins } from '../app/services.ts';
import type { Database } from '../db/orm.ts';
import type { Logger } from '../logging/logger.ts';
import type { SyncEngine } from './sync-engine.ts';

/**
 * Per-integration webhook URLs for the manifest's `webhooks[]` (eMAG's new-order callback,
 * `GET <url>?order_id=N`): `${PUBLIC_URL}/api/v1/webhooks/<integrationId>/<webhookId>/<token>`.
 * The token is an HMAC of the integration and webhook ids under a key derived from the master
 * key — unguessable, stable (the seller pastes it once into the marketplace), nothing stored.
 */
export function createWebhookSigner(options: { masterKey: Buffer; publicUrl: string }) {
  const key = Buffer.from(hkdfSync('sha256', options.masterKey, Buffer.alloc(0), 'integration-webhooks', 32));
  const tokenFor = (integrationId: string, webhookId: string) =>
    createHmac('sha256', key).update(`${integrationId}:${webhookId}`).digest('base64url');
  return {
    url(integrationId: string, webhookId: string): string {
      return `${options.publicUrl.replace(/\/$/, '')}/api/v1/webhooks/${integrationId}/${webhookId}/${tokenFor(integrationId, webhookId)}`;
    },
    verify(integrationId: string, webhookId: string, token: string): boolean {
      const expected = Buffer.from(tokenFor(integrationId, webhookId));
      const given = Buffer.from(token);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
export type WebhookSigner = ReturnType<typeof createWebhookSigner>;

const flat = (values: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v as string)]),
  );

/**
 * Serves webhook calls: checks the token, calls the plugin's hook (which may pull the record
 * right away), and starts any jobs it asks for. An unknown or forged URL is a plain 404.
 */
export function registerWebhookRoutes(
  app: FastifyInstance,
  deps: { db: Database; plugins: HostPlugins; engine: SyncEngine; signer: WebhookSigner; logger: Logger },
): void {
  const handler = async (
    request: FastifyRequest<{ Params: { integrationId: string; webhookId: string; token: string } }>,
  ) => {
    const { integrationId, webhookId, token } = request.params;
    const notFound = { status: 404, body: { error: { code: 'NOT_FOUND', message: 'No such webhook.' } } };
    if (!/^[0-9a-f-]{36}$/.test(integrationId) || !deps.signer.verify(integrationId, webhookId, token))
      return notFound;
    const found = await deps.engine.findIntegration(integrationId);
    const plugin = found ? deps.plugins.get(found.pluginId) : undefined;
    const webhook = plugin?.manifest.webhooks?.find((w) => w.id === webhookId);
    if (!found || !plugin || !webhook || webhook.method !== request.method) return notFound;
    const row = found.ref;
    if (!(await deps.engine.pluginEnabled(row.tenantId, plugin.id))) return notFound;
    // A disabled tenant's accounts pull nothing, whoever calls (issue 11).
    const tenant = await deps.db.pool.query<{ disabled_at: Date | null }>(
      'select disabled_at from tenants where id = $1',
      [row.tenantId],
    );
    if (!tenant.rows[0] || tenant.rows[0].disabled_at) return notFound;
    if (found.status !== 'active' && found.status !== 'degraded') {
      return {
        status: 409,
        body: {
          error: { code: 'CONFLICT', message: `The integration is ${found.status}; nothing was pulled.` },
        },
      };
    }
    const input: WebhookInput = {
      method: request.method,
      headers: flat(request.headers),
      query: flat((request.query ?? {}) as Record<string, unknown>),
      body: request.body,
    };
    const output = await deps.engine.callHook<WebhookOutput | undefined>({
      plugin,
      integration: row,
      hook: webhook.hook,
      input,
    });
    for (const job of output?.trigger ?? []) {
      await deps.engine.trigger({
        tenantId: row.tenantId,
        integrationId: row.id,
        jobId: job.jobId,
        trigger: 'webhook',
      });
    }
    return { status: output?.status ?? 200, body: output?.body ?? { ok: true } };
  };
  for (const method of ['GET', 'POST', 'PUT'] as const) {
    app.route<{ Params: { integrationId: string; webhookId: string; token: string } }>({
      method,
      url: '/api/v1/webhooks/:integrationId/:webhookId/:token',
      handler: async (request, reply) => {
        const result = await handler(request);
        return reply.code(result.status).send(result.body);
      },
    });
  }
}
