import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import { renderTemplate } from '@mch/schemas';
import type { Principal } from '../auth/principal.ts';
import { Company } from '../db/entities/company.entity.ts';
import { Integration } from '../db/entities/integration.entity.ts';
import { Tenant } from '../db/entities/tenant.entity.ts';
import { User } from '../db/entities/user.entity.ts';
import type { LoadedPlugin } from '../plugins/types.ts';
import { sandboxConfig } from '../plugins/sandbox-env.ts';
import { startSandboxAt } from '../plugins/sandbox-runner.ts';
import { type RunningRatesSandbox, startRatesSandbox } from '../invoicing/rates-sandbox.ts';
import { SAMPLE_COMPANIES } from '../invoicing/seller-identity.ts';
import { createTenant, createUser } from '../tenancy/index.ts';
import type { HostServices } from './services.ts';

/**
 * Demo mode (SPEC "Running it"): on a fresh machine with no marketplace configured, every plugin's
 * sandbox runs beside the host, the plugins point at them, and a demo tenant with one connected
 * account per credentials-based plugin syncs at once, so orders become invoices within a minute.
 * Nothing here names a plugin: sandboxes, their config and credentials come from the manifests.
 */

const DEMO_SLUG = 'demo';
const CREDENTIALS_FILE = 'demo-credentials.json';
/** Each sandbox's own folder (`SandboxOptions.stateDir`) and the ports they listened on, in DATA_DIR. */
const SANDBOXES_DIR = 'sandboxes';
const PORTS_FILE = 'ports.json';

export interface DemoLogin {
  email: string;
  password: string;
  role: 'tenant_admin' | 'platform_admin';
}

export interface DemoMode {
  logins: DemoLogin[];
  sandboxes: { pluginId: string; url: string }[];
  stop(): Promise<void>;
}

/** One way to sign in to a plugin's sandbox: the connect form's settings and what to type in them. */
export interface DemoSignIn {
  fields: { setting: string; title: string; value: string }[];
}

/** What the console shows in demo mode: per plugin, the sandbox's test sign-ins (never a real account's). */
export interface DemoView {
  plugins: { pluginId: string; name: string; consentPage: boolean; signIns: DemoSignIn[] }[];
}

/** The demo view of the services demo mode runs on (none outside demo mode). */
const demoViews = new WeakMap<HostServices, DemoView>();

export function demoViewOf(services: HostServices): DemoView | undefined {
  return demoViews.get(services);
}

/**
 * A plugin counts as configured when any variable its manifest marks required, or that its
 * sandbox would set (API and auth URLs, client credentials), is in the environment.
 */
export function isConfigured(plugin: LoadedPlugin, env: NodeJS.ProcessEnv = process.env): boolean {
  const names = [
    ...plugin.manifest.config.filter((c) => c.required).map((c) => c.env),
    ...Object.keys(plugin.manifest.sandbox.env),
  ];
  return names.some((name) => (env[name] ?? '') !== '');
}

/** Demo mode runs only on the embedded database and only while no plugin is configured. */
export function shouldRunDemo(services: HostServices, env: NodeJS.ProcessEnv = process.env): boolean {
  if (services.db.kind !== 'embedded') return false;
  return services.plugins.plugins.every((plugin) => !isConfigured(plugin, env));
}

interface StoredLogins {
  logins: DemoLogin[];
}

function readLogins(dataDir: string): DemoLogin[] {
  try {
    return (JSON.parse(readFileSync(join(dataDir, CREDENTIALS_FILE), 'utf8')) as StoredLogins).logins;
  } catch {
    return [];
  }
}

