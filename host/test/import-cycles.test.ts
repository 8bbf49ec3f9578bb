// The host's modules form no import cycle, type imports included (a cycle through `import type`
// still ties the modules' designs together): each part is built from the parts below it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCycles, importGraph } from './support/import-graph.ts';

describe('import graph of host/src', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mch-cycles-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds a cycle that exists only through type imports', () => {
    mkdirSync(join(scratch, 'api'));
    mkdirSync(join(scratch, 'app'));
    writeFileSync(join(scratch, 'api/context.ts'), "import type { S } from '../app/services.ts';\n");
    writeFileSync(join(scratch, 'app/services.ts'), "export type S = import('./svc.ts').T;\n");
    writeFileSync(join(scratch, 'app/svc.ts'), "export { type C as T } from '../api/context.ts';\n");
    writeFileSync(join(scratch, 'leaf.ts'), "import './app/svc.ts';\n");
    expect(findCycles(importGraph(scratch))).toEqual([
      ['api/context.ts', 'app/services.ts', 'app/svc.ts', 'api/context.ts'],
    ]);
  });

  it('has no cycle', () => {
    const graph = importGraph(resolve(import.meta.dirname, '../src'));
    expect(graph.size).toBeGreaterThan(100);
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
