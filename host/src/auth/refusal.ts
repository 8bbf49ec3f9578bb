/**
 * Why a request's credential was refused, in words ("This API token expired on …"), kept beside
 * the request so whoever answers 401 can say it instead of the generic "sign in first".
 */
const refusals = new WeakMap<object, string>();

export function setCredentialRefusal(request: object, sentence: string): void {
  refusals.set(request, sentence);
}

export function credentialRefusal(request: object): string | undefined {
  return refusals.get(request);
}

/** How a request authenticated: the console's session cookie or an API token. */
export type CredentialKind = 'session' | 'token';
const kinds = new WeakMap<object, CredentialKind>();

export function setCredentialKind(request: object, kind: CredentialKind): void {
  kinds.set(request, kind);
}

export function credentialKind(request: object): CredentialKind | undefined {
  return kinds.get(request);
}