/** The demo tenant and its two users, created once; their generated passwords kept in DATA_DIR (0600). */
async function ensureDemoTenant(services: HostServices): Promise<{ tenantId: string; logins: DemoLogin[] }> {
  const em = services.db.orm.em.fork();
  const existing = await em.findOne(Tenant, { slug: DEMO_SLUG });
  const tenantId =
    existing?.id ??
    (await createTenant({ em, name: 'Demo Shop', slug: DEMO_SLUG, company: SAMPLE_COMPANIES.PL })).id;
  // A second, Romanian seller: complete too, so the demo shows both countries' documents.
  if (!existing) {
    const ro = SAMPLE_COMPANIES.RO;
    em.create(Company, {
      tenantId,
      name: 'Demo Shop România',
      legalName: ro.legalName,
      taxId: ro.taxId,
      registrationNumber: ro.registrationNumber,
      address: { ...ro.address },
      country: ro.country,
      defaultCurrency: ro.defaultCurrency,
      vatStatus: ro.vatStatus,
      bankAccount: ro.bankAccount,
    });
    await em.flush();
  }
  const stored = readLogins(services.env.dataDir);
  const wanted: { email: string; role: DemoLogin['role'] }[] = [
    { email: 'seller@demo.local', role: 'tenant_admin' },
    { email: 'admin@demo.local', role: 'platform_admin' },
  ];
  const logins: DemoLogin[] = [];
  for (const { email, role } of wanted) {
    const known = stored.find((l) => l.email === email);
    if (await em.findOne(User, { email })) {
      if (known) logins.push(known);
      continue;
    }
    const password = randomBytes(9).toString('base64url');
    await createUser({
      em,
      email,
      role,
      password,
      ...(role === 'platform_admin' ? {} : { tenant: tenantId }),
    });
    logins.push({ email, password, role });
  }
  writeFileSync(join(services.env.dataDir, CREDENTIALS_FILE), `${JSON.stringify({ logins }, null, 2)}\n`, {
    mode: 0o600,
  });
  return { tenantId, logins };
}

/**
 * A demo account invoices under the demo company of its seller's country (manifest
 * `sandbox.sellerCountry`), so its orders carry VAT that country has; without one, or while the
 * integration already has a company (a person chose it), the tenant's default company issues.
 */
async function issueUnderSellerCountry(
  services: HostServices,
  tenantId: string,
  integrationId: string,
  country: string | undefined,
): Promise<void> {
  if (!country) return;
  const em = services.db.orm.em.fork();
  const company = await em.findOne(Company, { tenantId, country }, { orderBy: { createdAt: 'asc' } });
  if (!company) return;
  await em.nativeUpdate(
    Integration,
    { id: integrationId, tenantId, companyId: null },
    { companyId: company.id },
  );
}

/**
 * Connects a plugin of the company's documents for the demo company of its sandbox's seller
 * country: settings from the sandbox's credentials of the same names, and, for an OAuth plugin,
 * the sign-in completed on the sandbox's own page (`RunningSandbox.consent`).
 */
async function connectDocumentsPlugin(input: {
  services: HostServices;
  principal: Principal;
  tenantId: string;
  plugin: LoadedPlugin;
  sandbox: RunningSandbox;
  existing: { id: string; pluginId: string; status: string }[];
}): Promise<void> {
  const { services, principal, tenantId, plugin, sandbox } = input;
  const known = input.existing.find((i) => i.pluginId === plugin.id);
  // Connected before: signed in again only when the sandbox no longer accepts its consent.
  if (known && known.status !== 'needs_reauth') return;
  let integrationId = known?.id;
  if (!integrationId) {
    const country = plugin.manifest.sandbox.sellerCountry;
    const company = country
      ? await services.db.orm.em
          .fork()
          .findOne(Company, { tenantId, country }, { orderBy: { createdAt: 'asc' } })
      : null;
    const settings = {
      ...settingsNamedLike(plugin, sandbox.credentials),
      ...settingsNamedLike(plugin, sandbox.settings ?? {}),
      ...declaredDemoSettings(plugin, sandbox.credentials, sandbox),
    };
    integrationId = (
      await services.integrations.create({
        principal,
        tenantId,
        pluginId: plugin.id,
        label: `${plugin.manifest.name} (demo)`,
        settings,
        ...(company ? { companyId: company.id } : {}),
      })
    ).id;
  }
  if (plugin.manifest.auth.type !== 'oauth2') return;
  if (!sandbox.consent) return;
  const { url } = await services.oauth.authUrl({
    principal,
    tenantId,
    pluginId: plugin.id,
    integrationId,
    sessionHash: null,
  });
  const back = new URL(await sandbox.consent(url));
  const code = back.searchParams.get('code');
  const state = back.searchParams.get('state');
  if (!code || !state) throw new Error('the sandbox sent no authorization code');
  await services.oauth.callback({
    pluginId: plugin.id,
    state,
    code,
    caller: { userId: principal.userId, sessionHash: null },
  });
}

