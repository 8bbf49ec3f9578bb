import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Secrets never reach the logs (SPEC "Vault"): any of these keys is replaced wherever it appears
 * up to three levels deep, headers included. Tests scan a full run's logs for planted secrets.
 */
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'authorization',
  'cookie',
  'set-cookie',
  'code_verifier',
  'codeVerifier',
  'apiKey',
  'masterKey',
  'ciphertext',
];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/**
 * Signed tokens inside URLs (public invoice links, webhook URLs) are credentials too, and a URL
 * ends up in messages, errors and marketplace payloads that no key-based redaction sees. Every
 * finished line is scrubbed of them before it is written.
 */
const SIGNED_URL_TOKEN =
  /(\/public\/invoices\/[0-9a-fA-F-]{36}\/)[A-Za-z0-9_-]{16,}(\.pdf)|(\/api\/v1\/webhooks\/[0-9a-fA-F-]{36}\/[A-Za-z0-9_.-]{1,64}\/)[A-Za-z0-9_-]{16,}/g;

export function redactSignedUrls(line: string): string {
  if (!line.includes('/public/invoices/') && !line.includes('/api/v1/webhooks/')) return line;
  return line.replace(SIGNED_URL_TOKEN, (_m, inv?: string, pdf?: string, hook?: string) =>
    inv ? `${inv}[redacted]${pdf}` : `${hook}[redacted]`,
  );
}

export interface CreateLoggerOptions {
  level: LoggerOptions['level'];
  name?: string;
  /** Where lines go; default stdout. Tests pass a stream to inspect what was written. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    name: options.name ?? 'host',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: { streamWrite: redactSignedUrls },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
