import type { z } from 'zod';
import { ManifestErrorCode, type ManifestIssue } from './errors.ts';
import { toPointer } from './pointer.ts';

const KNOWN_CODES = new Set<string>(Object.values(ManifestErrorCode));

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'array' || expected === 'object') return `an ${expected}`;
  return `a ${expected}`;
}

function list(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

/**
 * Turns zod issues into located, coded sentences. Union failures are flattened to the branch
 * that got furthest, so the author sees the real mistake rather than "invalid input".
 */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  basePath: PropertyKey[] = [],
): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  for (const issue of issues) {
    const path = [...basePath, ...issue.path];
    const pointer = toPointer(path);
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'invalid_type':
        if (input === undefined) {
          out.push({
            code: ManifestErrorCode.FIELD_MISSING,
            pointer,
            message: `is required: add ${article(issue.expected)}`,
          });
        } else {
          out.push({
            code: ManifestErrorCode.FIELD_INVALID,
            pointer,
            message: `must be ${article(issue.expected)}, got ${describe(input)}`,
          });
        }
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push({
            code: ManifestErrorCode.UNKNOWN_FIELD,
            pointer: toPointer([...path, key]),
            message: `'${key}' is not a field here; remove it or fix its spelling`,
          });
        }
        break;
      case 'invalid_value':
        out.push({
          code: ManifestErrorCode.FIELD_INVALID,
          pointer,
          message: `must be one of ${list(issue.values)}, got ${describe(input)}`,
        });
        break;
      case 'invalid_union': {
        const discriminator = (issue as { discriminator?: string }).discriminator;
        const options = (issue as { options?: unknown[] }).options;
        if (discriminator !== undefined && issue.errors.length === 0) {
          out.push({
            code: ManifestErrorCode.FIELD_INVALID,
            pointer,
            message: `must be one of ${list(options ?? [])}, got ${describe(input)}`,
          });
          break;
        }
        out.push(...closestBranch(issue.errors, path, input));
        break;
      }
      case 'too_small':
      case 'too_big': {
        const bound = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
        const word = issue.code === 'too_small' ? 'at least' : 'at most';
        const what =
          issue.origin === 'string'
            ? `${word} ${bound} characters long`
            : issue.origin === 'array'
              ? `a list of ${word} ${bound} entries`
              : `${word} ${bound}`;
        out.push({
          code: ManifestErrorCode.FIELD_INVALID,
          pointer,
          message: issue.message.startsWith('must')
            ? issue.message
            : `must be ${what}, got ${describe(input)}`,
        });
        break;
      }
      case 'custom': {
        const code = (issue.params as { code?: string } | undefined)?.code;
        out.push({
          code: code && KNOWN_CODES.has(code) ? (code as ManifestErrorCode) : ManifestErrorCode.FIELD_INVALID,
          pointer,
          message: issue.message,
        });
        break;
      }
      case 'invalid_format':
      case 'invalid_key':
      case 'invalid_element':
      case 'not_multiple_of':
        out.push({ code: ManifestErrorCode.FIELD_INVALID, pointer, message: issue.message });
        break;
    }
  }
  return out;
}

/** For a union that matched no branch: report the branch with the fewest problems. */
function closestBranch(
  branches: readonly (readonly z.core.$ZodIssue[])[],
  path: PropertyKey[],
  input: unknown,
): ManifestIssue[] {
  const candidates = branches.map((issues) => fromZodIssues(issues, path));
  // A branch whose only complaints are unknown fields usually is the wrong shape entirely.
  const scored = candidates.map((issues) => ({
    issues,
    score: issues.length + (issues.every((i) => i.code === ManifestErrorCode.UNKNOWN_FIELD) ? 100 : 0),
  }));
  scored.sort((a, b) => a.score - b.score);
  const best = scored[0];
  if (!best || best.issues.length === 0) {
    return [
      {
        code: ManifestErrorCode.FIELD_INVALID,
        pointer: toPointer(path),
        message: `has an unexpected shape (${describe(input)})`,
      },
    ];
  }
  return best.issues;
}
