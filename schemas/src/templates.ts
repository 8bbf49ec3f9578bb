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
}

/**
 * Fills a template. A placeholder with no value is an error rather than an empty string, because a
 * URL with a hole in it fails far away from the cause.
 */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    let value: unknown;
    if (name.startsWith('settings.')) value = values.settings?.[name.slice('settings.'.length)];
    else if (values.values && name in values.values) value = values.values[name];
    else value = values.config?.[name];
    if (value === undefined || value === null || value === '') {
      throw new Error(`template '${template}' needs {${name}}, which has no value`);
    }
    // Settings are JSON values; objects are not meaningful inside a URL, so they are serialised.
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