/** The sandbox's credentials that share a name with one of the plugin's settings. */
function settingsNamedLike(
  plugin: LoadedPlugin,
  credentials: Record<string, string>,
): Record<string, unknown> {
  const properties = plugin.manifest.settings.properties ?? {};
  return Object.fromEntries(Object.entries(credentials).filter(([name]) => name in properties));
}

/**
 * Settings for a demo account: those the manifest's `sandbox.settings` fill from the sandbox's
 * ready line, over what the auth kind takes from credentials named like its settings.
 */
export function demoSettings(
  plugin: LoadedPlugin,
  credentials: Record<string, string>,
  sandbox: Pick<RunningSandbox, 'url' | 'controlUrl'>,
): Record<string, unknown> | null {
  const declared = declaredDemoSettings(plugin, credentials, sandbox);
  const fromCredentials = credentialSettings(plugin, credentials);
  if (Object.keys(declared).length === 0) return fromCredentials;
  return { ...(fromCredentials ?? settingsNamedLike(plugin, credentials)), ...declared };
}

/** The manifest's `sandbox.settings`, filled from the sandbox's ready line. */
function declaredDemoSettings(
  plugin: LoadedPlugin,
  credentials: Record<string, string>,
  sandbox: Pick<RunningSandbox, 'url' | 'controlUrl'>,
): Record<string, string> {
  const values: Record<string, string> = { url: sandbox.url, controlUrl: sandbox.controlUrl };
  for (const [name, value] of Object.entries(credentials)) values[`credentials.${name}`] = value;
  return Object.fromEntries(
    Object.entries(plugin.manifest.sandbox.settings ?? {}).map(([name, template]) => [
      name,
      renderTemplate(template, { values }),
    ]),
  );
}

function credentialSettings(
  plugin: LoadedPlugin,
  credentials: Record<string, string>,
): Record<string, unknown> | null {
  const auth = plugin.manifest.auth;
  // No login: the sandbox's credentials named like a setting fill it (e.g. a token kept in the vault).
  if (auth.type === 'none') return settingsNamedLike(plugin, credentials);
  // An API key: the sandbox's credential named like the key's setting (or `apiKey`).
  if (auth.type === 'apiKey') {
    const key = credentials[auth.setting] ?? credentials.apiKey;
    return key ? { ...settingsNamedLike(plugin, credentials), [auth.setting]: key } : null;
  }
  // Client credentials: credentials named like the two settings, or `clientId`/`clientSecret`.
  if (auth.type === 'oauth2ClientCredentials') {
    const clientId = credentials[auth.clientIdSetting] ?? credentials.clientId;
    const clientSecret = credentials[auth.clientSecretSetting] ?? credentials.clientSecret;
    if (!clientId || !clientSecret) return null;
    return {
      ...settingsNamedLike(plugin, credentials),
      [auth.clientIdSetting]: clientId,
      [auth.clientSecretSetting]: clientSecret,
    };
  }
  if (auth.type !== 'basic') return null;
  // Basic: the sandbox's `username`/`password`, or credentials named like the plugin's two settings
  // (WooCommerce's consumerKey/consumerSecret).
  const username = credentials[auth.usernameSetting] ?? credentials.username;
  const password = credentials[auth.passwordSetting] ?? credentials.password;
  if (!username || !password) return null;
  return {
    ...settingsNamedLike(plugin, credentials),
    [auth.usernameSetting]: username,
    [auth.passwordSetting]: password,
  };
}

function readPorts(dataDir: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(join(dataDir, SANDBOXES_DIR, PORTS_FILE), 'utf8')) as Record<
      string,
      number
    >;
  } catch {
    return {};
  }
}

/** A sandbox on the port it had last time (a person's open consent page still works), else a free one. */
async function startOnSavedPort(input: {
  plugin: LoadedPlugin;
  port: number | undefined;
  stateDir: string;
  publicUrl: string;
}): Promise<RunningSandbox> {
  const { plugin } = input;
  const start = (port: number) =>
    startSandboxAt({
      entryPath: resolve(plugin.dir, plugin.manifest.sandbox.entry),
      sandbox: {
        port,
        redirectUri: `${input.publicUrl}/api/v1/${plugin.id}/auth/callback`,
        // What it issued and served before the restart (tokens, orders, documents) stays valid.
        stateDir: input.stateDir,
        // The demo tenant's companies, for what a sandbox issues per company (a certificate).
        companies: Object.values(SAMPLE_COMPANIES).map((c) => ({ country: c.country, taxId: c.taxId })),
        // What keeps the demo alive (new orders, returns, cancellations arriving), per manifest.
        ...(plugin.manifest.sandbox.demo ? { extra: plugin.manifest.sandbox.demo } : {}),
      },
    });
  if (input.port === undefined) return start(0);
  try {
    return await start(input.port);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    return start(0);
  }
}

