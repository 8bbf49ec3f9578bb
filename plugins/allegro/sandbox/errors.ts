/**
 * Allegro's error bodies (reference/README.md "Allegro"; OpenAPI ErrorsHolder and AuthError):
 * API errors are `{"errors":[{code,message,details,path,userMessage}]}`, authentication errors
 * `{"error","error_description"}`.
 */
export interface AllegroError {
  code: string;
  message: string;
  details: string | null;
  path: string | null;
  userMessage: string;
}

export function errorsBody(
  code: string,
  message: string,
  extra: { path?: string; details?: string; userMessage?: string } = {},
): { errors: AllegroError[] } {
  return {
    errors: [
      {
        code,
        message,
        details: extra.details ?? null,
        path: extra.path ?? null,
        userMessage: extra.userMessage ?? message,
      },
    ],
  };
}

export function authErrorBody(
  description: string,
  error = 'unauthorized',
): { error: string; error_description: string } {
  return { error, error_description: description };
}

/** Body of a fault-injected 5xx or 429, in Allegro's shape. */
export function faultBody(status: number): { errors: AllegroError[] } {
  if (status === 429)
    return errorsBody('TooManyRequestsException', 'Too many requests. Slow down and retry later.');
  if (status === 503)
    return errorsBody('ServiceUnavailableException', 'Service temporarily unavailable. Try again later.');
  return errorsBody('InternalServerErrorException', 'Internal server error. Try again later.');
}
