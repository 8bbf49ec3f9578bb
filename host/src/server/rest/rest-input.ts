import type { z } from 'zod';
import { zodIssues } from '../../api/trpc.ts';
import { HostError } from '../../errors.ts';
import { zodSentence } from '../../api/zod-words.ts';

/** Validates a body or query with zod; issues point into it (`/settings/…`). */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success)
    throw new HostError('BAD_REQUEST', `The ${what} was refused: ${zodSentence(parsed.error)}`, {
      issues: zodIssues(parsed.error),
    });
  return parsed.data;
}
