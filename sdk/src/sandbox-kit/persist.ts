import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a sandbox remembers across restarts when it is given `SandboxOptions.stateDir` (demo mode
 * keeps one folder per sandbox in the host's data folder): tokens it issued, orders it served,
 * documents it took. A sandbox opts in by loading its snapshot before it builds its stores and by
 * handing a `snapshot()` function to `keepSandboxState`, which writes it when it changed (every
 * `everyMs`, and on `close()`). Without `stateDir` both are no-ops: tests stay in memory.
 */

const STATE_FILE = 'state.json';

interface StoredState<T> {
  version: number;
  savedAt: string;
  state: T;
}

/** The snapshot saved under `dir` by a sandbox of the same `version`, or undefined (none, unreadable, older). */
export function loadSandboxState<T>(input: { dir: string | undefined; version: number }): T | undefined {
  if (!input.dir) return undefined;
  try {
    const stored = JSON.parse(readFileSync(join(input.dir, STATE_FILE), 'utf8')) as StoredState<T>;
    return stored.version === input.version ? stored.state : undefined;
  } catch {
    return undefined;
  }
}

export interface KeptState {
  /** Writes the snapshot now if it changed since the last write. */
  flush(): void;
  /** Stops the timer and writes the last snapshot. */
  close(): void;
}

/**
 * Keeps `snapshot()` in `dir` (owner-only, written to a temporary file then renamed, so a crash
 * mid-write leaves the previous snapshot whole). A snapshot must be plain JSON.
 */
export function keepSandboxState(input: {
  dir: string | undefined;
  version: number;
  snapshot: () => unknown;
  everyMs?: number;
}): KeptState {
  const { dir } = input;
  if (!dir) return { flush: () => undefined, close: () => undefined };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, STATE_FILE);
  let last = '';
  const flush = (): void => {
    const state = JSON.stringify(input.snapshot());
    if (state === last) return;
    const body = `{"version":${input.version},"savedAt":${JSON.stringify(new Date().toISOString())},"state":${state}}\n`;
    writeFileSync(`${file}.tmp`, body, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    last = state;
  };
  flush();
  const timer = setInterval(flush, input.everyMs ?? 1000);
  timer.unref();
  return {
    flush,
    close() {
      clearInterval(timer);
      flush();
    },
  };
}
