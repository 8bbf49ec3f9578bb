import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockError } from './data-dir-lock.ts';

describe('DATA_DIR lock', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mch-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the pid, refuses a second holder with a clear message, and releases', () => {
    const dataDir = tempDir();
    const lock = acquireDataDirLock(dataDir, { role: 'host' });
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, role: 'host' });
    let error: unknown;
    try {
      acquireDataDirLock(dataDir, { role: 'cli' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataDirLockError);
    expect((error as DataDirLockError).message).toContain(
      `The host is running on DATA_DIR=${dataDir} (pid ${process.pid})`,
    );
    expect((error as DataDirLockError).message).toMatch(/set DATABASE_URL/);
    lock.release();
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    acquireDataDirLock(dataDir, { role: 'cli' }).release();
  });

  it('takes over a stale lock whose process is gone', () => {
    const dataDir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dataDir, 'host.lock'), JSON.stringify({ pid: dead, role: 'host' }));
    const lock = acquireDataDirLock(dataDir, { role: 'cli' });
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('waits for a lock file that is still being written, and takes over an old unreadable one', () => {
    const dataDir = tempDir();
    const path = join(dataDir, 'host.lock');
    writeFileSync(path, '');
    const started = Date.now();
    // Fresh and empty: treated as being written for the grace period, then as stale.
    const lock = acquireDataDirLock(dataDir, { role: 'cli' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('does not remove a lock that another process took over', () => {
    const dataDir = tempDir();
    const lock = acquireDataDirLock(dataDir, { role: 'cli' });
    writeFileSync(lock.path, JSON.stringify({ pid: 1, role: 'host' }));
    lock.release();
    expect(existsSync(lock.path)).toBe(true);
  });
});
