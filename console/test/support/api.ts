// Test-side calls to the host's real tRPC API over HTTP (setting up data, checking effects).
export interface ApiSession {
  cookie: string;
  call<T>(path: string, input?: unknown, kind?: 'query' | 'mutation'): Promise<T>;
}

export async function apiLogin(baseUrl: string, email: string, password: string): Promise<ApiSession> {
  const response = await fetch(`${baseUrl}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return {
    cookie,
    async call<T>(path: string, input?: unknown, kind: 'query' | 'mutation' = 'mutation'): Promise<T> {
      const url =
        kind === 'query'
          ? `${baseUrl}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
          : `${baseUrl}/trpc/${path}`;
      const res = await fetch(url, {
        method: kind === 'query' ? 'GET' : 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        ...(kind === 'mutation' ? { body: JSON.stringify(input ?? null) } : {}),
      });
      const body = (await res.json()) as { result?: { data: T }; error?: unknown };
      if (!res.ok || !body.result)
        throw new Error(`${path} failed: ${res.status} ${JSON.stringify(body.error)}`);
      return body.result.data;
    },
  };
}
