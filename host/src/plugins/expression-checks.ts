import jsonata from 'jsonata';
import {
  ManifestErrorCode,
  manifestExpressions,
  secretLeakMessage,
  secretLikeSettings,
  type ManifestIssue,
  type ManifestSections,
} from '@mch/schemas';

/** What JSONata throws on bad syntax: a plain object, not an Error. */
interface JsonataError {
  message?: unknown;
  position?: unknown;
}

/** JSONata's own sentence with the place it stopped, e.g. `Expected ")" before end of expression`. */
function syntaxProblem(error: unknown, source: string): string {
  const { message, position } = (typeof error === 'object' && error !== null ? error : {}) as JsonataError;
  const what = typeof message === 'string' ? message : String(error);
  const where = typeof position === 'number' ? ` at character ${position}` : '';
  return `is not a valid JSONata expression: ${what}${where} of ${JSON.stringify(source)}; fix the expression (see https://docs.jsonata.org)`;
}

/** Settings an expression reads by name: `$settings.x` and `$lookup($settings, 'x')`. */
function settingsRead(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const child of node) settingsRead(child, out);
    return out;
  }
  if (typeof node !== 'object' || node === null) return out;
  const record = node as Record<string, unknown>;
  const isSettings = (value: unknown) =>
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>).type === 'variable' &&
    (value as Record<string, unknown>).value === 'settings';
  if (record.type === 'path' && Array.isArray(record.steps)) {
    const [first, second] = record.steps as Record<string, unknown>[];
    if (isSettings(first) && second?.type === 'name' && typeof second.value === 'string')
      out.add(second.value);
  }
  if (record.type === 'function' && Array.isArray(record.arguments)) {
    const procedure = record.procedure as Record<string, unknown> | undefined;
    const [object, key] = record.arguments as Record<string, unknown>[];
    if (procedure?.value === 'lookup' && isSettings(object) && key?.type === 'string')
      out.add(String(key.value));
  }
  for (const value of Object.values(record)) settingsRead(value, out);
  return out;
}

/**
 * Compiles every JSONata expression of the manifest, as the host does when it maps records, so a
 * syntax error is refused at load (and by `plugin validate`) rather than on the first order. A
 * mapping that reads a secret setting is refused too: its output is a host record the API and the
 * console show (and mappings are given the public settings only).
 */
export function checkExpressions(sections: ManifestSections): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const secrets = secretLikeSettings(sections.settings);
  for (const expression of manifestExpressions(sections)) {
    let ast: unknown;
    try {
      ast = jsonata(expression.source).ast();
    } catch (error) {
      issues.push({
        code: ManifestErrorCode.EXPRESSION_INVALID,
        pointer: expression.pointer,
        message: syntaxProblem(error, expression.source),
      });
      continue;
    }
    for (const setting of settingsRead(ast)) {
      const mark = secrets.get(setting);
      if (mark === undefined) continue;
      issues.push({
        code: ManifestErrorCode.SECRET_LEAK,
        pointer: expression.pointer,
        message: secretLeakMessage({
          setting,
          mark,
          where: `${expression.owner}, whose output the API and the console show`,
        }),
      });
    }
  }
  return issues;
}
