import type { TenantId } from '@invoicing/core';
import type { ImportJobState, ImportJobStore, RefusedRow } from './import-job-store.port';

/** {@link ImportJobStore} in memory: for tests and for the API without a database. */
export class InMemoryImportJobStore implements ImportJobStore {
  private readonly jobs = new Map<string, ImportJobState>();
  private readonly rows = new Map<string, RefusedRow[]>();

  async start(job: ImportJobState, staleAfterMs: number): Promise<{ readonly started: true } | { readonly started: false; readonly running: ImportJobState }> {
    const running = [...this.jobs.values()].find((other) => other.tenantId === job.tenantId && other.status === 'running');
    if (running) {
      if (job.startedAt.getTime() - running.updatedAt.getTime() <= staleAfterMs) return { started: false, running };
      this.jobs.set(key(running.tenantId, running.id), { ...running, status: 'interrupted', finishedAt: job.startedAt });
    }
    this.jobs.set(key(job.tenantId, job.id), job);
    return { started: true };
  }

  async update(job: ImportJobState): Promise<boolean> {
    if (this.jobs.get(key(job.tenantId, job.id))?.status !== 'running') return false;
    this.jobs.set(key(job.tenantId, job.id), job);
    return true;
  }

  async get(tenantId: TenantId, id: string): Promise<ImportJobState | undefined> {
    return this.jobs.get(key(tenantId, id));
  }

  async addRefused(tenantId: TenantId, jobId: string, rows: readonly RefusedRow[]): Promise<void> {
    const kept = this.rows.get(key(tenantId, jobId)) ?? [];
    kept.push(...rows);
    this.rows.set(key(tenantId, jobId), kept);
  }

  async *refused(tenantId: TenantId, jobId: string, after = 0): AsyncIterable<RefusedRow> {
    yield* [...(this.rows.get(key(tenantId, jobId)) ?? [])].filter((row) => row.row > after).sort((left, right) => left.row - right.row);
  }
}

function key(tenantId: TenantId, id: string): string {
  return `${tenantId}\u0000${id}`;
}
