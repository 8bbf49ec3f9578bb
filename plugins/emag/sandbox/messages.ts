/** The exact texts eMAG answers with, where clients match on them. */
export const MSG = {
  /** Wrong username/password (HTTP 401). */
  notAllowed: 'You are not allowed to use this API.',
  /** Credentials fine, caller IP not whitelisted (HTTP 200, isError:true). */
  invalidIp: (ip: string) => `ERROR: Invalid vendor ip [${ip}]`,
  /** 429 body (API doc 1.4 "Rate limiting"). */
  rateLimited: 'API rate limit exceeded',
  tooManyVars: 'Maximum input vars of 4000 exceeded',
} as const;
