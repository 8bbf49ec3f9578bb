/** A command was called wrongly: exit code 2, with the usage text. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly code = 'CLI_USAGE';
}

/** The one line a person sees for a failure: the message, and the code when the error has one. */
export function describeError(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !code.startsWith('ERR_')
      ? `${error.message} [${code}]`
      : error.message;
  }
  return String(error);
}

/** Node's `parseArgs` failures (unknown option, missing value) are usage errors too. */
export function isUsageError(error: unknown): boolean {
  if (error instanceof UsageError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
