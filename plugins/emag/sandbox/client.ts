/**
 * A minimal eMAG API caller for the sandbox's own tests, benchmark and demos (not the
 * plugin's production client): POST `{base}/{platform}/api-3/{path}` with HTTP Basic, the
 * `data` sent form-encoded with PHP brackets (eMAG's native encoding) or as JSON.
 */
export type Encoding = 'form' | 'json' | 'bare-json';

export interface EmagCallResult {
  status: number;
  headers: Headers;
  /** Parsed JSON body (eMAG envelope, or `{message}` on 429). */
  body: Record<string, unknown> & { isError?: boolean; messages?: string[]; results?: unknown };
  text: string;
}

export interface EmagCaller {
  call(
    path: string,
    data?: unknown,
    options?: { encoding?: Encoding; signal?: AbortSignal },
  ): Promise<EmagCallResult>;
}

export function emagCaller(options: {
  url: string;
  platform?: string;
  username: string;
  password: string;
}): EmagCaller {
  const base = `${options.url}/${options.platform ?? 'ro'}/api-3`;
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  return {
    async call(path, data = {}, callOptions = {}) {
      const encoding = callOptions.encoding ?? 'form';
      const body =
        encoding === 'form' ? toForm(data, 'data') : JSON.stringify(encoding === 'json' ? { data } : data);
      const response = await fetch(`${base}/${path}`, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
        },
        body,
        ...(callOptions.signal ? { signal: callOptions.signal } : {}),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: JSON.parse(text) as EmagCallResult['body'],
        text,
      };
    },
  };
}

/** `{a: {b: [1, 2]}}` → `data[a][b][0]=1&data[a][b][1]=2`, as PHP's http_build_query writes it. */
export function toForm(value: unknown, prefix: string): string {
  const pairs: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${key}[${i}]`));
    else if (typeof v === 'object' && v !== null)
      for (const [k, item] of Object.entries(v)) walk(item, `${key}[${k}]`);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
  };
  walk(value, prefix);
  return pairs.join('&');
}
