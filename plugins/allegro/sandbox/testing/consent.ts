import { createHash, randomBytes } from 'node:crypto';
import type { RunningSandbox } from '@mch/plugin-sdk/sandbox-kit';
import type { TokenResponse } from '../oauth/tokens.ts';

/**
 * Drives the sandbox's consent page the way a browser would (GET the page, POST the form), for
 * tests of the sandbox and of the Allegro plugin. Test-only helpers.
 */
export const ALLEGRO_ACCEPT = 'application/vnd.allegro.public.v1+json';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function basicAuth(credentials: Record<string, string>): string {
  return `Basic ${Buffer.from(`${credentials.clientId ?? ''}:${credentials.clientSecret ?? ''}`).toString('base64')}`;
}

export function apiHeaders(accessToken: string): Record<string, string> {
  return { authorization: `Bearer ${accessToken}`, accept: ALLEGRO_ACCEPT };
}

/** Submits the consent form; returns the redirect's query parameters (code or error, and state). */
export async function submitConsent(input: {
  sandbox: RunningSandbox;
  account?: number;
  decision?: 'approve' | 'deny';
  state?: string;
  challenge?: string;
}): Promise<URLSearchParams> {
  const { sandbox } = input;
  const fields: Record<string, string> = {
    response_type: 'code',
    client_id: sandbox.credentials.clientId ?? '',
    redirect_uri: sandbox.credentials.redirectUri ?? '',
    account: String(input.account ?? 0),
    decision: input.decision ?? 'approve',
    ...(input.state !== undefined ? { state: input.state } : {}),
    ...(input.challenge !== undefined
      ? { code_challenge: input.challenge, code_challenge_method: 'S256' }
      : {}),
  };
  const res = await fetch(`${sandbox.url}/auth/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams(fields),
  });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location)
    throw new Error(`Consent form answered ${res.status}: ${await res.text()}`);
  return new URL(location).searchParams;
}

/** Full authorization-code flow (Basic client auth, or PKCE when `pkce` is set) → the token response. */
export async function obtainTokens(input: {
  sandbox: RunningSandbox;
  account?: number;
  pkce?: boolean;
}): Promise<TokenResponse> {
  const { sandbox } = input;
  const pair = input.pkce ? pkcePair() : undefined;
  const params = await submitConsent({
    sandbox,
    account: input.account,
    state: 'st',
    challenge: pair?.challenge,
  });
  const code = params.get('code');
  if (!code) throw new Error(`No code in redirect: ${params.toString()}`);
  const res = await fetch(`${sandbox.url}/auth/oauth/token`, {
    method: 'POST',
    headers: pair ? {} : { authorization: basicAuth(sandbox.credentials) },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: sandbox.credentials.redirectUri ?? '',
      ...(pair ? { code_verifier: pair.verifier, client_id: sandbox.credentials.clientId ?? '' } : {}),
    }),
  });
  if (res.status !== 200) throw new Error(`Token endpoint answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as TokenResponse;
}