type SettingProperty = { title?: unknown; 'x-ui'?: { enumLabels?: Record<string, unknown> } } | undefined;

/** A setting as the connect form shows it: its title, and a choice's label rather than its value. */
function settingField(plugin: LoadedPlugin, setting: string, value: string): DemoSignIn['fields'][number] {
  const property = plugin.manifest.settings.properties?.[setting] as SettingProperty;
  const label = property?.['x-ui']?.enumLabels?.[value];
  return {
    setting,
    title: typeof property?.title === 'string' ? property.title : setting,
    value: typeof label === 'string' ? label : value,
  };
}

/**
 * The sandbox's sign-ins as a person types them into the connect form: the values its
 * `credentials` (and `accounts`) give for the plugin's settings. Client ids and secrets of the
 * host's own configuration are not among them.
 */
function signInsOf(plugin: LoadedPlugin, sandbox: RunningSandbox): DemoSignIn[] {
  return [sandbox.credentials, ...(sandbox.accounts ?? [])]
    .map(
      (credentials) => demoSettings(plugin, credentials, sandbox) ?? settingsNamedLike(plugin, credentials),
    )
    .map((settings) => ({
      fields: Object.entries(settings)
        .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
        .map(([setting, value]) => settingField(plugin, setting, value)),
    }))
    .filter((signIn) => signIn.fields.length > 0);
}

export interface DemoSandboxes {
  running: { pluginId: string; sandbox: RunningSandbox }[];
  stop(): Promise<void>;
}

/**
 * Starts every plugin's sandbox and points the plugins at them through `configOverrides` (read on
 * every run). Each sandbox keeps its state in `DATA_DIR/sandboxes/<plugin>/` and its port in
 * `DATA_DIR/sandboxes/ports.json`, so a restarted demo finds its accounts still connected and
 * nothing it already delivered forgotten. Needs no database: it may run before the host starts,
 * so no job runs while the plugins point nowhere.
 */
