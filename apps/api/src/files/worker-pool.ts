import type { Worker } from 'node:worker_threads';

/** What a pool's worker answers each message `{ id, input }` with. */
export type WorkerAnswer = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: unknown };

export interface WorkerPoolOptions {
  /** Threads at most; each is started at its first job and kept. */
  readonly size: number;
  /** Starts a thread that answers each `{ id, input }` it is sent with one {@link WorkerAnswer}. */
  readonly spawn: () => Worker;
  /** The error a job is rejected with, from what its worker sent. */
  readonly decodeError: (error: unknown) => Error;
}

interface Job {
  readonly id: number;
  readonly input: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A few worker threads and the jobs waiting for them, one queue per owner (a tenant) taken in turn: an owner with many
 * jobs waiting delays another's by one job at most, not by all of its own. A thread that dies (an uncaught error, out
 * of memory) fails its job only, and another is started for the next.
 */
export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  /** Insertion order is the turn: an owner served goes to the back. */
  private readonly queues = new Map<string, Job[]>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  /** Runs `input` on a thread, after the jobs already waiting, each owner in turn. */
  run(owner: string, input: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the file workers are stopped'));
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(owner);
      const job = { id: this.nextId++, input, resolve, reject };
      if (queue) queue.push(job);
      else this.queues.set(owner, [job]);
      this.dispatch();
    });
  }

  /** Threads started and not stopped. */
  get threads(): number {
    return this.idle.length + this.busy.size;
  }

  /** Stops every thread; jobs running or waiting are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('the file workers are stopped');
    for (const queue of this.queues.values()) for (const job of queue) job.reject(stopped);
    this.queues.clear();
    const workers = [...this.idle, ...this.busy.keys()];
    for (const job of this.busy.values()) job.reject(stopped);
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queues.size > 0) {
      const worker = this.idle.pop() ?? (this.threads < this.options.size ? this.start() : undefined);
      if (worker === undefined) return;
      const [owner, queue] = this.queues.entries().next().value as [string, Job[]];
      const job = queue.shift() as Job;
      this.queues.delete(owner);
      if (queue.length > 0) this.queues.set(owner, queue);
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage({ id: job.id, input: job.input });
    }
  }

  private start(): Worker {
    const worker = this.options.spawn();
    worker.on('message', (answer: WorkerAnswer) => {
      const job = this.busy.get(worker);
      if (job === undefined || job.id !== answer.id) return;
      this.busy.delete(worker);
      // An idle thread does not keep the process alive.
      worker.unref();
      this.idle.push(worker);
      if (answer.ok) job.resolve(answer.value);
      else job.reject(this.options.decodeError(answer.error));
      this.dispatch();
    });
    const lost = (error: Error) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      job?.reject(error);
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (error) => lost(new Error(`a file worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => lost(new Error(`a file worker stopped (exit code ${code})`)));
    return worker;
  }
}
