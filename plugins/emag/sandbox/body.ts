/**
 * Request bodies as eMAG's PHP front end reads them (API doc 1.3 "data"): form-encoded with
 * nested brackets (`data[currentPage]=1`, `data[0][id]=5`, `data[status][]=1`), JSON
 * `{"data": …}`, or bare JSON (the filters / entity list itself).
 */
export const MAX_INPUT_VARS = 4000;

export type Parsed = { ok: true; data: unknown; inputVars: number } | { ok: false; message: string };

type Tree = Record<string, unknown>;

/** Parses `a[b][c]=v` pairs into nested objects; integer-keyed objects become arrays. */
export function parseForm(text: string): { value: Tree; inputVars: number } {
  const root: Tree = {};
  let inputVars = 0;
  for (const [rawKey, value] of new URLSearchParams(text)) {
    inputVars++;
    const first = rawKey.indexOf('[');
    const head = first < 0 ? rawKey : rawKey.slice(0, first);
    const path = [head];
    if (first >= 0) {
      for (const m of rawKey.slice(first).matchAll(/\[([^\]]*)\]/g)) path.push(m[1] ?? '');
    }
    let node: Tree = root;
    for (let i = 0; i < path.length; i++) {
      let key = path[i]!;
      if (key === '') key = String(Object.keys(node).length);
      if (i === path.length - 1) {
        node[key] = value;
      } else {
        const child = node[key];
        if (typeof child === 'object' && child !== null) node = child as Tree;
        else {
          const created: Tree = {};
          node[key] = created;
          node = created;
        }
      }
    }
  }
  return { value: listify(root) as Tree, inputVars };
}

function listify(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Tree).map(([k, v]) => [k, listify(v)] as const);
  const isList = entries.length > 0 && entries.every(([k], i) => k === String(i));
  return isList ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}

function countLeaves(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countLeaves(v), 0);
  if (typeof value === 'object' && value !== null)
    return Object.values(value).reduce((n: number, v) => n + countLeaves(v), 0);
  return 1;
}

/** The `data` of a request, from whichever encoding it came in. */
export function extractData(body: unknown, contentType: string | undefined): Parsed {
  if (body === undefined || body === null || body === '') return { ok: true, data: {}, inputVars: 0 };
  if (typeof body === 'string') {
    const form = parseForm(body);
    const data = 'data' in form.value ? form.value.data : form.value;
    return { ok: true, data: decodeJsonString(data), inputVars: form.inputVars };
  }
  if (contentType?.includes('json') || typeof body === 'object') {
    const isWrapped = typeof body === 'object' && !Array.isArray(body) && 'data' in body;
    const data = isWrapped ? (body as Tree).data : body;
    return { ok: true, data: decodeJsonString(data), inputVars: countLeaves(data) };
  }
  return { ok: false, message: 'Invalid request body' };
}

/** Some clients send `data=<json>` (a JSON string in a form field): accept it too. */
function decodeJsonString(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  const trimmed = data.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return data;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return data;
  }
}
