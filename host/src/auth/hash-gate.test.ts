import { describe, expect, it } from 'vitest';
import { HostError } from '../errors.ts';
import { defaultHashConcurrency, HashGate, type HashStart } from './hash-gate.ts';

/** A job that finishes when told to, recording the order in which jobs started. */
function controllable(started: string[], name: string) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => (started.push(name), done), finish: () => finish() };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('hash gate', () => {
  it('runs at most `concurrency` normal hashes at once, trusted first, and refuses a full lane at once', async () => {
    const gate = new HashGate({ concurrency: 1, reserved: 0, maxWaiting: { trusted: 1, normal: 1 } });
    const started: string[] = [];
    const a = controllable(started, 'a');
    const b = controllable(started, 'b');
    const c = controllable(started, 'c');
    const ra = gate.run('normal', a.work);
    const rb = gate.run('normal', b.work);
    const rc = gate.run('trusted', c.work);
    expect(gate.load).toMatchObject({ running: 1, trusted: 1, normal: 1 });
    await expect(gate.run('normal', () => Promise.resolve())).rejects.toThrow(
      /Sign-in is very busy right now; try again in a few seconds\./,
    );
    a.finish();
    await ra;
    // The trusted job, queued last, runs before the normal one queued earlier.
    await tick();
    expect(started).toEqual(['a', 'c']);
    c.finish();
    await rc;
    await tick();
    expect(started).toEqual(['a', 'c', 'b']);
    b.finish();
    await rb;
    expect(gate.load).toMatchObject({ running: 0, trusted: 0, normal: 0 });
  });

  it('keeps a reserved slot for the trusted lane: a trusted hash never waits behind normal ones', async () => {
    const gate = new HashGate({ concurrency: 2, reserved: 1, maxWaiting: { trusted: 4, normal: 4 } });
    const starts: HashStart[] = [];
    const stop = gate.observe((start) => starts.push(start));
    const started: string[] = [];
    const flood = Array.from({ length: 6 }, (_, i) => controllable(started, `n${i}`));
    const floodRuns = flood.map((job) => gate.run('normal', job.work));
    await tick();
    // Two normal hashes run, four wait: the third slot stays free.
    expect(started).toEqual(['n0', 'n1']);
    expect(gate.load).toMatchObject({ running: 2, normal: 4 });
    const trusted = controllable(started, 't');
    const trustedRun = gate.run('trusted', trusted.work);
    await tick();
    expect(started).toEqual(['n0', 'n1', 't']);
    expect(starts.find((s) => s.lane === 'trusted')).toMatchObject({ queued: false, normalRunning: 2 });
    // A finishing normal hash hands its slot to a normal waiter, never beyond two at once.
    flood[0]!.finish();
    await floodRuns[0];
    await tick();
    expect(started).toEqual(['n0', 'n1', 't', 'n2']);
    expect(gate.load.running).toBe(3);
    trusted.finish();
    await trustedRun;
    await tick();
    expect(started).toEqual(['n0', 'n1', 't', 'n2']);
    for (const job of flood) job.finish();
    await Promise.all(floodRuns);
    expect(starts.filter((s) => s.lane === 'normal').every((s) => s.normalRunning < 2)).toBe(true);
    stop();
    expect(gate.load).toMatchObject({ running: 0, trusted: 0, normal: 0 });
  });

  it('gives one source at most one normal slot: another source never waits behind its flood', async () => {
    const gate = new HashGate({ concurrency: 2, reserved: 1, maxWaiting: { trusted: 4, normal: 4 } });
    const starts: HashStart[] = [];
    gate.observe((start) => starts.push(start));
    const started: string[] = [];
    const flood = Array.from({ length: 3 }, (_, i) => controllable(started, `f${i}`));
    const floodRuns = flood.map((job) => gate.run({ lane: 'normal', source: '198.51.100.7' }, job.work));
    await tick();
    expect(started).toEqual(['f0']);
    const user = controllable(started, 'user');
    const userRun = gate.run({ lane: 'normal', source: '192.0.2.10' }, user.work);
    await tick();
    expect(started).toEqual(['f0', 'user']);
    expect(starts.find((s) => s.source === '192.0.2.10')).toMatchObject({ queued: false, normalRunning: 1 });
    // The flood's next attempt starts only when its own previous one ends.
    user.finish();
    await userRun;
    await tick();
    expect(started).toEqual(['f0', 'user']);
    flood[0]!.finish();
    await floodRuns[0];
    await tick();
    expect(started).toEqual(['f0', 'user', 'f1']);
    for (const job of flood) job.finish();
    await Promise.all(floodRuns);
    expect(gate.load).toMatchObject({ running: 0, normal: 0 });
  });

  it('with one normal slot, hands it to another source before a flood’s next attempt', async () => {
    const gate = new HashGate({ concurrency: 1, reserved: 1, maxWaiting: { trusted: 4, normal: 4 } });
    const starts: HashStart[] = [];
    gate.observe((start) => starts.push(start));
    const started: string[] = [];
    const flood = Array.from({ length: 3 }, (_, i) => controllable(started, `f${i}`));
    const floodRuns = flood.map((job) => gate.run({ lane: 'normal', source: '198.51.100.7' }, job.work));
    await tick();
    const user = controllable(started, 'user');
    const userRun = gate.run({ lane: 'normal', source: '192.0.2.10' }, user.work);
    await tick();
    // The user queued behind the flood's running hash (the only normal slot) and its waiters...
    expect(started).toEqual(['f0']);
    flood[0]!.finish();
    await floodRuns[0];
    await tick();
    // ...and is served as soon as that one hash ends, ahead of the flood's earlier waiters.
    expect(started).toEqual(['f0', 'user']);
    expect(starts.find((s) => s.source === '192.0.2.10')).toMatchObject({ queued: true, overtaken: 0 });
    expect(starts.filter((s) => s.source === '198.51.100.7').map((s) => s.overtaken)).toEqual([0]);
    user.finish();
    await userRun;
    await tick();
    expect(started).toEqual(['f0', 'user', 'f1']);
    for (const job of flood) job.finish();
    await Promise.all(floodRuns);
    // f1 waited from before the user came, and the user's hash went ahead of it.
    expect(starts.find((s) => s.source === '198.51.100.7' && s.overtaken > 0)?.overtaken).toBe(1);
    expect(gate.load).toMatchObject({ running: 0, normal: 0 });
  });

  it('sizes the normal lane to the cores but one and the thread pool but two', () => {
    expect([1, 2, 3, 8].map((cores) => defaultHashConcurrency(cores, 4))).toEqual([1, 1, 2, 2]);
    expect(defaultHashConcurrency(8, 16)).toBe(7);
  });

  it('admits at most slots + waiting sign-ins per lane, before any work, and releases once', () => {
    const gate = new HashGate({ concurrency: 2, reserved: 1, maxWaiting: { trusted: 1, normal: 2 } });
    const normal = Array.from({ length: 4 }, () => gate.admit('normal'));
    let refused: unknown;
    try {
      gate.admit('normal');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(HostError);
    expect((refused as HostError).code).toBe('SERVICE_UNAVAILABLE');
    // The trusted lane is admitted on its own count (3 slots + 1 waiting).
    const trusted = Array.from({ length: 4 }, () => gate.admit('trusted'));
    expect(() => gate.admit('trusted')).toThrow(HostError);
    expect(gate.load.admitted).toEqual({ trusted: 4, normal: 4 });
    normal[0]!();
    normal[0]!();
    expect(gate.load.admitted.normal).toBe(3);
    expect(() => gate.admit('normal')).not.toThrow();
    for (const release of [...normal, ...trusted]) release();
    expect(gate.load.admitted).toEqual({ trusted: 0, normal: 1 });
  });
});
