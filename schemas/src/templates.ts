/**
 * `{PLACEHOLDER}` templates in manifests. Two vocabularies:
 * - runtime templates (auth URLs, `api`): `{CONFIG_VAR}` from `config`, `{settings.name}` from the
 *   integration's settings, and host variables such as `{PUBLIC_URL}`;
 * - sandbox templates (`sandbox.env`): `{url}`, `{controlUrl}`, `{credentials.name}` from the
 *   sandbox's ready line.
 */
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Variables the host itself provides to every template (SPEC "Environment"). */
export const HOST_TEMPLATE_VARS = ['PUBLIC_URL'] as const;

export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

export interface TemplateValues {
  config?: Readonly<Record<string, string | undefined>>;
  settings?: Readonly<Record<string, unknown>>;
  /** Flat values for sandbox templates: url, controlUrl, credentials.<name>. */
  values?: Readonly<Record<string, string | undefined>>;
  /**
   * Leave `{settings.name}` placeholders as they are (sandbox templates: the value becomes a config
   * variable that is filled per integration, e.g. `{url}/{settings.platform}/api-3`).
   */
  deferSettings?: boolean;
}

/**
 * Fills a template. A placeholder with no value is an error rather than an empty string, because a
 * URL with a hole in it fails far away from the cause.
 */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (match, name: string) => {
    let value: unknown;
    const setting = name.startsWith('settings.');
    if (setting && values.deferSettings) return match;
    if (setting) value = values.settings?.[name.slice('settings.'.length)];
    else if (values.values && name in values.values) value = values.values[name];
    else value = values.config?.[name];
    if (value === undefined || value === null || value === '') {
      throw new Error(`template '${template}' needs {${name}}, which has no value`);
    }
    // A config value may itself name settings (`EMAG_BASE_URL=https://host/{settings.platform}/api-3`:
    // one variable for every platform an integration may pick); those are filled here, one level deep.
    if (!setting && typeof value === 'string' && values.settings && value.includes('{settings.'))
      return renderTemplate(value, { settings: values.settings });
    // Settings are JSON values; objects are not meaningful inside a URL, so they are serialised.
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
