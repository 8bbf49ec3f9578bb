/**
 * Host-provided choices for a setting: `"x-host-choices": "<list>"` on a settings property says
 * its value is the id of one of the tenant's records the host lists (e.g. its invoice templates).
 * The host turns the keyword into the list's ids (`enum`, with labels for the form) when it serves
 * the schema for a tenant, and refuses an id outside the list on save. Plugins name a list; they
 * never see the records.
 */
export const HOST_CHOICE_LISTS = ['invoiceTemplates'] as const;
export type HostChoiceList = (typeof HOST_CHOICE_LISTS)[number];

export const X_HOST_CHOICES_META_SCHEMA = { enum: [...HOST_CHOICE_LISTS] } as const;

export interface HostChoice {
  value: string;
  label: string;
}

/** The top-level settings that take host choices: setting name → list. */
export function hostChoiceSettings(schema: unknown): Map<string, HostChoiceList> {
  const found = new Map<string, HostChoiceList>();
  const properties = (schema as { properties?: Record<string, unknown> } | null)?.properties;
  if (!properties || typeof properties !== 'object') return found;
  for (const [name, property] of Object.entries(properties)) {
    const list = (property as Record<string, unknown> | null)?.['x-host-choices'];
    if (typeof list === 'string' && (HOST_CHOICE_LISTS as readonly string[]).includes(list)) {
      found.set(name, list as HostChoiceList);
    }
  }
  return found;
}

/**
 * The schema as served to a tenant: each host-choice setting gets `enum` of the list's ids (plus
 * `null` when the setting may be empty) and their labels as `x-ui.enumLabels`, so the generated
 * form shows a select. The input is not changed.
 */
export function withHostChoices<T extends object>(
  schema: T,
  choices: Partial<Record<HostChoiceList, readonly HostChoice[]>>,
): T {
  const settings = hostChoiceSettings(schema);
  if (settings.size === 0) return schema;
  const copy = structuredClone(schema) as T & { properties: Record<string, Record<string, unknown>> };
  for (const [name, list] of settings) {
    const property = copy.properties[name]!;
    const options = choices[list] ?? [];
    const type = property.type;
    const nullable = type === 'null' || (Array.isArray(type) && type.includes('null'));
    property.enum = [...(nullable ? [null] : []), ...options.map((o) => o.value)];
    const ui = (property['x-ui'] as Record<string, unknown> | undefined) ?? {};
    property['x-ui'] = {
      ...ui,
      widget: 'select',
      enumLabels: {
        ...(nullable ? { null: 'None (the default)' } : {}),
        ...(ui.enumLabels as Record<string, string> | undefined),
        ...Object.fromEntries(options.map((o) => [o.value, o.label])),
      },
    };
  }
  return copy;
}

/** Host-choice settings whose value is not in its list: `{setting, list, value}` for each. */
export function unknownHostChoices(
  schema: unknown,
  settings: Record<string, unknown>,
  choices: Partial<Record<HostChoiceList, readonly HostChoice[]>>,
): { setting: string; list: HostChoiceList; value: unknown; allowed: readonly HostChoice[] }[] {
  const wrong = [];
  for (const [setting, list] of hostChoiceSettings(schema)) {
    const value = settings[setting];
    if (value === undefined || value === null || value === '') continue;
    const allowed = choices[list] ?? [];
    if (!allowed.some((c) => c.value === value)) wrong.push({ setting, list, value, allowed });
  }
  return wrong;
}
