import { describe, expect, it } from 'vitest';
import { HostError } from '../errors.ts';
import { HashGate } from './hash-gate.ts';

/** A job that finishes when told to, recording the order in which jobs started. */
function controllable(started: string[], name: string) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => (started.push(name), done), finish: () => finish() };
}

describe('hash gate', () => {
  it('runs at most `concurrency` at once, trusted before normal, and refuses a full lane at once', async () => {
    const gate = new HashGate({ concurrency: 1, maxWaiting: { trusted: 1, normal: 1 } });
    const started: string[] = [];
    const a = controllable(started, 'a');
    const b = controllable(started, 'b');
    const c = controllable(started, 'c');
    const ra = gate.run('normal', a.work);
    const rb = gate.run('normal', b.work);
    const rc = gate.run('trusted', c.work);
    expect(gate.load).toEqual({ running: 1, trusted: 1, normal: 1 });
    await expect(gate.run('normal', () => Promise.resolve())).rejects.toThrow(HostError);
    expect(() => gate.assertRoom('normal')).toThrow(
      /Sign-in is very busy right now; try again in a few seconds\./,
    );
    a.finish();
    await ra;
    // The trusted job, queued last, runs before the normal one queued earlier.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toEqual(['a', 'c']);
    c.finish();
    await rc;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toEqual(['a', 'c', 'b']);
    b.finish();
    await rb;
    expect(gate.load).toEqual({ running: 0, trusted: 0, normal: 0 });
  });
});
