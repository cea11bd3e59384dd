import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { TenantId } from '@invoicing/core';
import { HttpProblem, RETRY_AFTER_SECONDS } from '../http/problem';
import { fromWire, fromWireError, isSmall, runFileJob, type FileJob, type FileJobResult, type WireError, type WireResult } from './file-jobs';
import { WorkerPool } from './worker-pool';

/** How much file work the API takes on (README, "Configuration"; ADR 0028). */
export interface FileWorkSettings {
  /** Worker threads drawing PDFs and writing, validating and reading large e-invoices. */
  readonly workers: number;
  /** File requests of one tenant handled at once. */
  readonly perTenant: number;
  /** More of one tenant's file requests waiting their turn; beyond, 429 `file_work.tenant_busy`. */
  readonly queuePerTenant: number;
  /** File requests of all tenants handled at once. */
  readonly total: number;
  /** Requests of all tenants waiting for one of those; beyond, 503 `file_work.busy`. */
  readonly queueTotal: number;
}

/** What a file request's task is handed: its jobs run on a worker thread, or here when small. */
export interface FileJobs {
  run<J extends FileJob>(job: J): Promise<FileJobResult<J>>;
}

/** Where the file work went so far. */
export interface FileWorkCounts {
  /** Small jobs done on the event loop. */
  readonly inline: number;
  /** Jobs done on a worker thread. */
  readonly onWorkers: number;
  /** Requests refused: 429 for a tenant's share, 503 for the API's. */
  readonly refused: number;
}

interface Waiting {
  readonly start: () => void;
  readonly reject: (error: unknown) => void;
}

interface TenantWork {
  running: number;
  readonly waiting: Waiting[];
}

/**
 * The file requests of the API (PDFs, e-invoices, files validated and imported) and the threads that do their work
 * (ADR 0028). Drawing, writing and validating the file of a large document takes seconds of CPU: on the event loop,
 * every tenant's requests waited for it. Here:
 * - its jobs run on a few worker threads, each tenant's in turn, small ones where they are asked for;
 * - a tenant has at most `perTenant` file requests handled at once and `queuePerTenant` more waiting (429 beyond), and
 *   the API `total` at once and `queueTotal` waiting (503 beyond): what a request does on the event loop besides its
 *   jobs (reading the document, mapping it) and the memory it holds stay bounded too.
 * A request answered by its deadline keeps its place until its work is done (and kept, for a file), so a retry finds
 * it; one that has not started yet when its client goes is dropped.
 */
export class FileWork implements OnApplicationShutdown {
  private readonly pool: WorkerPool;
  private readonly tenants = new Map<string, TenantWork>();
  private running = 0;
  private waiting = 0;
  private tally = { inline: 0, onWorkers: 0, refused: 0 };

  constructor(
    private readonly settings: FileWorkSettings,
    spawn: () => Worker = spawnFileWorker,
  ) {
    this.pool = new WorkerPool({ size: settings.workers, spawn, decodeError: (error) => fromWireError(error as WireError) });
  }

  get counts(): FileWorkCounts {
    return { ...this.tally };
  }

  /**
   * Runs `task` as one of the tenant's file requests, once its turn comes.
   * @throws HttpProblem 429 `file_work.tenant_busy` when the tenant's share is taken, 503 `file_work.busy` when the
   *   API's is; `signal`'s reason when it aborts before the task starts; what `task` throws
   */
  async forTenant<T>(tenantId: TenantId, task: (jobs: FileJobs) => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.enter(tenantId, signal);
    try {
      return await task({ run: (job) => this.runJob(tenantId, job) });
    } finally {
      this.leave(tenantId);
    }
  }

