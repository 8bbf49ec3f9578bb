/**
 * The host's error codes, in one place (STYLE 3). Every error a person can see carries a code, a
 * sentence that says what to do, and — for invalid input — per-field issues with JSON pointers.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldIssue {
  /** JSON pointer of the offending field, e.g. `/settings/syncFrequencyMinutes`. */
  path: string;
  code: string;
  message: string;
}

export class HostError extends Error {
  override name = 'HostError';
  readonly code: ErrorCode;
  readonly issues: FieldIssue[] | undefined;

  constructor(code: ErrorCode, message: string, options: { issues?: FieldIssue[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) =>
  new HostError('NOT_FOUND', `${what} was not found (or is not yours to see).`);
export const invalidInput = (message: string, issues: FieldIssue[]) =>
  new HostError('BAD_REQUEST', message, { issues });

/** The JSON body of every REST error (SPEC "Interfaces"). */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: FieldIssue[] };
}

export function errorBody(error: HostError): ErrorBody {
  return {
    error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) },
  };
}
