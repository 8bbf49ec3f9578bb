/** Error codes of the sandbox control endpoint (`/__sandbox/*`). */
export const SandboxErrorCode = {
  InvalidFaults: 'SANDBOX_INVALID_FAULTS',
  InvalidInput: 'SANDBOX_INVALID_INPUT',
  NotFound: 'SANDBOX_NOT_FOUND',
} as const;

export type SandboxErrorCode = (typeof SandboxErrorCode)[keyof typeof SandboxErrorCode];

/** The repo's API error shape (docs/ARCHITECTURE.md "Errors"). */
export function sandboxError(
  code: SandboxErrorCode,
  message: string,
  issues?: { path: string; message: string }[],
): { error: { code: SandboxErrorCode; message: string; issues?: { path: string; message: string }[] } } {
  return { error: { code, message, ...(issues ? { issues } : {}) } };
}
