import { renderTemplate, type Manifest } from '@mch/schemas';

/**
 * The config values that point a plugin at a running sandbox, from the manifest's
 * `sandbox.env` templates over the ready line (`{url}`, `{controlUrl}`, `{credentials.<name>}`).
 * Demo mode merges these over the environment, so no plugin is special-cased (SPEC "Running it").
 */
export function sandboxConfig(options: {
  manifest: Pick<Manifest, 'sandbox'>;
  sandbox: { url: string; controlUrl?: string; credentials: Record<string, string> };
}): Record<string, string> {
  const values: Record<string, string> = { url: options.sandbox.url };
  if (options.sandbox.controlUrl !== undefined) values.controlUrl = options.sandbox.controlUrl;
  for (const [name, value] of Object.entries(options.sandbox.credentials))
    values[`credentials.${name}`] = value;
  return Object.fromEntries(
    Object.entries(options.manifest.sandbox.env).map(([env, template]) => [
      env,
      renderTemplate(template, { values, deferSettings: true }),
    ]),
  );
}
