import type { ZodError } from 'zod';

/**
 * API input refused by its zod schema, said in words (issue 13): zod's own messages ("Too small:
 * expected string to have >=1 characters") and its error's JSON dump are for programmers. Each
 * field is named from its key ("postalCode" → "Postal code"); a message the schema wrote itself
 * (`.regex(re, 'must be an ISO 4217 code such as PLN')`) is kept as written.
 */

type Issue = ZodError['issues'][number];

/** zod's default messages begin so; a schema's own message is kept. */
const ZOD_DEFAULT = /^(Too small|Too big|Invalid|Unrecognized key|Expected|Required)/;

const ACRONYMS: Record<string, string> = { vat: 'VAT', iban: 'IBAN', url: 'URL', api: 'API', pdf: 'PDF' };

/** `postalCode` → "postal code", `taxId` → "tax id", `vatStatus` → "VAT status". */
export function keyInWords(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .split(' ')
    .map((word) => ACRONYMS[word] ?? word)
    .join(' ');
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'yes or no',
  array: 'a list',
  object: 'a group of details',
  date: 'a date',
};

const plural = (n: unknown, word: string) => `${String(n)} ${word}${n === 1 ? '' : 's'}`;

function bound(issue: Issue & { origin?: string }, limit: unknown, least: boolean): string {
  const n = Number(limit);
  if (issue.origin === 'string')
    return least && n === 1
      ? 'must not be empty'
      : `must be ${least ? 'at least' : 'at most'} ${plural(n, 'character')} long`;
  if (issue.origin === 'array' || issue.origin === 'set')
    return least && n === 1
      ? 'must list at least one item'
      : `must have ${least ? 'at least' : 'at most'} ${plural(n, 'item')}`;
  return `must be ${least ? 'at least' : 'at most'} ${String(limit)}`;
}

/** What is wrong with one field, as the end of a sentence about it. */
export function zodIssueWords(issue: Issue): string {
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  const raw = issue as Issue & Record<string, unknown>;
  switch (issue.code) {
    case 'too_small':
      return bound(issue, raw.minimum, true);
    case 'too_big':
      return bound(issue, raw.maximum, false);
    case 'invalid_type':
      return raw.input === undefined
        ? 'is required'
        : `must be ${TYPE_WORDS[String(raw.expected)] ?? String(raw.expected)}`;
    case 'invalid_value': {
      const values = (raw.values as unknown[] | undefined) ?? [];
      return values.length === 1
        ? `must be ${String(values[0])}`
        : `must be one of ${values.map(String).join(', ')}`;
    }
    case 'invalid_format':
      return raw.format === 'uuid'
        ? 'must be an identifier'
        : `must be a valid ${keyInWords(String(raw.format))}`;
    case 'unrecognized_keys':
      return `has details this form does not take (${((raw.keys as string[]) ?? []).join(', ')}); remove them`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(raw.divisor)}`;
    case 'custom':
    case 'invalid_element':
    case 'invalid_key':
    case 'invalid_union':
      return 'is not valid';
  }
}

/** The field an issue is about, for people: its last key in words, else "The input". */
export function fieldInWords(path: readonly PropertyKey[]): string {
  const key = [...path].reverse().find((p): p is string => typeof p === 'string');
  const words = key ? keyInWords(key) : 'the input';
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Every issue in one sentence: "Name must not be empty; Country must be … such as PL." */
export function zodSentence(error: ZodError): string {
  const parts = error.issues.map((issue) => `${fieldInWords(issue.path)} ${zodIssueWords(issue)}`);
  return `${parts.join('; ')}.`;
}