export async function startDemoSandboxes(input: {
  services: HostServices;
  configOverrides: Map<string, Record<string, string>>;
  publicUrl: string;
  /**
   * Stands between demo mode and a plugin's sandbox (`plugin dry-run --record/--replay`): given
   * how to start the sandbox, returns what the plugin is pointed at instead.
   */
  around?: (plugin: LoadedPlugin, start: () => Promise<RunningSandbox>) => Promise<RunningSandbox>;
}): Promise<DemoSandboxes> {
  const { services, configOverrides } = input;
  const { logger } = services;
  const dir = join(services.env.dataDir, SANDBOXES_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ports = readPorts(services.env.dataDir);
  const running: { pluginId: string; sandbox: RunningSandbox }[] = [];
  let ratesSandbox: RunningRatesSandbox | undefined;
  for (const plugin of services.plugins.plugins) {
    try {
      const start = () =>
        startOnSavedPort({
          plugin,
          port: ports[plugin.id],
          stateDir: join(dir, plugin.id),
          publicUrl: input.publicUrl,
        });
      const sandbox = await (input.around ? input.around(plugin, start) : start());
      running.push({ pluginId: plugin.id, sandbox });
      ports[plugin.id] = Number(new URL(sandbox.url).port);
      configOverrides.set(plugin.id, sandboxConfig({ manifest: plugin.manifest, sandbox }));
    } catch (error) {
      logger.warn(
        { err: error, pluginId: plugin.id },
        'demo mode: the sandbox did not start; the plugin is left unconfigured',
      );
    }
  }
  writeFileSync(join(dir, PORTS_FILE), `${JSON.stringify(ports, null, 2)}\n`, { mode: 0o600 });

  // The central banks' rates come from a local NBP and BNR unless real ones are configured.
  if (!process.env.NBP_API_URL || !process.env.BNR_RATES_URL) {
    try {
      ratesSandbox = await startRatesSandbox();
      process.env.NBP_API_URL ??= ratesSandbox.url;
      process.env.BNR_RATES_URL ??= ratesSandbox.url;
    } catch (error) {
      logger.warn(
        { err: error },
        'demo mode: the NBP/BNR sandbox did not start; rates come from the real services',
      );
    }
  }

  demoViews.set(services, {
    plugins: running.flatMap(({ pluginId, sandbox }) => {
      const plugin = services.plugins.get(pluginId);
      if (!plugin) return [];
      return [
        {
          pluginId,
          name: plugin.manifest.name,
          consentPage: plugin.manifest.auth.type === 'oauth2',
          signIns: signInsOf(plugin, sandbox),
        },
      ];
    }),
  });

  return {
    running,
    async stop() {
      demoViews.delete(services);
      for (const { sandbox } of running) await sandbox.close().catch(() => undefined);
      await ratesSandbox?.close().catch(() => undefined);
    },
  };
}

/**
 * The demo tenant and its accounts: one per credentials-based plugin, syncing right away, and the
 * company's documents plugins signed in through their sandbox's consent. An account connected
 * through a consent that the marketplace no longer accepts (a data folder from before sandboxes
 * kept their tokens) is signed in again the same way. OAuth marketplaces are connected from the
 * console; their sandbox answers the authorization pages.
 */
export async function connectDemoAccounts(input: {
  services: HostServices;
  sandboxes: DemoSandboxes;
}): Promise<DemoLogin[]> {
  const { services } = input;
  const { logger } = services;
  const { running } = input.sandboxes;
  const { tenantId, logins } = await ensureDemoTenant(services);
  const admin = await services.db.orm.em.fork().findOne(User, { email: 'admin@demo.local' });
  if (!admin) return logins;
  const principal: Principal = {
    userId: admin.id,
    tenantId: null,
    role: 'platform_admin',
    email: admin.email,
  };
  const existing = await services.integrations.list({ principal, tenantId });
  // Plugins of the company's documents go first, so every invoice the demo accounts issue is
  // theirs to take (they take documents issued after they were connected).
  for (const { pluginId, sandbox } of running) {
    const plugin = services.plugins.get(pluginId);
    if (!plugin?.manifest.documents) continue;
    try {
      await connectDocumentsPlugin({ services, principal, tenantId, plugin, sandbox, existing });
    } catch (error) {
      logger.warn({ err: error, pluginId }, 'demo mode: could not connect the demo company');
    }
  }
  for (const { pluginId, sandbox } of running) {
    const plugin = services.plugins.get(pluginId);
    const settings = plugin ? demoSettings(plugin, sandbox.credentials, sandbox) : null;
    // Plugins of the company's documents were connected above.
    if (!plugin || plugin.manifest.documents || !settings) continue;
    try {
      const integration =
        existing.find((i) => i.pluginId === pluginId) ??
        (await services.integrations.create({
          principal,
          tenantId,
          pluginId,
          label: `${plugin.manifest.name} (demo)`,
          settings,
        }));
      await issueUnderSellerCountry(
        services,
        tenantId,
        integration.id,
        plugin.manifest.sandbox.sellerCountry,
      );
      if (integration.status === 'active' && plugin.manifest.jobs.length > 0) {
        await services.integrations.syncNow({ principal, id: integration.id });
      }
    } catch (error) {
      logger.warn({ err: error, pluginId }, 'demo mode: could not connect the demo account');
    }
  }
  return logins;
}

/**
 * `npm start` on a fresh machine (SPEC "Running it"): every sandbox started and the demo tenant's
 * accounts connected (`startDemoSandboxes`, then `connectDemoAccounts`).
 */
export async function startDemoMode(input: {
  services: HostServices;
  configOverrides: Map<string, Record<string, string>>;
  publicUrl: string;
  /** Sandboxes already started (before the host, so no job ran while plugins pointed nowhere). */
  sandboxes?: DemoSandboxes;
}): Promise<DemoMode> {
  const sandboxes = input.sandboxes ?? (await startDemoSandboxes(input));
  const logins = await connectDemoAccounts({ services: input.services, sandboxes });
  return {
    logins,
    sandboxes: sandboxes.running.map(({ pluginId, sandbox }) => ({ pluginId, url: sandbox.url })),
    stop: () => sandboxes.stop(),
  };
}
