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
  /** Worker threads rendering invoice PDFs (0: on the main thread); default: cores − 1, 1 to 4. */
  INVOICE_PDF_THREADS: z.coerce.number().int().min(0).max(64).optional(),
});

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
  invoicePdfThreads: number | undefined;
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
    invoicePdfThreads: e.INVOICE_PDF_THREADS,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`).replace(
      /\/$/,
      '',
    ),
  };
}
