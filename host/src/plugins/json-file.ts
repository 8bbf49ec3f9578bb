import { readFile } from 'node:fs/promises';
import { type ManifestErrorCode, parseJsonText, type ManifestIssue } from '@mch/schemas';

export type JsonFileResult = { ok: true; value: unknown } | { ok: false; issues: ManifestIssue[] };

/** Reads and parses a JSON file, turning "missing" and "not JSON" into located issues. */
export async function readJsonFile(options: {
  path: string;
  notFound: { code: ManifestErrorCode; message: string };
  invalidJson: ManifestErrorCode;
}): Promise<JsonFileResult> {
  let text: string;
  try {
    text = await readFile(options.path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return {
        ok: false,
        issues: [{ code: options.notFound.code, pointer: '', message: options.notFound.message }],
      };
    }
    return {
      ok: false,
      issues: [
        {
          code: options.notFound.code,
          pointer: '',
          message: `cannot be read (${(error as Error).message}); check the file's permissions`,
        },
      ],
    };
  }
  const parsed = parseJsonText(text, options.invalidJson);
  return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, issues: [parsed.issue] };
}
