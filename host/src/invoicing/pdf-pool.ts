import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { renderInvoicePdf, type InvoicePdfInput } from './pdf.ts';
import type { RenderReply, RenderRequest } from './pdf-worker.ts';

interface Job {
  resolve(pdf: Buffer): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  jobs: Map<number, Job>;
}

/**
 * Default render threads: every core but one (the event loop's), at least one, at most four. A
 * render takes ~2 ms; more threads than cores only take CPU from the event loop and the database.
 */
export function defaultPdfThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * Renders invoice PDFs on worker threads, so rendering (CPU-bound, a few ms each) never blocks the
 * event loop that serves HTTP and runs syncs. Each render goes to the thread with the fewest
 * jobs; a thread that dies fails its own jobs and is replaced on the next render. `threads: 0`
 * renders on the calling thread. Threads start on first use and do not keep the process alive.
 */
export class PdfRenderPool {
  readonly #size: number;
  readonly #threads: (Thread | undefined)[];
  #next = 0;
  #closed = false;

  constructor(options: { threads?: number } = {}) {
    this.#size = Math.max(0, Math.floor(options.threads ?? defaultPdfThreads()));
    this.#threads = Array.from({ length: this.#size }, () => undefined);
  }

  get threads(): number {
    return this.#size;
  }

  render(input: InvoicePdfInput): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new Error('The PDF renderer is closed.'));
    if (this.#size === 0) return renderInvoicePdf(input);
    return this.#post(this.#pick(), input);
  }

  /** Starts every thread and renders `sample` on each (loads pdfkit, parses the fonts). */
  async warmUp(sample: InvoicePdfInput): Promise<void> {
    if (this.#size === 0) {
      await renderInvoicePdf(sample);
      return;
    }
    await Promise.all(
      this.#threads.map((t, slot) => this.#post((this.#threads[slot] = t ?? this.#spawn(slot)), sample)),
    );
  }

  #post(thread: Thread, input: InvoicePdfInput): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new Error('The PDF renderer is closed.'));
    const id = ++this.#next;
    return new Promise<Buffer>((resolve, reject) => {
      thread.jobs.set(id, { resolve, reject });
      try {
        thread.worker.postMessage({ id, input } satisfies RenderRequest);
      } catch (error) {
        // Input that cannot be cloned (a function, say) is a caller's bug: say so.
        thread.jobs.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const threads = this.#threads.filter((t): t is Thread => t !== undefined);
    this.#threads.fill(undefined);
    const closed = new Error('The PDF renderer is closed.');
    for (const t of threads) for (const job of t.jobs.values()) job.reject(closed);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #pick(): Thread {
    let best: Thread | undefined;
    for (let i = 0; i < this.#size; i++) {
      const thread = (this.#threads[i] ??= this.#spawn(i));
      if (!best || thread.jobs.size < best.jobs.size) best = thread;
    }
    return best!;
  }

  #spawn(slot: number): Thread {
    const worker = new Worker(new URL('./pdf-worker.ts', import.meta.url));
    worker.unref();
    const thread: Thread = { worker, jobs: new Map() };
    worker.on('message', (reply: RenderReply) => {
      const job = thread.jobs.get(reply.id);
      if (!job) return;
      thread.jobs.delete(reply.id);
      if ('error' in reply) job.reject(new Error(reply.error));
      else job.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
    });
    const fail = (error: Error) => {
      if (this.#threads[slot] === thread) this.#threads[slot] = undefined;
      for (const job of thread.jobs.values()) job.reject(error);
      thread.jobs.clear();
    };
    worker.on('error', (error: Error) => fail(new Error(`The PDF render thread failed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!this.#closed) fail(new Error(`The PDF render thread stopped (exit code ${code}).`));
    });
    return thread;
  }
}
