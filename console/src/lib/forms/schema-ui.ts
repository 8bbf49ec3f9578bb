import type { Schema, UiSchema, UiSchemaRoot } from '@sjsf/form';

/**
 * The `x-ui` hints a manifest may put on any settings property (the list is fixed by
 * `@mch/schemas` settings-ajv `X_UI_META_SCHEMA`); everything else comes from plain JSON Schema.
 */
export interface XUi {
  widget?:
    | 'text'
    | 'textarea'
    | 'password'
    | 'number'
    | 'slider'
    | 'switch'
    | 'checkbox'
    | 'select'
    | 'radio'
    | 'date'
    | 'hidden';
  order?: number;
  placeholder?: string;
  help?: string;
  group?: string;
  hidden?: boolean;
  readonly?: boolean;
  rows?: number;
  suffix?: string;
  enumLabels?: Record<string, string>;
}

type Node = Schema & { 'x-ui'?: XUi; 'x-secret'?: boolean };

export const STORED_SECRET_HELP = 'Stored — leave empty to keep the saved value.';

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isSecret(node: unknown): boolean {
  return isNode(node) && (node.writeOnly === true || node['x-secret'] === true);
}

/** A unit the title already names at its end: "Sync frequency (minutes)" → "minutes". */
const TITLE_UNIT = /\(([^()]+)\)\s*$/;

/** The field's unit: the one its title names, else its `x-ui.suffix`. */
function unitOf(node: Node): string | undefined {
  const named = typeof node.title === 'string' ? TITLE_UNIT.exec(node.title)?.[1] : undefined;
  return named ?? node['x-ui']?.suffix;
}

/** "Between 5 and 1440 minutes." for bounded numbers, so the limits are known before typing. */
function boundsText(node: Node): string | undefined {
  if (node.type !== 'integer' && node.type !== 'number') return undefined;
  const min = typeof node.minimum === 'number' ? node.minimum : undefined;
  const max = typeof node.maximum === 'number' ? node.maximum : undefined;
  const unit = unitOf(node);
  const of = (n: number) => (unit ? `${n} ${unit}` : String(n));
  if (min !== undefined && max !== undefined) return `Between ${min} and ${of(max)}.`;
  if (min !== undefined) return `At least ${of(min)}.`;
  if (max !== undefined) return `At most ${of(max)}.`;
  return undefined;
}

/** UI for one schema node: `x-ui` hints and `writeOnly` secrets → sjsf `ui:options`/`ui:components`. */
function uiForNode(node: Node, secretStored: boolean): UiSchema {
  const hints = node['x-ui'] ?? {};
  const options: Record<string, unknown> = {};
  const components: Record<string, string> = {};
  const inputAttributes: Record<string, unknown> = {};

  const help = [hints.help, boundsText(node), secretStored ? STORED_SECRET_HELP : undefined]
    .filter(Boolean)
    .join(' ');
  if (help) options.help = help;
  // The suffix names the unit in the label, unless the title already does ("Sync frequency
  // (minutes)" with suffix "min" is not "Sync frequency (minutes) (min)").
  if (hints.suffix && typeof node.title === 'string' && !TITLE_UNIT.test(node.title))
    options.title = `${node.title} (${hints.suffix})`;
  if (hints.placeholder) inputAttributes.placeholder = hints.placeholder;
  if (hints.readonly) inputAttributes.readonly = true;

  if (isSecret(node) || hints.widget === 'password') {
    inputAttributes.type = 'password';
    inputAttributes.autocomplete = 'new-password';
  }
  switch (hints.widget) {
    case 'textarea':
      components.textWidget = 'textareaWidget';
      if (hints.rows) options.textarea = { rows: hints.rows, placeholder: hints.placeholder };
      break;
    case 'slider':
      components.numberWidget = 'rangeWidget';
      break;
    case 'radio':
      components.selectWidget = 'radioWidget';
      break;
    case 'date':
      inputAttributes.type = 'date';
      break;
    case 'hidden':
      inputAttributes.type = 'hidden';
      options.hideTitle = true;
      break;
    case undefined:
    case 'text':
    case 'password':
    case 'number':
    case 'switch':
    case 'checkbox':
    case 'select':
      break;
  }
  // A `const` (e.g. the discriminator of a oneOf variant) is fixed by the chosen variant.
  if (hints.hidden || 'const' in node) {
    inputAttributes.type = 'hidden';
    options.hideTitle = true;
  }
  if (hints.enumLabels && Array.isArray(node.enum)) {
    const labels = hints.enumLabels;
    options.enumNames = node.enum.map((value) => {
      const key = typeof value === 'string' ? value : JSON.stringify(value);
      return labels[key] ?? key;
    });
  }
  if (Object.keys(inputAttributes).length > 0) {
    options.text = inputAttributes;
    options.number = { placeholder: inputAttributes.placeholder, readonly: inputAttributes.readonly };
  }

  const ui: UiSchema = {};
  if (Object.keys(options).length > 0) ui['ui:options'] = options;
  if (Object.keys(components).length > 0) ui['ui:components'] = components;
  return ui;
}

