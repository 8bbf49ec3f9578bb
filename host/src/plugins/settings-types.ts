import { secretSettingNames } from '@mch/schemas';

/** Where a plugin keeps the types `plugin types` writes, relative to its folder. */
export const SETTINGS_TYPES_FILE = 'src/settings.generated.ts';

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;
/** A literal as the house style writes it (single quotes). */
const quote = (value: unknown) =>
  typeof value === 'string'
    ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
    : JSON.stringify(value);
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (name: string) => (IDENTIFIER.test(name) ? name : quote(name));

/** A JSON Schema node as a TypeScript type (the keywords settings use; anything else `unknown`). */
function typeOf(node: unknown, indent: string): string {
  if (!isNode(node)) return 'unknown';
  if ('const' in node) return quote(node.const);
  if (Array.isArray(node.enum)) return node.enum.map(quote).join(' | ') || 'never';
  for (const combinator of ['anyOf', 'oneOf'] as const)
    if (Array.isArray(node[combinator]))
      return (node[combinator] as unknown[]).map((option) => typeOf(option, indent)).join(' | ');
  const types = Array.isArray(node.type) ? (node.type as unknown[]) : [node.type];
  const parts = types.map((type) => {
    switch (type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'array': {
        const item = typeOf(node.items, indent);
        return /[|&]/.test(item) ? `(${item})[]` : `${item}[]`;
      }
      case 'object':
        return isNode(node.properties) ? objectType(node, indent) : 'Record<string, unknown>';
      default:
        return 'unknown';
    }
  });
  return [...new Set(parts)].join(' | ');
}

/** Doc comment from a property's title and description. */
function doc(node: unknown, indent: string): string {
  if (!isNode(node)) return '';
  const text = [node.title, node.description].filter((t): t is string => typeof t === 'string' && t !== '');
  return text.length === 0 ? '' : `${indent}/** ${text.join(': ').replace(/\*\//g, '* /')} */\n`;
}

function objectType(node: Node, indent: string, skip: ReadonlySet<string> = new Set()): string {
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const inner = `${indent}  `;
  const lines = Object.entries((node.properties ?? {}) as Record<string, unknown>)
    .filter(([name]) => !skip.has(name))
    .map(([name, property]) => {
      // A default is filled in before a hook sees the settings (the settings validator's useDefaults).
      const present = required.has(name) || (isNode(property) && 'default' in property);
      return `${doc(property, inner)}${inner}${key(name)}${present ? '' : '?'}: ${typeOf(property, inner)};`;
    });
  return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent}}`;
}

/**
 * The TypeScript a plugin's hooks type their settings with, from the manifest's settings schema:
 * `Settings` (what `ctx.settings` holds: every setting but the secret ones, with defaults filled)
 * and `SecretSetting` (the names `ctx.secrets.get` reads). Deterministic: the same schema gives
 * the same text, so `plugin validate` can tell when it is out of date.
 */
export function settingsTypes(schema: { properties?: Record<string, unknown>; required?: unknown }): string {
  const secrets = secretSettingNames(schema);
  const settings = objectType(schema, '', new Set(secrets));
  return [
    '// Generated from plugin.manifest.json "settings" by `plugin types`; do not edit by hand.',
    '// Regenerate after changing the settings: npm run host -- plugin types <plugin folder>',
    '',
    '/** What `ctx.settings` holds: every setting but the secret ones, defaults filled in. */',
    `export interface Settings ${settings}`,
    '',
    '/** Secret settings: read with `ctx.secrets.get(name)`, never in `ctx.settings`. */',
    `export type SecretSetting = ${secrets.length === 0 ? 'never' : secrets.map(quote).join(' | ')};`,
    '',
  ].join('\n');
}
