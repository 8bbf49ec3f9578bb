import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keepSandboxState, loadSandboxState } from './persist.ts';

describe('sandbox state kept across restarts', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    dirs.push(dir);
    return join(dir, 'allegro');
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('gives the next run what the last one kept, owner-only', () => {
    const dir = freshDir();
    expect(loadSandboxState({ dir, version: 1 })).toBeUndefined();
    const state = { tokens: [['t1', { account: 0 }]], orders: 3 };
    const kept = keepSandboxState({ dir, version: 1, snapshot: () => state });
    state.orders = 4;
    kept.close();
    expect(loadSandboxState({ dir, version: 1 })).toEqual({ tokens: [['t1', { account: 0 }]], orders: 4 });
    expect(statSync(join(dir, 'state.json')).mode & 0o777).toBe(0o600);
  });

  it('writes changes on flush and ignores a snapshot of another version', () => {
    const dir = freshDir();
    let count = 1;
    const kept = keepSandboxState({ dir, version: 2, snapshot: () => ({ count }), everyMs: 60_000 });
    count = 2;
    kept.flush();
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).state).toEqual({ count: 2 });
    kept.close();
    expect(loadSandboxState({ dir, version: 3 })).toBeUndefined();
  });

  it('does nothing without a folder (tests and benchmarks stay in memory)', () => {
    const kept = keepSandboxState({ dir: undefined, version: 1, snapshot: () => ({}) });
    kept.close();
    expect(loadSandboxState({ dir: undefined, version: 1 })).toBeUndefined();
  });
});