/** Builds the uiSchema for a whole settings schema, walking objects, arrays and `oneOf`/`anyOf`. */
export function buildUiSchema(
  schema: Schema,
  secretsSet: Record<string, boolean> = {},
  depth = 0,
): UiSchemaRoot {
  const ui: UiSchema = uiForNode(schema, false);
  const properties = isNode(schema.properties) ? schema.properties : undefined;
  if (properties) {
    const entries = Object.entries(properties).filter((entry): entry is [string, Node] => isNode(entry[1]));
    for (const [name, property] of entries) {
      const child = buildUiSchema(property, {}, depth + 1);
      const own = uiForNode(property, depth === 0 && secretsSet[name] === true);
      ui[name] = { ...child, ...own };
    }
    // `x-ui.order` sorts properties; unordered ones keep their place after the ordered ones.
    const ordered = entries
      .filter(([, property]) => typeof property['x-ui']?.order === 'number')
      .sort(([, a], [, b]) => (a['x-ui']?.order ?? 0) - (b['x-ui']?.order ?? 0))
      .map(([name]) => name);
    if (ordered.length > 0) {
      ui['ui:options'] = { ...(ui['ui:options'] ?? {}), order: [...ordered, '*'] };
    }
  }
  if (isNode(schema.items)) ui.items = buildUiSchema(schema.items, {}, depth + 1);
  for (const key of ['oneOf', 'anyOf'] as const) {
    const variants = schema[key];
    if (Array.isArray(variants))
      ui[key] = variants.map((v) => (isNode(v) ? buildUiSchema(v, {}, depth + 1) : {}));
  }
  return ui;
}

/**
 * The schema the browser validates against: the manifest's schema, except that a secret already
 * stored need not be typed again (leaving it empty keeps it), so it is no longer required here.
 * The server still validates the merged settings with the full schema.
 */
export function clientSchema(schema: Schema, secretsSet: Record<string, boolean> = {}): Schema {
  // A JSON copy: the schema may arrive as a reactive proxy, which structuredClone refuses.
  const copy = JSON.parse(JSON.stringify(schema)) as Node;
  if (Array.isArray(copy.required)) {
    copy.required = copy.required.filter((name) => !secretsSet[name]);
  }
  return copy;
}

/** Drops secrets left empty, so the host keeps what it has stored. */
export function withoutEmptySecrets(schema: Schema, value: Record<string, unknown>): Record<string, unknown> {
  const properties = isNode(schema.properties) ? schema.properties : {};
  return Object.fromEntries(
    Object.entries(value).filter(
      ([name, v]) => !(isSecret(properties[name]) && (v === undefined || v === null || v === '')),
    ),
  );
}
