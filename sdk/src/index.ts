export { definePlugin, isPluginDefinition, PLUGIN_DEFINITION } from './define-plugin.ts';
export type { PluginDefinition, PluginDefinitionInput } from './define-plugin.ts';
export type * from './context.ts';
export type * from './hooks.ts';
export type * from './documents.ts';
export {
  PluginError,
  PluginErrorCode,
  RetryableError,
  AuthError,
  ConfigError,
  RateLimitedError,
  RefusedError,
  isPluginError,
} from './errors.ts';
