import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi;

/** The console's HTML files (the SPA shell and any prerendered page), at most a few levels deep. */
function htmlFiles(dir: string, depth = 0): string[] {
  if (depth > 4 || !existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== '_app') files.push(...htmlFiles(path, depth + 1));
    else if (entry.isFile() && entry.name.endsWith('.html')) files.push(path);
  }
  return files;
}

/**
 * `'sha256-…'` sources for the inline scripts of the console's HTML: SvelteKit's static build
 * starts the app from one inline `<script>`, which a CSP without `'unsafe-inline'` allows only
 * by its hash (CSP3 "hash-source"). Computed once, from the files the host actually serves.
 */
export function inlineScriptHashes(consoleDir: string | undefined): string[] {
  if (!consoleDir) return [];
  const hashes = new Set<string>();
  for (const file of htmlFiles(consoleDir)) {
    for (const match of readFileSync(file, 'utf8').matchAll(INLINE_SCRIPT)) {
      const body = match[1] ?? '';
      if (body.trim() === '') continue;
      hashes.add(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
    }
  }
  return [...hashes].sort();
}

/** The Content-Security-Policy every response carries (OWASP "Content Security Policy Cheat Sheet"). */
export function contentSecurityPolicy(scriptHashes: string[]): string {
  return [
    "default-src 'self'",
    // No 'unsafe-eval': the console's settings forms validate with an interpreting validator
    // (console/src/lib/forms/validator.ts), not Ajv's compiled functions. No inline script runs
    // without its hash, so injected markup cannot execute.
    `script-src 'self'${scriptHashes.length ? ' ' + scriptHashes.join(' ') : ''}`,
    // Svelte and the generated forms set style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    // Nobody may frame the console (clickjacking); X-Frame-Options says the same to old browsers.
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Helmet-style headers on every response (the console, the API, PDFs): a CSP, no MIME sniffing,
 * no Referer (invoice links and OAuth callbacks carry tokens in their URLs), no framing, an
 * opener policy that keeps other windows out, and HSTS when the host is served over HTTPS.
 */
export function registerSecurityHeaders(
  app: FastifyInstance,
  options: { consoleDir: string | undefined; publicUrl: () => string },
): void {
  const csp = contentSecurityPolicy(inlineScriptHashes(options.consoleDir));
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('x-permitted-cross-domain-policies', 'none');
    if (options.publicUrl().toLowerCase().startsWith('https:'))
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  });
}
