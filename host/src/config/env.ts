import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The host's own environment (SPEC "Interfaces" → Environment). Plugins' variables are declared in
 * their manifests and read by the plugin runtime, not here.
 */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().url().optional(),
  MONGODB_URL: z.string().optional(),
  HOST_MASTER_KEY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_URL: z.string().url().optional(),
  /** After this long an outbound operation claimed by a process that died is taken over. */
  OUTBOUND_STALE_AFTER_MS: z.coerce.number().int().min(100).optional(),
  /** How often workers send new alerts to the tenants' chat webhooks. */
  ALERT_WEBHOOK_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  /** Worker threads rendering invoice PDFs (0: on the main thread); default: cores − 1, 1 to 4. */
  INVOICE_PDF_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  /** Proxies whose X-Forwarded-For is believed (client address for login throttling, logs). */
  TRUST_PROXY: z.string().optional(),
});

/** Named ranges proxy-addr (Fastify's `trustProxy`) understands. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `TRUST_PROXY`: unset or `false` (the default) ignores X-Forwarded-For entirely; a comma-separated
 * list of proxy addresses, CIDR ranges or `loopback|linklocal|uniquelocal` believes it from those
 * peers only; a number believes that many hops. `true` (believe anyone) is refused: any client
 * could then pick its own address and escape per-address login throttling.
 */
export type TrustProxy = false | string[] | ((address: string, hop: number) => boolean);

export function parseTrustProxy(value: string | undefined): TrustProxy {
  const raw = value?.trim();
  if (!raw || raw === 'false' || raw === '0') return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    return (_address, hop) => hop < hops;
  }
  if (raw === 'true' || raw === '*')
    throw new EnvError(
      'Invalid environment:\n  TRUST_PROXY: "true" would believe any client\'s X-Forwarded-For; name your proxies (e.g. 127.0.0.1,10.0.0.0/8 or loopback) or give the number of proxy hops.',
    );
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!(PROXY_RANGES.has(entry) || (family !== 0 && validBits && rest.length === 0)))
      throw new EnvError(
        `Invalid environment:\n  TRUST_PROXY: "${entry}" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal.`,
      );
  }
  return entries;
}

export interface HostEnv {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  mongodbUrl: string | undefined;
  masterKey: string | undefined;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  publicUrl: string;
  outboundStaleAfterMs: number | undefined;
  alertWebhookIntervalMs: number;
  invoicePdfThreads: number | undefined;
  /** Fastify `trustProxy`: false (default), the proxies' addresses, or a hop count. */
  trustProxy: TrustProxy;
}

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Reads and checks the environment; an invalid value names the variable and what it expects. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): HostEnv {
  const blankToUndefined = Object.fromEntries(
    Object.entries(source).map(([key, value]) => [key, value === '' ? undefined : value]),
  );
  const parsed = EnvSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    mongodbUrl: e.MONGODB_URL,
    masterKey: e.HOST_MASTER_KEY,
    logLevel: e.LOG_LEVEL,
    outboundStaleAfterMs: e.OUTBOUND_STALE_AFTER_MS,
    alertWebhookIntervalMs: e.ALERT_WEBHOOK_INTERVAL_MS,
    invoicePdfThreads: e.INVOICE_PDF_THREADS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`).replace(
      /\/$/,
      '',
    ),
  };
}
