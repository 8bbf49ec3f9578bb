/**
 * Files `plugin new ID` writes. The result passes `plugin validate` as is: a Basic-auth plugin
 * (username and password or API key and secret, as many shop REST APIs take them) with one order
 * job, its mappings (VAT rate from each line, no country's rate assumed), and a sandbox that
 * really serves orders.
 */
export interface ScaffoldNames {
  id: string;
  /** Human name, e.g. 'My Shop' for 'my-shop'. */
  title: string;
  /** Prefix of its config variables, e.g. 'MY_SHOP'. */
  env: string;
  /** `$schema` reference from the plugin folder to the generated manifest schema. */
  schemaRef: string;
  /** Path from the plugin folder to the repository's tsconfig.base.json. */
  tsconfigBase: string;
}

export function manifestTemplate(names: ScaffoldNames): string {
  const manifest = {
    $schema: names.schemaRef,
    id: names.id,
    name: names.title,
    version: '0.1.0',
    description: `${names.title} marketplace connector.`,
    host: '^0.1.0',
    entry: './src/index.ts',
    auth: {
      type: 'basic',
      usernameSetting: 'username',
      passwordSetting: 'password',
      testHook: 'testConnection',
    },
    settingsVersion: 1,
    settings: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['username', 'password'],
      properties: {
        username: { type: 'string', title: 'API username', minLength: 1 },
        password: { type: 'string', title: 'API password', writeOnly: true, minLength: 1 },
        syncFrequencyMinutes: {
          type: 'integer',
          title: 'Sync frequency (minutes)',
          description: 'How often new orders are fetched.',
          minimum: 5,
          maximum: 1440,
          default: 60,
        },
        autoGenerateInvoices: {
          type: 'boolean',
          title: 'Auto-generate invoices',
          description: 'Create an invoice for every new order.',
          default: true,
        },
        // No rate is assumed: rates differ by country and product, so lines take the rate the
        // marketplace states, and this setting only fills lines that come without one.
        defaultVatRate: {
          type: 'number',
          title: 'VAT rate for lines without one',
          description: 'Used only when the marketplace sends a line without its VAT rate.',
          minimum: 0,
          maximum: 100,
          'x-ui': { suffix: '%' },
        },
      },
    },
    jobs: [
      {
        id: 'sync-orders',
        title: 'Sync orders',
        hook: 'syncOrders',
        flow: 'orders',
        interval: { setting: 'syncFrequencyMinutes', unit: 'minutes' },
        retry: { attempts: 6, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 300000 },
        concurrency: 1,
        disableAfterFailures: 5,
      },
    ],
    mappings: {
      invoice: {
        target: 'invoice',
        source: 'order',
        fields: {
          externalId: 'id',
          currency: 'currency',
          issueDate: 'createdAt',
          lines: { each: 'lines', mapping: 'invoiceLine' },
          customer: { from: 'buyer', mapping: 'customer' },
        },
      },
      invoiceLine: {
        target: 'invoiceLine',
        source: 'order.lines',
        fields: {
          name: 'name',
          quantity: 'quantity',
          unitPrice: 'unitPrice',
          vatRate: '$exists(vatRate) ? vatRate : $settings.defaultVatRate',
        },
      },
      customer: {
        target: 'customer',
        source: 'buyer',
        fields: { externalId: 'id', name: 'name', email: 'email' },
      },
    },
    rateLimits: [
      { group: 'default', limit: 5, per: 1, scope: 'account', configOverride: `${names.env}_RATE_LIMIT` },
    ],
    config: [
      { env: `${names.env}_BASE_URL`, description: `${names.title} API base URL`, required: true },
      { env: `${names.env}_RATE_LIMIT`, description: 'Override of the requests-per-second limit' },
    ],
    flows: [
      {
        id: 'orders',
        title: 'Orders',
        description: 'New orders become invoices',
        direction: 'inbound',
        setting: 'autoGenerateInvoices',
      },
    ],
    api: { baseUrl: `{${names.env}_BASE_URL}` },
    // The host reads these settings, and only these, to decide what an import creates.
    switches: { invoices: 'autoGenerateInvoices' },
    sandbox: {
      entry: './sandbox/index.ts',
      env: { [`${names.env}_BASE_URL`]: '{url}' },
      sellerCountry: 'PL',
    },
  };
  return JSON.stringify(manifest, null, 2) + '\n';
}

export function indexTemplate(): string {
  return `import { AuthError, definePlugin, type JobInput, type JobOutput, type TestConnectionOutput } from '@mch/plugin-sdk';
// The settings' types, written from the manifest by \`plugin types\` (run it again after changing them).
import type { Settings } from './settings.generated.ts';

interface Order {
  id: string;
  updatedAt: string;
}

export default definePlugin<Settings>({
  hooks: {
    /** Fetches orders changed since the stored cursor; the manifest's mappings turn them into invoices. */
    syncOrders: async (ctx, _input: JobInput): Promise<JobOutput> => {
      const since = (await ctx.store.get<string>('orders.cursor')) ?? '1970-01-01T00:00:00.000Z';
      const response = await ctx.http.request({ path: '/orders', query: { since } });
      if (response.status === 401) throw new AuthError('the marketplace refused the credentials');
      const orders = response.json<{ orders: Order[] }>().orders;
      let invoices = 0;
      for (const [index, order] of orders.entries()) {
        const outcome = await ctx.records.upsert('invoice', { externalId: order.id, revision: order.updatedAt, data: order });
        if (outcome.status === 'created') invoices += 1;
        ctx.progress(index + 1, orders.length);
      }
      const last = orders.at(-1);
      if (last) await ctx.store.set('orders.cursor', last.updatedAt);
      return { counts: { orders: orders.length, invoices } };
    },
    testConnection: async (ctx): Promise<TestConnectionOutput> => {
      const response = await ctx.http.request({ path: '/orders', query: { limit: 1 } });
      return response.status === 200 ? { ok: true } : { ok: false, message: \`the API answered \${response.status}\` };
    },
  },
});
`;
}

