import { readFileSync } from 'node:fs';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Validates sandbox responses against Allegro's OpenAPI 3.0 spec (shared/reference/). Test-only.
 * OpenAPI 3.0 is not JSON Schema, so schemas are converted first: `nullable` becomes a `null`
 * type (or an anyOf), documentation keywords and vendor formats are dropped, `$ref`s point into
 * one schema holding every component. With `strict`, objects also refuse properties the spec does
 * not declare (`unevaluatedProperties: false`, which sees through `allOf`), so a sandbox cannot
 * invent fields a plugin would then rely on.
 */
export const SPEC_PATH = new URL(
  '../../../../../shared/reference/allegro-rest-api.openapi.yaml',
  import.meta.url,
);

type Json = Record<string, unknown>;

/**
 * Where shared/reference/README.md's Corrections (later Allegro announcements) disagree with this
 * older copy of the spec: the validator applies these patches to the spec before checking, and
 * each is listed here with its source, so the exceptions are few, named and deliberate.
 */
export const DOCUMENTED_EXCEPTIONS: readonly {
  where: string;
  correction: string;
  patch(spec: { components: Json; paths: Record<string, Record<string, Json>> }): void;
}[] = [
  {
    where: 'CheckoutForms.count, CheckoutForms.totalCount (minimum: 1)',
    correction: 'an empty page answers count 0 and totalCount 0 (reference/README.md "Orders", Correction)',
    patch({ components }) {
      const props = (components.CheckoutForms as Json).properties as Record<string, Json>;
      props.count!.minimum = 0;
      props.totalCount!.minimum = 0;
    },
  },
  {
    where: 'GET /order/checkout-forms: no 422 response',
    correction:
      'offset + limit above 10 000 answers 422 VALIDATION_ERROR in the errors shape (reference/README.md "Orders", Correction: #4027, #4052, #5998)',
    patch({ paths }) {
      const responses = paths['/order/checkout-forms']!.get!.responses as Json;
      responses['422'] = {
        description: 'offset + limit exceeds 10 000',
        content: {
          'application/vnd.allegro.public.v1+json': { schema: { $ref: '#/components/schemas/ErrorsHolder' } },
        },
      };
    },
  },
  {
    where: 'POST /order/customer-returns/{customerReturnId}/rejection: no 404 response',
    correction:
      'not a reference/README.md Correction: the spec is silent on an unknown return id here; the sandbox answers the 404 ErrorsHolder that GET /order/customer-returns/{customerReturnId} documents (OpenAPI)',
    patch({ paths }) {
      const responses = paths['/order/customer-returns/{customerReturnId}/rejection']!.post!
        .responses as Json;
      responses['404'] = {
        description: 'Not found',
        content: {
          'application/vnd.allegro.beta.v1+json': { schema: { $ref: '#/components/schemas/ErrorsHolder' } },
        },
      };
    },
  },
];
const DROP = new Set([
  'example',
  'examples',
  'xml',
  'externalDocs',
  'discriminator',
  'deprecated',
  'readOnly',
  'writeOnly',
]);
const KNOWN_FORMATS = new Set(['date-time', 'uuid', 'email', 'uri', 'date']);
const ROOT_ID = 'allegro-openapi';

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function convert(node: unknown, strict: boolean, inAllOf: Set<string>, underAllOf = false): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, strict, inAllOf));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k) || k === 'nullable') continue;
    if (k === '$ref' && typeof v === 'string')
      out.$ref = v.replace('#/components/schemas/', `${ROOT_ID}#/definitions/`);
    else if (k === 'format' && typeof v === 'string' && !KNOWN_FORMATS.has(v)) continue;
    else if (k === 'properties' && isObject(v)) {
      out.properties = Object.fromEntries(
        Object.entries(v).map(([p, s]) => [p, convert(s, strict, inAllOf)]),
      );
    } else if (k === 'allOf' && Array.isArray(v)) out.allOf = v.map((s) => convert(s, strict, inAllOf, true));
    else out[k] = convert(v, strict, inAllOf);
  }
  if (strict && !underAllOf && isObject(out.properties) && out.additionalProperties === undefined) {
    out.unevaluatedProperties = false;
  }
  if (strict && !underAllOf && Array.isArray(out.allOf)) out.unevaluatedProperties = false;
  if (node.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

/** Component names used as an `allOf` member somewhere: they must stay open to their siblings' fields. */
function allOfMembers(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => allOfMembers(n, found));
  else if (isObject(node)) {
    if (Array.isArray(node.allOf)) {
      for (const m of node.allOf)
        if (isObject(m) && typeof m.$ref === 'string') found.add(m.$ref.split('/').pop() ?? '');
    }
    Object.values(node).forEach((v) => allOfMembers(v, found));
  }
  return found;
}

export interface ResponseValidator {
  /** Validation errors of `body` as the `status` response of `method path` (null when valid). */
  validate(input: { method: string; path: string; status: number; body: unknown }): string[] | null;
}

export function loadResponseValidator(options: { strict?: boolean } = {}): ResponseValidator {
  const strict = options.strict ?? true;
  const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
  const components = (spec.components as Json).schemas as Json;
  const paths = spec.paths as Record<string, Record<string, Json>>;
  for (const exception of DOCUMENTED_EXCEPTIONS) exception.patch({ components, paths });
  const inAllOf = allOfMembers(components);
  const definitions = Object.fromEntries(
    Object.entries(components).map(([name, s]) => [name, convert(s, strict && !inAllOf.has(name), inAllOf)]),
  );
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv2019) => void;
  addFormats(ajv);
  ajv.addSchema({ $id: ROOT_ID, definitions });
  const cache = new Map<string, ValidateFunction>();
  return {
    validate({ method, path, status, body }) {
      const key = `${method} ${path} ${status}`;
      let fn = cache.get(key);
      if (!fn) {
        const op = paths[path]?.[method.toLowerCase()];
        const response = (op?.responses as Json | undefined)?.[String(status)] as Json | undefined;
        const content = response?.content as Record<string, { schema?: unknown }> | undefined;
        const schema = content && Object.values(content)[0]?.schema;
        if (!schema) throw new Error(`The spec has no schema for ${key}`);
        fn = ajv.compile(convert(schema, strict, inAllOf) as Json);
        cache.set(key, fn);
      }
      return fn(body)
        ? null
        : (fn.errors ?? []).map(
            (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
          );
    },
  };
}
