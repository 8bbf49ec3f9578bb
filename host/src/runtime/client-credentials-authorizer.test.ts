import { AuthError, RetryableError } from '@mch/plugin-sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createClientCredentialsAuthorizer,
  forgetClientCredentialTokens,
  type ClientCredentialsAuthorizerOptions,
} from './client-credentials-authorizer.ts';

interface Seen {
  authorization: string | null;
  form: Record<string, string>;
}

/** A token endpoint answering from a queue (default: a fresh bearer token each time). */
function tokenEndpoint() {
  const seen: Seen[] = [];
  const answers: (() => Response)[] = [];
  let issued = 0;
  const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    seen.push({
      authorization: headers.get('authorization'),
      form: Object.fromEntries(new URLSearchParams(init?.body as URLSearchParams)),
    });
    await new Promise((r) => setTimeout(r, 5));
    const answer = answers.shift();
    if (answer) return answer();
    return Response.json({ access_token: `t${++issued}`, token_type: 'bearer', expires_in: 3600 });
  }) as typeof globalThis.fetch;
  return { seen, answers, fetch };
}

function authorizer(
  endpoint: ReturnType<typeof tokenEndpoint>,
  overrides: Partial<ClientCredentialsAuthorizerOptions> = {},
) {
  return createClientCredentialsAuthorizer({
    integrationId: 'i-1',
    tokenUrl: () => 'https://shop.example/oauth/token',
    scopes: ['orders:read', 'products:read'],
    clientAuth: 'basic',
    leadSeconds: 60,
    credentials: async () => ({ clientId: 'client', clientSecret: 's3cret' }),
    fetch: endpoint.fetch,
    ...overrides,
  });
}

describe('client credentials authorizer', () => {
  beforeEach(() => forgetClientCredentialTokens());

  it('concurrent requests share one token request; the client goes in the body when asked', async () => {
    const endpoint = tokenEndpoint();
    const auth = authorizer(endpoint, { clientAuth: 'body' });
    const headers = await Promise.all([auth.headers(), auth.headers(), auth.headers()]);
    expect(headers).toEqual(Array(3).fill({ authorization: 'Bearer t1' }));
    expect(endpoint.seen).toEqual([
      {
        authorization: null,
        form: {
          grant_type: 'client_credentials',
          scope: 'orders:read products:read',
          client_id: 'client',
          client_secret: 's3cret',
        },
      },
    ]);
    // Another hook call of the same integration uses the token held.
    expect(await authorizer(endpoint, { clientAuth: 'body' }).headers()).toEqual({
      authorization: 'Bearer t1',
    });
    expect(endpoint.seen).toHaveLength(1);
  });

  it('after a 401 one new token, not one per request refused; new credentials, a new token', async () => {
    const endpoint = tokenEndpoint();
    const first = authorizer(endpoint);
    const second = authorizer(endpoint);
    await first.headers();
    await second.headers();
    expect(await first.recover()).toBe(true);
    expect(await second.recover()).toBe(true); // t1 refused here too: t2 is already there
    expect(await second.headers()).toEqual({ authorization: 'Bearer t2' });
    expect(endpoint.seen).toHaveLength(2);
    expect(endpoint.seen[0]!.authorization).toBe(`Basic ${Buffer.from('client:s3cret').toString('base64')}`);
    const rotated = authorizer(endpoint, {
      credentials: async () => ({ clientId: 'client', clientSecret: 'new-secret' }),
    });
    expect(await rotated.headers()).toEqual({ authorization: 'Bearer t3' });
  });

  it('a token due within the lead is replaced; a short-lived one is used for half its life', async () => {
    const endpoint = tokenEndpoint();
    endpoint.answers.push(() =>
      Response.json({ access_token: 'short', token_type: 'Bearer', expires_in: 0 }),
    );
    const auth = authorizer(endpoint);
    expect(await auth.headers()).toEqual({ authorization: 'Bearer short' });
    expect(await auth.headers()).toEqual({ authorization: 'Bearer t1' });
    expect(await auth.headers()).toEqual({ authorization: 'Bearer t1' });
    expect(endpoint.seen).toHaveLength(2);
  });

  it('says what the token endpoint refused: the client and scope need the seller, the rest is retried or reported', async () => {
    const endpoint = tokenEndpoint();
    const auth = authorizer(endpoint);
    endpoint.answers.push(() => new Response('busy', { status: 503 }));
    const busy = await auth.headers().catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(RetryableError);
    expect((busy as Error).message).toBe(
      'The token endpoint (https://shop.example) answered 503; try again later.',
    );
    endpoint.answers.push(() => Response.json({ error: 'invalid_client' }, { status: 400 }));
    const refused = await auth.headers().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuthError);
    expect((refused as Error).message).toBe(
      "The token endpoint (https://shop.example) refused the client id or client secret (invalid_client); enter the API client's credentials again.",
    );
    endpoint.answers.push(() =>
      Response.json({ error: 'invalid_scope', error_description: 'products:read' }, { status: 400 }),
    );
    const scope = await auth.headers().catch((e: unknown) => e);
    expect(scope).toBeInstanceOf(AuthError);
    expect((scope as Error).message).toBe(
      "The token endpoint (https://shop.example) refused the access (scope) asked for (invalid_scope: products:read); enter the API client's credentials again.",
    );
    endpoint.answers.push(() => Response.json({ access_token: 'mac', token_type: 'mac', expires_in: 60 }));
    await expect(auth.headers()).rejects.toThrow(
      'The token endpoint (https://shop.example) gave an answer that is not a token (HTTP 200): unsupported `token_type` value',
    );
    // Nothing failed is kept: the next request asks again and works.
    expect(await auth.headers()).toEqual({ authorization: 'Bearer t1' });
    for (const error of [busy, refused, scope]) expect(JSON.stringify(error)).not.toContain('s3cret');
  });
});