export function sandboxTemplate(): string {
  return `import Fastify from 'fastify';
import type { RunningSandbox, SandboxOptions } from '@mch/plugin-sdk/sandbox-kit';

const USERNAME = 'sandbox-user';
const PASSWORD = 'sandbox-password';

/** A local emulator of the marketplace API: seeded orders behind HTTP Basic auth. */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const app = Fastify();
  const count = options.orders ?? 5;
  const orders = Array.from({ length: count }, (_, index) => ({
    id: \`order-\${index + 1}\`,
    // A Polish shop's orders (PLN, 23 % VAT), so demo mode and \`plugin dry-run\` invoice them
    // under the demo's Polish company (manifest sandbox.sellerCountry).
    currency: 'PLN',
    createdAt: new Date(Date.UTC(2026, 0, 1 + index)).toISOString(),
    updatedAt: new Date(Date.UTC(2026, 0, 1 + index)).toISOString(),
    buyer: { id: \`buyer-\${index + 1}\`, name: \`Buyer \${index + 1}\`, email: \`buyer\${index + 1}@example.test\` },
    lines: [{ name: 'Item', quantity: 1, unitPrice: 10 + index, vatRate: 23 }],
  }));
  const expected = 'Basic ' + Buffer.from(\`\${USERNAME}:\${PASSWORD}\`).toString('base64');
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization !== expected) await reply.code(401).send({ error: 'unauthorized' });
  });
  app.get<{ Querystring: { since?: string; limit?: string } }>('/orders', async (request) => {
    const since = request.query.since ?? '';
    const limit = Number(request.query.limit ?? 100);
    return { orders: orders.filter((order) => order.updatedAt > since).slice(0, limit) };
  });
  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the sandbox has no TCP address');
  const url = \`http://127.0.0.1:\${address.port}\`;
  return {
    url,
    controlUrl: \`\${url}/__sandbox\`,
    credentials: { username: USERNAME, password: PASSWORD },
    close: () => app.close(),
  };
}
`;
}

export function testTemplate(): string {
  return `import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTest, startPluginTest } from '@mch/plugin-sdk/testing';

/**
 * The plugin in a real host against its sandbox over HTTP (the SDK's testing kit): connect the
 * sandbox's account, let the jobs run, and check the invoices a seller would see, to the cent.
 */
describe('the plugin against its sandbox', () => {
  let world: PluginTest;
  beforeAll(async () => {
    world = await startPluginTest({ dir: join(import.meta.dirname, '..'), sandbox: { orders: 3 } });
  }, 60_000);
  afterAll(async () => world?.close());

  it('turns each sandbox order into one invoice, and a second run into nothing new', async () => {
    const id = await world.connect();
    const runs = await world.waitForRuns(id);
    expect(runs.map((run) => [run.jobId, run.status, run.error])).toEqual([['sync-orders', 'succeeded', null]]);
    const invoices = await world.invoices(id);
    // Gross prices 10.00, 11.00 and 12.00 at 23 %: net = gross / 1.23, rounded to the cent.
    expect(invoices.map((i) => [i.externalOrderId, i.currency, i.totalNet, i.totalVat, i.totalGross]).sort()).toEqual([
      ['order-1', 'PLN', '8.13', '1.87', '10.00'],
      ['order-2', 'PLN', '8.94', '2.06', '11.00'],
      ['order-3', 'PLN', '9.76', '2.24', '12.00'],
    ]);
    const again = await world.sync(id, 'sync-orders');
    expect([again.status, again.counts.invoices]).toEqual(['succeeded', 0]);
    expect(await world.invoices(id)).toHaveLength(3);
  }, 60_000);
});
`;
}

export function packageTemplate(names: ScaffoldNames): string {
  const pkg = {
    name: `@mch/plugin-${names.id}`,
    private: true,
    version: '0.1.0',
    type: 'module',
    exports: { '.': './src/index.ts', './sandbox': './sandbox/index.ts', './*': './*' },
    dependencies: { '@mch/plugin-sdk': '*', '@mch/schemas': '*', fastify: '^5.6.0' },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

export function tsconfigTemplate(names: ScaffoldNames): string {
  // A project reference of the root build whose output stays inside the plugin folder (its own
  // node_modules, ignored by git). noEmitOnError: a file imported from outside the folder (host
  // internals) is a rootDir error, and TypeScript would otherwise write its .d.ts beside that
  // file, e.g. into host/src (issue 14).
  const root = names.tsconfigBase.replace(/\/?tsconfig\.base\.json$/, '') || '.';
  const config = {
    extends: names.tsconfigBase,
    compilerOptions: {
      rootDir: '.',
      outDir: './node_modules/.tsbuild',
      tsBuildInfoFile: './node_modules/.tsbuild/tsconfig.tsbuildinfo',
      noEmitOnError: true,
    },
    include: ['**/*.ts', '**/*.json'],
    exclude: ['node_modules', 'dist', 'generated'],
    references: [{ path: `${root}/schemas` }, { path: `${root}/sdk` }],
  };
  return JSON.stringify(config, null, 2) + '\n';
}
