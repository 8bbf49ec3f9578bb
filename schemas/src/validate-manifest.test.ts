import { describe, expect, it } from 'vitest';
import { sampleManifest } from './testing/sample-manifest.ts';
import { parseJsonText, validateManifest } from './validate-manifest.ts';

function issuesOf(input: unknown) {
  const result = validateManifest(input);
  return result.issues.map(({ code, pointer }) => `${pointer} ${code}`);
}

describe('validateManifest', () => {
  it('accepts the sample and fills defaults', () => {
    const result = validateManifest(sampleManifest());
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.manifest?.jobs[0]?.concurrency).toBe(1);
    expect(result.manifest?.jobs[0]?.disableAfterFailures).toBe(5);
    expect(result.manifest?.settingsVersion).toBe(1);
  });

  it('reports three different mistakes at three pointers, in one pass', () => {
    const manifest = sampleManifest();
    manifest.version = '1.0';
    manifest.jobs![0]!.interval = { setting: 'syncFreq', unit: 'minutes' };
    manifest.config!.push({ env: 'SAMPLE_CLIENT_ID', description: 'again' });
    const result = validateManifest(manifest);
    expect(result.ok).toBe(false);
    expect(issuesOf(manifest)).toEqual([
      '/version MANIFEST_VERSION_INVALID',
      '/jobs/0/interval/setting MANIFEST_SETTING_REFERENCE',
      '/config/5/env MANIFEST_DUPLICATE',
    ]);
    const setting = result.issues.find((issue) => issue.pointer === '/jobs/0/interval/setting');
    expect(setting?.message).toBe(
      "names 'syncFreq', but settings has no such property; use one of: 'syncFrequencyMinutes'",
    );
  });

  it('takes a documents section (a plugin of the company documents) and checks its job and fields', () => {
    const manifest: Record<string, unknown> & ReturnType<typeof sampleManifest> = sampleManifest();
    const job = manifest.jobs![0]!.id;
    manifest.documents = { authority: 'ksef', title: 'KSeF', consumes: ['invoice', 'correction'], job };
    const ok = validateManifest(manifest);
    expect(ok.issues).toEqual([]);
    expect(ok.manifest?.documents).toMatchObject({ scope: 'company', deliveryAfterClearance: true, job });

    manifest.documents = {
      authority: 'KSeF',
      title: 'KSeF',
      consumes: ['receipt' as 'invoice'],
      job: 'clear',
    };
    expect(issuesOf(manifest)).toEqual([
      '/documents/authority MANIFEST_FIELD_INVALID',
      '/documents/consumes/0 MANIFEST_FIELD_INVALID',
    ]);
    manifest.documents = { authority: 'ksef', title: 'KSeF', consumes: ['invoice'], job: 'clear' };
    const wrongJob = validateManifest(manifest);
    expect(wrongJob.issues.map((i) => `${i.pointer} ${i.code}`)).toEqual([
      '/documents/job MANIFEST_REFERENCE_UNKNOWN',
    ]);
    expect(wrongJob.issues[0]?.message).toContain(
      `names job 'clear', which is not declared in jobs; use one of: '${job}'`,
    );
  });

  it('refuses unknown fields so typos are caught', () => {
    const manifest = { ...sampleManifest(), jbos: [] } as Record<string, unknown>;
    (manifest.auth as Record<string, unknown>).scope = ['x'];
    expect(issuesOf(manifest)).toEqual([
      '/auth/scope MANIFEST_UNKNOWN_FIELD',
      '/jbos MANIFEST_UNKNOWN_FIELD',
    ]);
  });

  it('says which required field is missing', () => {
    const { name: _name, ...manifest } = sampleManifest();
    const result = validateManifest(manifest);
    expect(result.issues).toEqual([
      { code: 'MANIFEST_FIELD_MISSING', pointer: '/name', message: 'is required: add a string' },
    ]);
  });

  it('locates bad values inside nested sections', () => {
    const manifest = sampleManifest();
    manifest.jobs![0]!.retry = { attempts: 11 };
    manifest.auth = { type: 'oauth3' } as never;
    expect(issuesOf(manifest)).toEqual([
      '/auth/type MANIFEST_FIELD_INVALID',
      '/jobs/0/retry/attempts MANIFEST_FIELD_INVALID',
    ]);
  });

  it('checks that template placeholders and config names are declared', () => {
    const manifest = sampleManifest();
    manifest.api = { baseUrl: '{SAMPLE_API_URI}/{settings.platform}' };
    if (manifest.auth.type === 'oauth2') manifest.auth.clientSecretConfig = 'SAMPLE_SECRET';
    manifest.sandbox.env = { NOT_DECLARED: '{url}', SAMPLE_API_URL: '{port}' };
    expect(issuesOf(manifest)).toEqual([
      '/auth/clientSecretConfig MANIFEST_CONFIG_REFERENCE',
      '/api/baseUrl MANIFEST_CONFIG_REFERENCE',
      '/api/baseUrl MANIFEST_SETTING_REFERENCE',
      '/sandbox/env/NOT_DECLARED MANIFEST_CONFIG_REFERENCE',
      '/sandbox/env/SAMPLE_API_URL MANIFEST_FIELD_INVALID',
    ]);
  });

  it('checks that a conditional default names another declared variable', () => {
    const manifest = sampleManifest();
    manifest.config![4]!.defaultWhen = [
      { env: 'SAMPLE_SANDBOX', equals: 'true', value: 'https://api.sandbox.example' },
      { env: 'SAMPLE_API_URL', equals: 'x', value: 'y' },
    ];
    expect(issuesOf(manifest)).toEqual([
      '/config/4/defaultWhen/0/env MANIFEST_CONFIG_REFERENCE',
      '/config/4/defaultWhen/1/env MANIFEST_CONFIG_REFERENCE',
    ]);
  });

  it('checks basic auth settings exist and the password is writeOnly', () => {
    const manifest = sampleManifest();
    manifest.auth = { type: 'basic', usernameSetting: 'username', passwordSetting: 'apiKey' };
    (manifest.settings.properties.apiKey as Record<string, unknown>).writeOnly = false;
    const result = validateManifest(manifest);
    expect(result.issues.map((i) => `${i.pointer} ${i.code}`)).toEqual([
      '/auth/usernameSetting MANIFEST_SETTING_REFERENCE',
      '/settings/properties/apiKey/writeOnly MANIFEST_SETTING_REFERENCE',
    ]);
  });

  it('refuses secret settings where their value would be shown, and allows them in api.headers', () => {
    const manifest = sampleManifest();
    const advice =
      'a secret may only go to the marketplace in an api.headers template (or be read in a hook with ctx.secrets): remove it here';
    if (manifest.auth.type === 'oauth2')
      manifest.auth.authorizeUrl = '{SAMPLE_AUTH_URL}/authorize?k={settings.apiKey}';
    manifest.api = { baseUrl: '{SAMPLE_API_URL}', headers: { 'X-Api-Key': '{settings.apiKey}' } };
    manifest.config![4]!.default = 'https://api.example/{settings.apiKey}';
    manifest.config![3]!.defaultWhen = [
      { env: 'SAMPLE_API_URL', equals: 'x', value: 'https://auth.example/{settings.apiKey}' },
    ];
    manifest.sandbox.env = { SAMPLE_API_URL: '{url}/{settings.apiKey}' };
    const result = validateManifest(manifest);
    expect(result.issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`)).toEqual([
      `/auth/authorizeUrl MANIFEST_SECRET_LEAK: uses secret setting 'apiKey' (writeOnly) in the sign-in URL, which is sent to the person's browser; ${advice}`,
      `/config/3/defaultWhen/0/value MANIFEST_SECRET_LEAK: uses secret setting 'apiKey' (writeOnly) in a config value, which is rendered into URLs and is not kept as a secret; ${advice}`,
      `/config/4/default MANIFEST_SECRET_LEAK: uses secret setting 'apiKey' (writeOnly) in a config value, which is rendered into URLs and is not kept as a secret; ${advice}`,
      `/sandbox/env/SAMPLE_API_URL MANIFEST_SECRET_LEAK: uses secret setting 'apiKey' (writeOnly) in a config value, which is rendered into URLs and is not kept as a secret; ${advice}`,
    ]);
  });

  it('asks a setting shown as a password to be writeOnly', () => {
    const manifest = sampleManifest();
    const properties = manifest.settings.properties;
    properties.token = { type: 'string', format: 'password' };
    properties.pin = { type: 'string', 'x-ui': { widget: 'password' } };
    expect(validateManifest(manifest).issues).toEqual([
      {
        code: 'MANIFEST_SECRET_LEAK',
        pointer: '/settings/properties/token',
        message:
          '\'token\' is shown as a password (format "password") but is not marked "writeOnly": true, so it would be stored in plain text and returned by the API; add "writeOnly": true',
      },
      {
        code: 'MANIFEST_SECRET_LEAK',
        pointer: '/settings/properties/pin',
        message:
          '\'pin\' is shown as a password (x-ui widget "password") but is not marked "writeOnly": true, so it would be stored in plain text and returned by the API; add "writeOnly": true',
      },
    ]);
  });

  it('refuses an accountHook the auth kind ignores', () => {
    const manifest = sampleManifest();
    manifest.auth = { type: 'none', accountHook: 'fetchAccount' };
    expect(validateManifest(manifest).issues).toEqual([
      {
        code: 'MANIFEST_HOOK_UNUSED',
        pointer: '/auth/accountHook',
        message:
          "names hook 'fetchAccount', but the host never calls accountHook for auth type 'none': a plugin without auth has no account to identify; remove accountHook",
      },
    ]);
  });

  it('takes an API key kind: its setting must exist and be writeOnly; the account names non-secret settings only', () => {
    const manifest = sampleManifest();
    const properties = manifest.settings.properties;
    properties.storeUrl = { type: 'string', title: 'Store address' };
    manifest.auth = { type: 'apiKey', setting: 'apiKey', name: 'X-Api-Key', account: '{settings.storeUrl}' };
    const ok = validateManifest(manifest);
    expect(ok.issues).toEqual([]);
    expect(ok.manifest?.auth).toMatchObject({ type: 'apiKey', in: 'header', prefix: '' });

    properties.apiKey = { type: 'string', title: 'API key' };
    manifest.auth = {
      type: 'apiKey',
      setting: 'apiKey',
      in: 'query',
      name: 'api_key',
      account: '{SAMPLE_API_URL}/{settings.apiKey}/{settings.store}',
      accountHook: 'fetchAccount',
    };
    expect(validateManifest(manifest).issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`)).toEqual([
      `/settings/properties/apiKey/writeOnly MANIFEST_SETTING_REFERENCE: 'apiKey' holds the API key: mark it "writeOnly": true so it is kept in the vault and never returned`,
      `/auth/account MANIFEST_SETTING_REFERENCE: uses {settings.store}, but settings has no property 'store'; use one of: 'autoGenerateInvoices', 'syncFrequencyMinutes', 'defaultVatRate', 'apiKey', 'storeUrl'`,
      `/auth/account MANIFEST_FIELD_INVALID: uses {SAMPLE_API_URL}; the account is named from the connection's settings only: use {settings.name}`,
      "/auth/accountHook MANIFEST_HOOK_UNUSED: names hook 'fetchAccount', but the host never calls accountHook for auth type 'apiKey': it identifies an API-key account by auth.account (a template over its settings); declare that instead; remove accountHook",
    ]);
    properties.apiKey = { type: 'string', title: 'API key', writeOnly: true };
    manifest.auth = {
      type: 'basic',
      usernameSetting: 'storeUrl',
      passwordSetting: 'apiKey',
      account: '{settings.apiKey}',
    };
    expect(validateManifest(manifest).issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`)).toEqual([
      "/auth/account MANIFEST_SECRET_LEAK: uses secret setting 'apiKey' (writeOnly) in the account's name, which is stored in plain columns and shown in lists; a secret may only go to the marketplace in an api.headers template (or be read in a hook with ctx.secrets): remove it here",
    ]);
  });

  it('takes OAuth client credentials: a string client id, a writeOnly client secret, a token URL without secrets', () => {
    const manifest = sampleManifest();
    const properties = manifest.settings.properties;
    properties.shopUrl = { type: 'string', title: 'Shop address' };
    properties.clientId = { type: 'string', title: 'Client id' };
    properties.clientSecret = { type: 'string', title: 'Client secret', writeOnly: true };
    manifest.auth = {
      type: 'oauth2ClientCredentials',
      tokenUrl: '{settings.shopUrl}/oauth/token',
      clientIdSetting: 'clientId',
      clientSecretSetting: 'clientSecret',
    };
    const ok = validateManifest(manifest);
    expect(ok.issues).toEqual([]);
    expect(ok.manifest?.auth).toEqual({
      type: 'oauth2ClientCredentials',
      tokenUrl: '{settings.shopUrl}/oauth/token',
      clientIdSetting: 'clientId',
      clientSecretSetting: 'clientSecret',
      scopes: [],
      clientAuth: 'basic',
      refreshLeadSeconds: 60,
    });

    properties.clientSecret = { type: 'string', title: 'Client secret' };
    manifest.auth = {
      type: 'oauth2ClientCredentials',
      tokenUrl: '{SHOP_TOKEN_URL}?k={settings.apiKey}',
      clientIdSetting: 'defaultVatRate',
      clientSecretSetting: 'clientSecret',
      accountHook: 'fetchAccount',
    };
    expect(validateManifest(manifest).issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`)).toEqual([
      "/auth/clientIdSetting MANIFEST_SETTING_REFERENCE: names 'defaultVatRate', which is not a string setting (its type is number); use one of: 'apiKey', 'shopUrl', 'clientId', 'clientSecret'",
      `/settings/properties/clientSecret/writeOnly MANIFEST_SETTING_REFERENCE: 'clientSecret' holds the client secret: mark it "writeOnly": true so it is kept in the vault and never returned`,
      "/auth/tokenUrl MANIFEST_CONFIG_REFERENCE: uses {SHOP_TOKEN_URL}, which is not declared in config; declare it there or use one of: 'SAMPLE_CLIENT_ID', 'SAMPLE_CLIENT_SECRET', 'SAMPLE_REDIRECT_URI', 'SAMPLE_AUTH_URL', 'SAMPLE_API_URL'",
      "/auth/tokenUrl MANIFEST_SECRET_LEAK: uses secret setting 'apiKey' (writeOnly) in a URL, which is written to logs and error messages; a secret may only go to the marketplace in an api.headers template (or be read in a hook with ctx.secrets): remove it here",
      "/auth/accountHook MANIFEST_HOOK_UNUSED: names hook 'fetchAccount', but the host never calls accountHook for auth type 'oauth2ClientCredentials': it identifies a client-credentials account by auth.account, else by the client id at the token URL's origin; remove accountHook",
    ]);
    manifest.auth = {
      type: 'oauth2ClientCredentials',
      tokenUrl: '{SAMPLE_AUTH_URL}/token',
      clientIdSetting: 'clientId',
      clientSecretSetting: 'secret',
    };
    expect(validateManifest(manifest).issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`)).toEqual([
      "/auth/clientSecretSetting MANIFEST_SETTING_REFERENCE: names 'secret', but settings has no such property; use one of: 'apiKey', 'shopUrl', 'clientId', 'clientSecret'",
    ]);
  });

  it("checks sandbox.settings: settings that exist, filled from the sandbox's ready line only", () => {
    const manifest = sampleManifest();
    manifest.sandbox.settings = { apiKey: '{credentials.key}' };
    expect(validateManifest(manifest).issues).toEqual([]);
    manifest.sandbox.settings = {
      apiKeys: '{credentials.key}',
      apiKey: '{settings.apiKey}',
      defaultVatRate: '23',
    };
    expect(validateManifest(manifest).issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`)).toEqual([
      "/sandbox/settings/apiKeys MANIFEST_SETTING_REFERENCE: names setting 'apiKeys', but settings has no such property; use one of: 'autoGenerateInvoices', 'syncFrequencyMinutes', 'defaultVatRate', 'apiKey'",
      "/sandbox/settings/apiKey MANIFEST_FIELD_INVALID: has placeholder {settings.apiKey}; a demo setting is filled from the sandbox's ready line: {url}, {controlUrl} or {credentials.<name>}",
      "/sandbox/settings/defaultVatRate MANIFEST_SETTING_REFERENCE: names setting 'defaultVatRate', which is not a string setting (its type is number); a template gives text: give other settings a default instead",
    ]);
  });

  it('checks that switches name boolean settings', () => {
    const manifest: Record<string, unknown> & ReturnType<typeof sampleManifest> = sampleManifest();
    manifest.switches = {
      invoices: 'autoGenerateInvoices',
      markPaid: 'defaultVatRate',
      products: 'makeProducts',
    };
    expect(validateManifest(manifest).issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`)).toEqual([
      "/switches/markPaid MANIFEST_SETTING_REFERENCE: names 'defaultVatRate', which is not a boolean setting (its type is number); use one of: 'autoGenerateInvoices'",
      "/switches/products MANIFEST_SETTING_REFERENCE: names 'makeProducts', but settings has no such property; use one of: 'autoGenerateInvoices'",
    ]);
  });

  it('checks flows switch on boolean settings and jobs name declared flows', () => {
    const manifest = sampleManifest();
    manifest.flows![0]!.setting = 'defaultVatRate';
    manifest.jobs![0]!.flow = 'returns';
    const result = validateManifest(manifest);
    expect(result.issues.map((i) => `${i.pointer} ${i.code}`)).toEqual([
      '/flows/0/setting MANIFEST_SETTING_REFERENCE',
      '/jobs/0/flow MANIFEST_REFERENCE_UNKNOWN',
    ]);
    expect(result.issues[0]?.message).toContain("use one of: 'autoGenerateInvoices'");
  });

  it('checks mappings against the host record fields', () => {
    const manifest = sampleManifest();
    const mappings = manifest.mappings!;
    delete (mappings.invoice!.fields as Record<string, unknown>).currency;
    (mappings.invoice!.fields as Record<string, unknown>).totl = 'x';
    (mappings.invoice!.fields as Record<string, unknown>).lines = { each: 'lineItems', mapping: 'customer' };
    (mappings.customer!.fields as Record<string, unknown>).name = '   ';
    expect(issuesOf(manifest)).toEqual([
      '/mappings/customer/fields/name MANIFEST_FIELD_INVALID',
      '/mappings/invoice/fields MANIFEST_MAPPING_INVALID',
      '/mappings/invoice/fields/lines/mapping MANIFEST_REFERENCE_UNKNOWN',
      '/mappings/invoice/fields/totl MANIFEST_MAPPING_INVALID',
    ]);
  });

  it('checks the settings JSON Schema itself', () => {
    const manifest = sampleManifest();
    const properties = manifest.settings.properties;
    properties.syncFrequencyMinutes!.minimun = 5;
    properties.defaultVatRate!.type = 'numbr';
    const result = validateManifest(manifest);
    expect(result.issues.map((i) => `${i.pointer} ${i.code}`)).toEqual([
      '/settings/properties/defaultVatRate/type MANIFEST_SETTINGS_SCHEMA_INVALID',
      '/settings/properties/syncFrequencyMinutes/minimun MANIFEST_SETTINGS_SCHEMA_INVALID',
    ]);
  });

  it('refuses x-ui hints it does not know', () => {
    const manifest = sampleManifest();
    (manifest.settings.properties.defaultVatRate as Record<string, unknown>)['x-ui'] = { widgt: 'slider' };
    expect(issuesOf(manifest)).toEqual(['/settings MANIFEST_SETTINGS_SCHEMA_INVALID']);
  });

  it('refuses duplicate ids and a second default rate group', () => {
    const manifest = sampleManifest();
    manifest.jobs!.push({ ...manifest.jobs![0]! });
    manifest.rateLimits!.push({ group: 'other', limit: 1, per: 1 });
    expect(issuesOf(manifest)).toEqual([
      '/rateLimits/1/match MANIFEST_DUPLICATE',
      '/jobs/1/id MANIFEST_DUPLICATE',
    ]);
  });

  it('asks a rate group for limit and per, or unlimited alone', () => {
    const manifest = sampleManifest();
    manifest.rateLimits!.push(
      { group: 'storage', match: { paths: ['/storage/'] } },
      { group: 'links', match: { paths: ['/links/'] }, unlimited: true, limit: 5, per: 1 },
      { group: 'parts', match: { paths: ['/parts/'] }, unlimited: true },
    );
    const result = validateManifest(manifest);
    expect(result.issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`)).toEqual([
      '/rateLimits/1 MANIFEST_FIELD_INVALID: needs limit and per (at most limit requests in per seconds), or unlimited: true for requests the API does not limit',
      '/rateLimits/2 MANIFEST_FIELD_INVALID: is unlimited but also sets limit, per or windows; drop them, or drop unlimited',
    ]);
  });

  it("reads a rate group's budget from headers only when they are named (fromHeaders)", () => {
    const manifest = sampleManifest();
    manifest.rateLimits!.push(
      {
        group: 'shopify',
        match: { paths: ['/a/'] },
        limit: 2,
        per: 1,
        fromHeaders: { bucket: 'X-Shopify-Shop-Api-Call-Limit', keep: 5 },
      },
      { group: 'none', match: { paths: ['/b/'] }, limit: 2, per: 1, fromHeaders: { keep: 5 } },
      {
        group: 'mixed',
        match: { paths: ['/c/'] },
        limit: 2,
        per: 1,
        fromHeaders: { bucket: 'X-Bucket', reset: 'X-Reset' },
      },
    );
    const result = validateManifest(manifest);
    expect(result.issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`)).toEqual([
      "/rateLimits/2/fromHeaders MANIFEST_FIELD_INVALID: names no header to read: give 'remaining' (requests left) or 'bucket' (a leaky bucket's used/size)",
      "/rateLimits/3/fromHeaders/reset MANIFEST_FIELD_INVALID: is read with 'remaining'; name that header too",
    ]);
  });

  it('checks the connection test the host sends (auth.test)', () => {
    const withTest = (auth: Record<string, unknown>) => {
      const manifest = sampleManifest();
      manifest.settings.properties.username = { type: 'string', title: 'Username' };
      manifest.auth = auth as typeof manifest.auth;
      return validateManifest(manifest).issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`);
    };
    const basic = { type: 'basic', usernameSetting: 'username', passwordSetting: 'apiKey' };
    expect(withTest({ ...basic, test: { path: '/orders', query: { per_page: '1' } } })).toEqual([]);
    expect(withTest({ ...basic, test: { path: '/orders', query: { key: '{settings.apiKey}' } } })).toEqual([
      "/auth/test/query/key MANIFEST_SECRET_LEAK: uses secret setting 'apiKey' (writeOnly) in a connection test's path or query, which are written to logs and error messages; a secret may only go to the marketplace in an api.headers template (or be read in a hook with ctx.secrets): remove it here",
    ]);
    expect(withTest({ ...basic, testHook: 'testConnection', test: { path: '/orders' } })).toEqual([
      '/auth/test MANIFEST_FIELD_INVALID: and auth.testHook are two connection tests; keep the request (test) or the hook (testHook), not both',
    ]);
    const manifest = sampleManifest();
    (manifest.auth as Record<string, unknown>).test = { path: '/me' };
    expect(validateManifest(manifest).issues.map((i) => `${i.pointer} ${i.code}: ${i.message}`)).toEqual([
      '/auth/test MANIFEST_FIELD_INVALID: is not sent for oauth2: an account is connected by signing in at the marketplace, which proves it; remove test',
    ]);
  });

  it('turns a JSON syntax error into one issue at the root', () => {
    const result = parseJsonText('{"id": ');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issue).toMatchObject({ code: 'MANIFEST_INVALID_JSON', pointer: '' });
  });
});
