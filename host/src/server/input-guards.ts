import type { FastifyInstance } from 'fastify';
import { HostError } from '../errors.ts';

/** Deeper than any settings form or API input; far below what would exhaust the stack. */
export const MAX_JSON_DEPTH = 64;

const escapePointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Checks JSON text before anything parses it, in one pass: nesting at most `MAX_JSON_DEPTH`
 * (100 000 nested arrays would overflow the stack of every recursive walker after `JSON.parse`)
 * and no `\u0000` escape in any string (PostgreSQL's text and jsonb cannot store NUL, so it would
 * fail deep in a query). Returns the refusal, or null. Malformed JSON is left to the parser.
 */
export function jsonTextProblem(text: string, what: string): HostError | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        if (text.startsWith('u0000', i + 1)) return nulError(what, undefined);
        i++;
      } else if (c === 0x22 /* " */) inString = false;
      else if (c === 0) return nulError(what, undefined);
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > MAX_JSON_DEPTH) {
        return new HostError(
          'BAD_REQUEST',
          `The ${what} is nested more than ${MAX_JSON_DEPTH} levels deep; send a flatter document.`,
        );
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return null;
}

function nulError(what: string, path: string | undefined): HostError {
  return new HostError(
    'BAD_REQUEST',
    `The ${what} contains a NUL character (\\u0000)${path ? ` at ${path}` : ''}; remove it and try again.`,
    path ? { issues: [{ path, code: 'invalid_string', message: 'contains a NUL character' }] } : {},
  );
}

/** The JSON pointer of the first string (or key) holding a NUL, in an already depth-checked value. */
export function nulPointer(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '/' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPointer(value[i], `${path}/${i}`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key.includes('\u0000')) return `${path}/${escapePointer(key)}`;
      const found = nulPointer(inner, `${path}/${escapePointer(key)}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Malformed input is the caller's mistake, answered 400 with what to fix (issue 11), never a 500
 * from deep inside: JSON bodies are depth-checked before parsing, and NUL characters are refused
 * in bodies, query strings and path parameters before any handler sees them. tRPC's body reaches
 * the hook as text (its adapter parses it), and its GET input rides in `?input=`.
 */
export function registerInputGuards(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const problem = jsonTextProblem(body as string, 'request body');
    if (problem) {
      done(problem, undefined);
      return;
    }
    // Fastify's own parser (secure-json-parse): synchronous, it answers through `done`.
    void parseJson(request, body as string, done);
  });

  app.addHook('preHandler', async (request) => {
    const body = request.body;
    if (typeof body === 'string') {
      const problem = jsonTextProblem(body, 'request body');
      if (problem) throw problem;
    } else if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
      const at = nulPointer(body);
      if (at) throw nulError('request body', at);
    }
    for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      for (const one of [value].flat()) {
        if (typeof one !== 'string') continue;
        if (one.includes('\u0000') || key.includes('\u0000'))
          throw nulError('query string', `/${escapePointer(key)}`);
        if (key === 'input') {
          const problem = jsonTextProblem(one, 'input parameter');
          if (problem) throw problem;
        }
      }
    }
    for (const [key, value] of Object.entries((request.params ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'string' && value.includes('\u0000')) throw nulError('URL path', `/${key}`);
    }
  });
}