  /** Stops the threads; jobs running or waiting fail. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** Nest stops the threads with the API. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private async runJob<J extends FileJob>(tenantId: TenantId, job: J): Promise<FileJobResult<J>> {
    if (isSmall(job)) {
      this.tally.inline += 1;
      return runFileJob(job);
    }
    this.tally.onWorkers += 1;
    return fromWire<J>(job.kind, (await this.pool.run(tenantId, job)) as WireResult);
  }

  private enter(tenantId: TenantId, signal: AbortSignal | undefined): Promise<void> {
    const tenant = this.tenants.get(tenantId) ?? { running: 0, waiting: [] };
    if (tenant.running + tenant.waiting.length >= this.settings.perTenant + this.settings.queuePerTenant) {
      this.tally.refused += 1;
      const share = this.settings.perTenant + this.settings.queuePerTenant;
      throw new HttpProblem(429, 'file_work.tenant_busy', `Your tenant has ${share} file requests (PDFs, e-invoices, files to validate or import) under way; retry once one is done.`, { limit: share }, { 'retry-after': RETRY_AFTER_SECONDS });
    }
    const runsNow = tenant.running < this.settings.perTenant && this.running < this.settings.total;
    if (!runsNow && this.waiting >= this.settings.queueTotal) {
      this.tally.refused += 1;
      throw new HttpProblem(503, 'file_work.busy', 'The API has as many file requests under way as it takes; retry shortly.', {}, { 'retry-after': RETRY_AFTER_SECONDS });
    }
    this.tenants.set(tenantId, tenant);
    if (runsNow) {
      tenant.running += 1;
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', gone);
          resolve();
        },
        reject,
      };
      const gone = () => {
        const at = tenant.waiting.indexOf(entry);
        if (at < 0) return;
        tenant.waiting.splice(at, 1);
        this.waiting -= 1;
        if (tenant.running === 0 && tenant.waiting.length === 0) this.tenants.delete(tenantId);
        reject(signal?.reason);
      };
      tenant.waiting.push(entry);
      this.waiting += 1;
      if (signal?.aborted) gone();
      else signal?.addEventListener('abort', gone, { once: true });
    });
  }

  private leave(tenantId: TenantId): void {
    const tenant = this.tenants.get(tenantId) as TenantWork;
    tenant.running -= 1;
    this.running -= 1;
    // Just served: to the back of the turn.
    this.tenants.delete(tenantId);
    if (tenant.running > 0 || tenant.waiting.length > 0) this.tenants.set(tenantId, tenant);
    this.startWaiting();
  }

  /** Starts waiting requests while there is room, one tenant after the other (the one served goes to the back). */
  private startWaiting(): void {
    let started = true;
    while (started && this.running < this.settings.total && this.waiting > 0) {
      started = false;
      for (const [tenantId, tenant] of this.tenants) {
        if (tenant.waiting.length === 0 || tenant.running >= this.settings.perTenant) continue;
        const next = tenant.waiting.shift() as Waiting;
        this.waiting -= 1;
        tenant.running += 1;
        this.running += 1;
        this.tenants.delete(tenantId);
        this.tenants.set(tenantId, tenant);
        next.start();
        started = true;
        break;
      }
    }
  }
}

/**
 * A thread running file-worker. From the sources (`npm start`, Jest), the thread has none of the TypeScript loader
 * its parent was started with: it takes the workspace's (`register-ts`), as the benchmarks' workers do. Built to
 * JavaScript, it needs none.
 */
function spawnFileWorker(): Worker {
  const fromSources = extname(__filename) === '.ts';
  const entry = join(__dirname, `file-worker${fromSources ? '.ts' : '.js'}`);
  // A name in a variable: what the thread loads, not a dependency of the API's own code.
  const loader = '@invoicing/scripts/register-ts';
  const options = { name: 'file-worker', resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } };
  return fromSources ? new Worker(`require(${JSON.stringify(require.resolve(loader))});\nrequire(${JSON.stringify(entry)});`, { ...options, eval: true }) : new Worker(entry, options);
}

/** A thread's heap: a few times what the largest PDF takes (about 150 MB), so that a runaway job ends its thread alone. */
const WORKER_HEAP_MB = 1024;
