/**
 * A FIFO mutex. The embedded database (PGlite) runs one session at a time, so every caller —
 * the ORM, the scheduler, raw SQL — takes this lock for the whole of its "connection"
 * (one query, or a whole transaction). SPEC "Stack": a query issued while another caller holds
 * a PGlite transaction would otherwise land inside that transaction.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;

  /** Resolves with a release function once the lock is ours. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => mine);
    this.#waiting++;
    await previous;
    this.#waiting--;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  }

  get waiting(): number {
    return this.#waiting;
  }
}
