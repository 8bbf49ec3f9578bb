import type { Manifest } from '@mch/schemas';

/**
 * The config variables a plugin declared (manifest `config`), read from the environment with
 * their defaults, plus host variables templates may use (`PUBLIC_URL`). Demo mode passes
 * overrides that point the plugin at its sandbox. Undeclared variables never reach a plugin.
 */
export function resolvePluginConfig(options: {
  manifest: Manifest;
  env: Readonly<Record<string, string | undefined>>;
  overrides?: Readonly<Record<string, string>> | undefined;
  publicUrl: string;
}): Record<string, string | undefined> {
  const config: Record<string, string | undefined> = { PUBLIC_URL: options.publicUrl };
  for (const variable of options.manifest.config) {
    const fromEnv = options.env[variable.env];
    config[variable.env] =
      options.overrides?.[variable.env] ?? (fromEnv === '' ? undefined : fromEnv) ?? variable.default;
  }
  return config;
}

/** Required variables without a value: the plugin cannot run until they are set. */
export function missingConfig(
  manifest: Manifest,
  config: Readonly<Record<string, string | undefined>>,
): string[] {
  return manifest.config.filter((v) => v.required && !config[v.env]).map((v) => v.env);
}
