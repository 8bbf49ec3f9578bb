import type { Manifest } from '@mch/schemas';

/**
 * The config variables a plugin declared (manifest `config`), read from the environment with
 * their defaults (a `defaultWhen` rule matching another variable's value first), plus host variables templates may use (`PUBLIC_URL`). Demo mode passes
 * overrides that point the plugin at its sandbox. Undeclared variables never reach a plugin.
 */
export function resolvePluginConfig(options: {
  manifest: Manifest;
  env: Readonly<Record<string, string | undefined>>;
  overrides?: Readonly<Record<string, string>> | undefined;
  publicUrl: string;
}): Record<string, string | undefined> {
  const config: Record<string, string | undefined> = { PUBLIC_URL: options.publicUrl };
  const set = (env: string) => {
    const fromEnv = options.env[env];
    return options.overrides?.[env] ?? (fromEnv === '' ? undefined : fromEnv);
  };
  const byName = new Map(options.manifest.config.map((v) => [v.env, v]));
  // What a variable named by `defaultWhen` holds: its own value or its plain default.
  const plain = (env: string) => set(env) ?? byName.get(env)?.default;
  for (const variable of options.manifest.config) {
    const chosen = variable.defaultWhen?.find(
      (rule) => plain(rule.env)?.trim().toLowerCase() === rule.equals.trim().toLowerCase(),
    );
    config[variable.env] = set(variable.env) ?? chosen?.value ?? variable.default;
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
