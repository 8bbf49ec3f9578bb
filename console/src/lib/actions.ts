// A plugin's manifest actions as the console offers them, generically: `subject` says which record
// an action works on (`kind`: return, order, refund) and how (`role`: list, get, act), which input
// carries the record's id (`idInput`), which inputs are fixed (`presets`) and in which statuses it
// is allowed (`statuses`). The rest of the action's `input` JSON Schema is a form (schemas/src/
// manifest/sections.ts `ActionSchema`). No plugin is named here; no `$lib` imports, so the
// helpers are unit-tested on their own.

export type RecordId = number | string;

export interface Subject {
  kind: string;
  role: string;
  idInput?: string;
  statuses?: RecordId[];
  presets?: Record<string, unknown>;
}

/** The JSON Schema (draft 2020-12) of an action's input object. */
export interface InputSchema {
  type: 'object';
  properties?: Record<string, unknown>;
  required?: string[];
  [keyword: string]: unknown;
}

export interface ActionView {
  id: string;
  title: string;
  description: string | null;
  input?: InputSchema;
  subject: Subject | null;
}

/** A per-field issue as the host reports it (a JSON pointer into the action's input). */
export interface InputIssue {
  path: string;
  code: string;
  message: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The plugin's actions on records of `kind` in `role` (e.g. the order acts). */
export function actionsFor(actions: readonly ActionView[], kind: string, role: string): ActionView[] {
  return actions.filter((a) => a.subject?.kind === kind && a.subject.role === role);
}

/**
 * Whether an act is allowed on a record in `status`: always when the action names no statuses
 * or the record's status is unknown (the marketplace's rule then decides and says why not).
 */
export function allows(action: ActionView, status: RecordId | null | undefined): boolean {
  const statuses = action.subject?.statuses;
  if (!statuses || status === null || status === undefined) return true;
  return statuses.map(String).includes(String(status));
}

/** Input names the console fills itself: the record's id and the presets. */
function fixedNames(subject: Subject | null): Set<string> {
  const names = new Set(Object.keys(subject?.presets ?? {}));
  if (subject?.idInput) names.add(subject.idInput);
  return names;
}

/**
 * The part of an action's input a person fills in: its JSON Schema without the id input and the
 * presets (properties and `required` alike) and without the root's title and description, which
 * the dialog shows already. Null when nothing is left to fill in.
 */
export function formSchema(action: ActionView): InputSchema | null {
  const input: InputSchema = action.input ?? { type: 'object', properties: {} };
  const fixed = fixedNames(action.subject);
  // A JSON copy: the schema may arrive as a reactive proxy, which structuredClone refuses.
  const copy = JSON.parse(JSON.stringify(input)) as InputSchema;
  const properties = Object.fromEntries(
    Object.entries(copy.properties ?? {}).filter(([name]) => !fixed.has(name)),
  );
  if (Object.keys(properties).length === 0) return null;
  delete copy.title;
  delete copy.description;
  copy.properties = properties;
  if (Array.isArray(copy.required)) copy.required = copy.required.filter((name) => !fixed.has(name));
  return copy;
}

/**
 * What starting the action asks of a person: `none` (it runs at once), `optional` (it runs at once
 * with the defaults, or with details chosen in a form) or `required` (it needs the form).
 */
export function formNeed(action: ActionView): 'none' | 'optional' | 'required' {
  const schema = formSchema(action);
  if (!schema) return 'none';
  return (schema.required ?? []).length > 0 ? 'required' : 'optional';
}

/**
 * A value as an input property's schema wants it: a page's URL gives text, a list may give numbers;
 * `"123"` becomes 123 for an integer input and 123 becomes `"123"` for a string one.
 */
function asTyped(property: unknown, value: RecordId): RecordId {
  const type = isRecord(property) ? property.type : undefined;
  if ((type === 'integer' || type === 'number') && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
    return Number(value);
  if (type === 'string' && typeof value === 'number') return String(value);
  return value;
}

/** A record's id as the action's id input (`subject.idInput`) wants it. */
export function idValue(action: ActionView, id: RecordId): RecordId {
  const name = action.subject?.idInput;
  return asTyped(name ? action.input?.properties?.[name] : undefined, id);
}

/**
 * The input of a `list` action on an order's page: the order's id in its `orderId` input when the
 * action declares one (the name of the items' field too), so the plugin may list only that order's
 * records; nothing otherwise (the page keeps the items whose `orderId` is the order's).
 */
export function listInput(action: ActionView, orderId: RecordId): Record<string, unknown> {
  const property = action.input?.properties?.orderId;
  return property === undefined ? {} : { orderId: asTyped(property, orderId) };
}

/** The whole input sent to the host: what the form holds, the presets, the record's id. */
export function actionInput(
  action: ActionView,
  id: RecordId,
  value: Record<string, unknown> = {},
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...value, ...action.subject?.presets };
  if (action.subject?.idInput) input[action.subject.idInput] = idValue(action, id);
  return input;
}

/** The number of the correction an action issued (`result.correction.number`), if any. */
export function correctionNumber(result: unknown): string | null {
  return isRecord(result) && isRecord(result.correction) && typeof result.correction.number === 'string'
    ? result.correction.number
    : null;
}

function titleOf(schema: InputSchema | undefined, name: string): string {
  const property = schema?.properties?.[name];
  return isRecord(property) && typeof property.title === 'string' ? property.title : name;
}

/**
 * The host's refusal of an action as the form shows it: issues on the form's own fields stay on
 * them (pointers into the input are pointers into the form's value); issues on inputs the console
 * filled (the record's id, a preset) and a refusal without issues (the marketplace's rule) become
 * one form-level sentence each.
 */
export function formIssues({
  action,
  issues,
  message,
}: {
  action: ActionView;
  issues: readonly InputIssue[];
  message: string;
}): InputIssue[] {
  const form = formSchema(action);
  const fields = new Set(Object.keys(form?.properties ?? {}));
  const shown = issues.map((issue) => {
    const name = decodeURIComponent(issue.path.split('/')[1] ?? '')
      .replace(/~1/g, '/')
      .replace(/~0/g, '~');
    if (fields.has(name)) return issue;
    const label = name ? `${titleOf(action.input, name)} ` : '';
    return { path: '', code: issue.code, message: `${label}${issue.message}` };
  });
  return shown.length > 0 ? shown : [{ path: '', code: 'REFUSED', message }];
}
