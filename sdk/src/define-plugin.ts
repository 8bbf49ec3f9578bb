import { PluginError, PluginErrorCode } from './errors.ts';
import type { Hook } from './hooks.ts';

/** Marks values made by definePlugin; Symbol.for so it survives duplicate copies of the SDK. */
export const PLUGIN_DEFINITION = Symbol.for('@mch/plugin-sdk/definition');

export interface PluginDefinitionInput<Settings = Record<string, unknown>> {
  /** Named hooks the manifest binds to jobs, webhooks and auth steps. */
  hooks: Record<string, Hook<never, unknown, Settings>>;
  /**
   * Upgrades stored settings written under an older `settingsVersion` of the manifest; the
   * result is validated against the current settings schema.
   */
  migrateSettings?: (input: {
    fromVersion: number;
    settings: Record<string, unknown>;
  }) => Record<string, unknown>;
}

export type PluginDefinition<Settings = Record<string, unknown>> = Readonly<
  PluginDefinitionInput<Settings> & {
    readonly hooks: Readonly<Record<string, Hook<never, unknown, Settings>>>;
  }
> & { readonly [PLUGIN_DEFINITION]: true };

/**
 * Declares a plugin's code: its `src/index.ts` default-exports the result. Identity, schedule and
 * mappings live in plugin.manifest.json (STYLE 1); this holds only the code the manifest names.
 */
export function definePlugin<Settings = Record<string, unknown>>(
  input: PluginDefinitionInput<Settings>,
): PluginDefinition<Settings> {
  if (
    typeof input !== 'object' ||
    input === null ||
    typeof input.hooks !== 'object' ||
    input.hooks === null
  ) {
    throw new PluginError({
      code: PluginErrorCode.INVALID_DEFINITION,
      message: 'definePlugin needs { hooks: { name: (ctx, input) => … } }',
    });
  }
  for (const [name, hook] of Object.entries(input.hooks)) {
    if (typeof hook !== 'function') {
      throw new PluginError({
        code: PluginErrorCode.INVALID_DEFINITION,
        message: `definePlugin: hook '${name}' must be a function, got ${typeof hook}`,
      });
    }
  }
  return Object.freeze({
    ...input,
    hooks: Object.freeze({ ...input.hooks }),
    [PLUGIN_DEFINITION]: true as const,
  });
}

export function isPluginDefinition(value: unknown): value is PluginDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[PLUGIN_DEFINITION] === true &&
    typeof (value as { hooks?: unknown }).hooks === 'object'
  );
}
