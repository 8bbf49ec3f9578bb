import { ManifestErrorCode } from '../errors.ts';
import { escapePointerSegment } from '../pointer.ts';
import { placeholders } from '../templates.ts';
import { type CheckContext, type ManifestCheck, present } from './context.ts';

/**
 * Where a secret setting may go. The host keeps secrets (writeOnly / x-secret settings, SPEC
 * "Vault") out of logs, API answers and the console; a manifest must not route one there.
 *
 * - Allowed: `api.headers` templates. Header values are sent to the marketplace only (the HTTP
 *   client logs method, path and status, never headers), which is how API-key auth works.
 * - Refused: the account's name (`auth.account`: stored in plain columns, shown in lists); URLs
 *   (`api.baseUrl`, `auth.authorizeUrl`, `auth.tokenUrl`: URLs are logged, appear in
 *   error messages, and the sign-in URL is sent to the browser), config values (`config[].default`,
 *   `defaultWhen[].value`, `sandbox.env`: they are rendered into URLs and are not stored as
 *   secrets), and mapping expressions (their output is a host record the API and console show;
 *   checked by the host, which compiles the expressions).
 */
const URL_SINKS = {
  api: 'a URL, which is written to logs and error messages',
  authorize: "the sign-in URL, which is sent to the person's browser",
  token: 'a URL, which is written to logs and error messages',
  config: 'a config value, which is rendered into URLs and is not kept as a secret',
  account: "the account's name, which is stored in plain columns and shown in lists",
} as const;

/**
 * Settings that hold secrets, with the words that say how they are marked. A setting shown as a
 * password counts too, even when it is not (yet) writeOnly: `checkSecretMarks` asks for the mark.
 */
export function secretLikeSettings(
  schema: { properties?: Record<string, unknown> } | undefined,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(schema?.properties ?? {})) {
    if (typeof value !== 'object' || value === null) continue;
    const node = value as Record<string, unknown>;
    const ui = node['x-ui'];
    const widget = typeof ui === 'object' && ui !== null ? (ui as Record<string, unknown>).widget : undefined;
    if (node.writeOnly === true) out.set(name, 'writeOnly');
    else if (node['x-secret'] === true) out.set(name, 'x-secret');
    else if (node.format === 'password') out.set(name, 'format "password"');
    else if (widget === 'password') out.set(name, 'x-ui widget "password"');
  }
  return out;
}

/** The sentence for a secret found where it would be shown; shared with the host's mapping check. */
export function secretLeakMessage(options: { setting: string; mark: string; where: string }): string {
  return `uses secret setting '${options.setting}' (${options.mark}) in ${options.where}; a secret may only go to the marketplace in an api.headers template (or be read in a hook with ctx.secrets): remove it here`;
}

function checkTemplate(
  context: CheckContext,
  options: { pointer: string; template: string; where: string },
): void {
  const secrets = secretLikeSettings(context.sections.settings);
  for (const name of placeholders(options.template)) {
    if (!name.startsWith('settings.')) continue;
    const setting = name.slice('settings.'.length);
    const mark = secrets.get(setting);
    if (mark === undefined) continue;
    context.report(
      ManifestErrorCode.SECRET_LEAK,
      options.pointer,
      secretLeakMessage({ setting, mark, where: options.where }),
    );
  }
}

/** Secret settings in templates whose values are shown (see the table above). */
export const checkSecretTemplates: ManifestCheck = (context) => {
  const { auth, api, config, sandbox } = context.sections;
  if (api) checkTemplate(context, { pointer: '/api/baseUrl', template: api.baseUrl, where: URL_SINKS.api });
  if (auth?.type === 'oauth2') {
    checkTemplate(context, {
      pointer: '/auth/authorizeUrl',
      template: auth.authorizeUrl,
      where: URL_SINKS.authorize,
    });
    checkTemplate(context, { pointer: '/auth/tokenUrl', template: auth.tokenUrl, where: URL_SINKS.token });
  }
  if (auth?.type === 'oauth2ClientCredentials')
    checkTemplate(context, { pointer: '/auth/tokenUrl', template: auth.tokenUrl, where: URL_SINKS.token });
  if (auth?.account !== undefined)
    checkTemplate(context, { pointer: '/auth/account', template: auth.account, where: URL_SINKS.account });
  if (config) {
    present(config).forEach((variable, index) => {
      if (variable.default !== undefined)
        checkTemplate(context, {
          pointer: `/config/${index}/default`,
          template: variable.default,
          where: URL_SINKS.config,
        });
      variable.defaultWhen?.forEach((rule, n) =>
        checkTemplate(context, {
          pointer: `/config/${index}/defaultWhen/${n}/value`,
          template: rule.value,
          where: URL_SINKS.config,
        }),
      );
    });
  }
  for (const [env, value] of Object.entries(sandbox?.env ?? {}))
    checkTemplate(context, { pointer: `/sandbox/env/${env}`, template: value, where: URL_SINKS.config });
};

/**
 * A setting shown as a password must be writeOnly: without the mark it is stored in plain columns
 * and returned by the API (settings-secrets.ts decides by writeOnly / x-secret only).
 */
export const checkSecretMarks: ManifestCheck = ({ sections, report }) => {
  for (const [name, mark] of secretLikeSettings(sections.settings)) {
    if (mark === 'writeOnly' || mark === 'x-secret') continue;
    report(
      ManifestErrorCode.SECRET_LEAK,
      `/settings/properties/${escapePointerSegment(name)}`,
      `'${name}' is shown as a password (${mark}) but is not marked "writeOnly": true, so it would be stored in plain text and returned by the API; add "writeOnly": true`,
    );
  }
};
