import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded database belongs to one process (SPEC "Running it"): PGlite files opened by two
 * processes at once get corrupted. Whoever opens `<DATA_DIR>/pgdata` first holds `<DATA_DIR>/host.lock`
 * (its pid); a lock whose pid is dead is taken over. Only the embedded mode needs it — a PostgreSQL
 * server arbitrates its own clients.
 */
export const LOCK_FILE = 'host.lock';

export type LockRole = 'host' | 'cli';

export interface DataDirLock {
  path: string;
  /** Removes the lock if it is still ours. Idempotent; also runs at process exit. */
  release(): void;
}

interface LockContent {
  pid: number;
  role: LockRole | 'unknown';
  startedAt?: string;
  /** Empty or unreadable: possibly being written by a process that just created it. */
  torn?: boolean;
}

/** An unreadable lock younger than this is treated as being written, not as stale. */
const TORN_GRACE_MS = 2_000;
const RETRY_SLEEP_MS = 50;
const MAX_ATTEMPTS = Math.ceil(TORN_GRACE_MS / RETRY_SLEEP_MS) + 5;

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

export class DataDirLockError extends Error {
  override name = 'DataDirLockError';
  readonly code = 'DATA_DIR_LOCKED';
  readonly holderPid: number;
  readonly holderRole: LockContent['role'];

  constructor(message: string, holder: LockContent) {
    super(message);
    this.holderPid = holder.pid;
    this.holderRole = holder.role;
  }
}

function readLock(path: string): LockContent | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    if (typeof parsed.pid === 'number')
      return {
        pid: parsed.pid,
        role: parsed.role ?? 'unknown',
        ...(parsed.startedAt ? { startedAt: parsed.startedAt } : {}),
      };
  } catch {
    // A bare pid (or a torn write) is read below.
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isFinite(pid) && pid > 0 ? { pid, role: 'unknown' } : { pid: 0, role: 'unknown', torn: true };
}

/** Signal 0 probes without signalling: ESRCH means gone; EPERM means alive but not ours. */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function refusal(dataDir: string, path: string, role: LockRole, holder: LockContent): DataDirLockError {
  const stale = `If no such process exists (a reused pid), delete ${path}.`;
  if (holder.role === 'host' && role === 'cli') {
    return new DataDirLockError(
      `The host is running on DATA_DIR=${dataDir} (pid ${holder.pid}) and its embedded database belongs to it. ` +
        `Stop it, or run this command against the running host's API / set DATABASE_URL to use a PostgreSQL server. ${stale}`,
      holder,
    );
  }
  const who =
    holder.role === 'cli' ? 'a host command' : holder.role === 'host' ? 'another host' : 'another process';
  return new DataDirLockError(
    `DATA_DIR=${dataDir} is in use by ${who} (pid ${holder.pid}); its embedded database allows one process at a time. ` +
      `Wait for it to finish or stop it. ${stale}`,
    holder,
  );
}

export function acquireDataDirLock(dataDir: string, { role }: { role: LockRole }): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE);
  const content: LockContent = { pid: process.pid, role, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(content)}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLock(path);
      if (!holder) continue; // released between our attempt and the read: try again
      if (holder.torn && ageMs(path) < TORN_GRACE_MS) {
        // Another process created it a moment ago and is still writing its pid: look again.
        sleepSync(RETRY_SLEEP_MS);
        continue;
      }
      if (holder.pid === process.pid || isAlive(holder.pid)) throw refusal(dataDir, path, role, holder);
      // Stale: its process died without cleaning up. Take it over.
      try {
        unlinkSync(path);
      } catch (unlinkError) {
        if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkError;
      }
      continue;
    }
    // Two processes taking over the same stale lock could both unlink; the loser sees another pid here.
    const written = readLock(path);
    if (written?.pid !== process.pid) {
      if (written && !written.torn) throw refusal(dataDir, path, role, written);
      continue;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.removeListener('exit', release);
      if (readLock(path)?.pid !== process.pid) return;
      try {
        unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    };
    process.once('exit', release);
    return { path, release };
  }
  throw new Error(
    `Could not create ${path}: it keeps appearing and disappearing; is another process starting?`,
  );
}
