import type { ManifestInput } from '../manifest.ts';

/** A complete, valid manifest (Allegro-like) that tests copy and break one field at a time. */
export function sampleManifest(): ManifestInput & Record<string, unknown> {
  return {
    $schema: '../../schemas/generated/plugin-manifest.schema.json',
    id: 'sample-market',
    name: 'Sample Market',
    version: '1.0.0',
    host: '^0.1.0',
    entry: './src/index.ts',
    auth: {
      type: 'oauth2',
      authorizeUrl: '{SAMPLE_AUTH_URL}/auth/oauth/authorize',
      tokenUrl: '{SAMPLE_AUTH_URL}/auth/oauth/token',
      clientIdConfig: 'SAMPLE_CLIENT_ID',
      clientSecretConfig: 'SAMPLE_CLIENT_SECRET',
      redirectUriConfig: 'SAMPLE_REDIRECT_URI',
      scopes: ['orders:read'],
      pkce: true,
      clientAuth: 'basic',
      refreshLeadSeconds: 3600,
      accountHook: 'fetchAccount',
    },
    settings: {
      type: 'object',
      properties: {
        autoGenerateInvoices: { type: 'boolean', title: 'Auto-generate invoices', default: true },
        syncFrequencyMinutes: {
          type: 'integer',
          title: 'Sync frequency',
          minimum: 5,
          maximum: 1440,
          default: 60,
        },
        defaultVatRate: {
          type: 'number',
          minimum: 0,
          maximum: 100,
          default: 23,
          'x-ui': { widget: 'number', suffix: '%' },
        },
        apiKey: { type: 'string', writeOnly: true, title: 'API key' },
      },
    },
    jobs: [
      {
        id: 'sync-orders',
        title: 'Sync orders',
        hook: 'syncOrders',
        flow: 'orders',
        interval: { setting: 'syncFrequencyMinutes', unit: 'minutes' },
        retry: { attempts: 6, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 60000 },
      },
    ],
    mappings: {
      invoice: {
        target: 'invoice',
        source: 'order',
        fields: {
          externalId: 'id',
          currency: 'summary.totalToPay.currency',
          issueDate: 'updatedAt',
          lines: { each: 'lineItems', mapping: 'invoiceLine' },
          customer: { from: 'buyer', mapping: 'customer' },
        },
      },
      invoiceLine: {
        target: 'invoiceLine',
        source: 'order.lineItems',
        fields: {
          name: 'offer.name',
          quantity: 'quantity',
          unitPrice: '$number(price.amount)',
          vatRate: '23',
        },
      },
      customer: { target: 'customer', source: 'buyer', fields: { externalId: 'id', name: 'login' } },
    },
    rateLimits: [{ group: 'default', limit: 9000, per: 60, scope: 'client' }],
    config: [
      { env: 'SAMPLE_CLIENT_ID', description: 'OAuth client id', required: true },
      { env: 'SAMPLE_CLIENT_SECRET', description: 'OAuth client secret', secret: true, required: true },
      { env: 'SAMPLE_REDIRECT_URI', description: 'OAuth redirect URI' },
      { env: 'SAMPLE_AUTH_URL', description: 'Auth base URL', default: 'https://allegro.pl' },
      { env: 'SAMPLE_API_URL', description: 'API base URL', default: 'https://api.allegro.pl' },
    ],
    flows: [
      {
        id: 'orders',
        title: 'Orders',
        description: 'Orders become invoices',
        direction: 'inbound',
        setting: 'autoGenerateInvoices',
      },
    ],
    api: { baseUrl: '{SAMPLE_API_URL}' },
    sandbox: {
      entry: './sandbox/index.ts',
      env: { SAMPLE_API_URL: '{url}', SAMPLE_AUTH_URL: '{url}', SAMPLE_CLIENT_ID: '{credentials.clientId}' },
    },
  };
}
