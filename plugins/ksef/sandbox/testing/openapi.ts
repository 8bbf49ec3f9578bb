import { readFileSync } from 'node:fs';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';

/**
 * Checks sandbox responses against the Ministry's `reference/ksef/open-api.json` (test-only).
 * OpenAPI 3.0 → JSON Schema: `nullable` becomes a `null` type, documentation keywords and unknown
 * formats (`byte`, `int32`, `int64`) are dropped; objects refuse properties the spec does not
 * declare (`unevaluatedProperties: false`), so the sandbox cannot invent fields.
 */
const SPEC = new URL('../../../../../shared/reference/ksef/open-api.json', import.meta.url);
type Json = Record<string, unknown>;
const DROP = new Set(['example', 'examples', 'xml', 'externalDocs', 'discriminator', 'deprecated', 'readOnly', 'writeOnly', 'description']);
const FORMATS = new Set(['date-time', 'uuid', 'email', 'uri', 'date']);
const ROOT = 'ksef-openapi';
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function convert(node: unknown, underAllOf = false): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k) || k === 'nullable') continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace('#/components/schemas/', `${ROOT}#/definitions/`);
    else if (k === 'format' && typeof v === 'string' && !FORMATS.has(v)) continue;
    else if (k === 'properties' && isObject(v))
      out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, convert(s)]));
    else if (k === 'allOf' && Array.isArray(v)) out.allOf = v.map((s) => convert(s, true));
    else out[k] = convert(v);
  }
  if (!underAllOf && isObject(out.properties) && out.additionalProperties === undefined)
    out.unevaluatedProperties = false;
  if (node.nullable === true) {
    if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

export function loadKsefValidator() {
  const spec = JSON.parse(readFileSync(SPEC, 'utf8')) as Json;
  const components = (spec.components as Json).schemas as Json;
  const paths = spec.paths as Record<string, Record<string, Json>>;
  const definitions = Object.fromEntries(Object.entries(components).map(([n, s]) => [n, convert(s, true)]));
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv2019) => void)(ajv);
  ajv.addSchema({ $id: ROOT, definitions });
  const cache = new Map<string, ValidateFunction>();
  return {
    /** Errors of `body` as the `status` answer of `method path` (null when valid). */
    validate(method: string, path: string, status: number, body: unknown): string[] | null {
      const key = `${method} ${path} ${status}`;
      let fn = cache.get(key);
      if (!fn) {
        const response = (paths[path]?.[method.toLowerCase()]?.responses as Json | undefined)?.[String(status)] as Json | undefined;
        const content = response?.content as Record<string, { schema?: unknown }> | undefined;
        const schema = content?.['application/json']?.schema;
        if (!schema) throw new Error(`open-api.json has no JSON schema for ${key}`);
        fn = ajv.compile(convert(schema) as Json);
        cache.set(key, fn);
      }
      return fn(body) ? null : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    },
  };
}
