import { ManifestErrorCode } from '../errors.ts';
import { HOST_TEMPLATE_VARS, placeholders } from '../templates.ts';
import {
  type CheckContext,
  type ManifestCheck,
  present,
  quoteList,
  settingProperties,
  settingType,
} from './context.ts';

const SANDBOX_VARS = ['url', 'controlUrl'];

function declared(context: CheckContext): Set<string> | undefined {
  return context.sections.config
    ? new Set(present(context.sections.config).map((entry) => entry.env))
    : undefined;
}

/** Placeholders of a runtime template must be declared settings or config variables. */
export function checkRuntimeTemplate(
  context: CheckContext,
  options: { pointer: string; template: string },
): void {
  const config = declared(context);
  const settings = settingProperties(context.sections);
  for (const name of placeholders(options.template)) {
    if (name.startsWith('settings.')) {
      const setting = name.slice('settings.'.length);
      if (context.sections.settings && !settings.has(setting)) {
        context.report(
          ManifestErrorCode.SETTING_REFERENCE,
          options.pointer,
          `uses {${name}}, but settings has no property '${setting}'; use one of: ${quoteList(settings.keys())}`,
        );
      }
    } else if (/^[A-Z][A-Z0-9_]*$/.test(name)) {
      if (config && !config.has(name) && !(HOST_TEMPLATE_VARS as readonly string[]).includes(name)) {
        context.report(
          ManifestErrorCode.CONFIG_REFERENCE,
          options.pointer,
          `uses {${name}}, which is not declared in config; declare it there or use one of: ${quoteList(config)}`,
        );
      }
    } else {
      context.report(
        ManifestErrorCode.FIELD_INVALID,
        options.pointer,
        `has placeholder {${name}}; placeholders are {CONFIG_VAR} (declared in config) or {settings.name}`,
      );
    }
  }
}

function checkConfigName(context: CheckContext, options: { pointer: string; name: string }): void {
  const config = declared(context);
  if (config && !config.has(options.name)) {
    context.report(
      ManifestErrorCode.CONFIG_REFERENCE,
      options.pointer,
      `names '${options.name}', which is not declared in config; declare it there or use one of: ${quoteList(config)}`,
    );
  }
}

/** Every config variable and setting a template or field names must be declared. */
export const checkTemplates: ManifestCheck = (context) => {
  const { auth, api, rateLimits, sandbox } = context.sections;
  if (auth?.type === 'oauth2') {
    checkRuntimeTemplate(context, { pointer: '/auth/authorizeUrl', template: auth.authorizeUrl });
    checkRuntimeTemplate(context, { pointer: '/auth/tokenUrl', template: auth.tokenUrl });
    checkConfigName(context, { pointer: '/auth/clientIdConfig', name: auth.clientIdConfig });
    checkConfigName(context, { pointer: '/auth/clientSecretConfig', name: auth.clientSecretConfig });
    checkConfigName(context, { pointer: '/auth/redirectUriConfig', name: auth.redirectUriConfig });
  }
  if (auth?.type === 'oauth2ClientCredentials')
    checkRuntimeTemplate(context, { pointer: '/auth/tokenUrl', template: auth.tokenUrl });
  if (auth?.account !== undefined) {
    // Settings only: the account is named when it is connected, before config is per integration.
    checkRuntimeTemplate(context, { pointer: '/auth/account', template: auth.account });
    for (const name of placeholders(auth.account))
      if (!name.startsWith('settings.'))
        context.report(
          ManifestErrorCode.FIELD_INVALID,
          '/auth/account',
          `uses {${name}}; the account is named from the connection's settings only: use {settings.name}`,
        );
  }
  if (api) {
    checkRuntimeTemplate(context, { pointer: '/api/baseUrl', template: api.baseUrl });
    for (const [name, value] of Object.entries(api.headers ?? {})) {
      checkRuntimeTemplate(context, { pointer: `/api/headers/${name}`, template: value });
    }
  }
  rateLimits?.forEach((limit, index) => {
    if (limit.configOverride) {
      checkConfigName(context, {
        pointer: `/rateLimits/${index}/configOverride`,
        name: limit.configOverride,
      });
    }
  });
  if (context.sections.config) {
    present(context.sections.config).forEach((variable, index) => {
      variable.defaultWhen?.forEach((rule, n) => {
        checkConfigName(context, { pointer: `/config/${index}/defaultWhen/${n}/env`, name: rule.env });
        if (rule.env === variable.env) {
          context.report(
            ManifestErrorCode.CONFIG_REFERENCE,
            `/config/${index}/defaultWhen/${n}/env`,
            `makes ${variable.env}'s default depend on itself; name another variable`,
          );
        }
      });
    });
  }
  const settings = settingProperties(context.sections);
  for (const [name, value] of Object.entries(sandbox?.settings ?? {})) {
    const pointer = `/sandbox/settings/${name}`;
    if (context.sections.settings && !settings.has(name))
      context.report(
        ManifestErrorCode.SETTING_REFERENCE,
        pointer,
        `names setting '${name}', but settings has no such property; use one of: ${quoteList(settings.keys())}`,
      );
    else if (settings.has(name) && settingType(settings.get(name)) !== 'string')
      context.report(
        ManifestErrorCode.SETTING_REFERENCE,
        pointer,
        `names setting '${name}', which is not a string setting (its type is ${settingType(settings.get(name)) ?? 'unset'}); a template gives text: give other settings a default instead`,
      );
    for (const placeholder of placeholders(value))
      if (!SANDBOX_VARS.includes(placeholder) && !/^credentials\.[A-Za-z0-9_]+$/.test(placeholder))
        context.report(
          ManifestErrorCode.FIELD_INVALID,
          pointer,
          `has placeholder {${placeholder}}; a demo setting is filled from the sandbox's ready line: {url}, {controlUrl} or {credentials.<name>}`,
        );
  }
  for (const [env, value] of Object.entries(sandbox?.env ?? {})) {
    checkConfigName(context, { pointer: `/sandbox/env/${env}`, name: env });
    for (const name of placeholders(value)) {
      if (SANDBOX_VARS.includes(name) || /^credentials\.[A-Za-z0-9_]+$/.test(name)) continue;
      // `{settings.name}` stays in the config value and is filled per integration (templates.ts).
      if (name.startsWith('settings.')) {
        checkRuntimeTemplate(context, { pointer: `/sandbox/env/${env}`, template: `{${name}}` });
        continue;
      }
      context.report(
        ManifestErrorCode.FIELD_INVALID,
        `/sandbox/env/${env}`,
        `has placeholder {${name}}; sandbox templates use {url}, {controlUrl} or {credentials.<name>} from the ready line, or {settings.<name>}`,
      );
    }
  }
};
