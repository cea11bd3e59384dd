import type { TenantId } from '@invoicing/core';
import { visibleControls } from '../formats/csv/spreadsheet-text';
import type { ImportJobState, ImportJobStore, RefusedRow } from '../imports/import-job-store.port';
import { documentId } from './mappers/aggregate-document';
import { STORED_FORMAT } from './mappers/stored-format';
import { guarded, isDuplicateKey } from './mongo-errors';
import { op, text } from './query-support';
import type { Models } from './schemas';

type JobDocument = Omit<ImportJobState, 'tenantId'> & { _id: string; _v: number; tenantId: string; slot: string };

function toDocument(job: ImportJobState): JobDocument {
  return { ...storable(job), _id: documentId(job.tenantId, job.id), _v: STORED_FORMAT, slot: job.status === 'running' ? 'running' : job.id };
}

/**
 * A job or refused row with each control character in its texts shown as its Unicode picture (U+0000 as `␀`): what a
 * file holds is kept for its error report, and PostgreSQL (under FerretDB) refuses a document with U+0000 in it, which
 * would stop the import at its first refused row, on every run.
 */
function storable<T>(value: T): T {
  if (typeof value === 'string') return visibleControls(value) as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, storable(field)])) as T;
}

function toJob(document: JobDocument): ImportJobState {
  const { _id, _v, slot, ...job } = document;
  return job as ImportJobState;
}

/**
 * Import jobs in MongoDB. The unique (tenant, slot) index decides which start wins: a running job holds the slot
 * `running`, a finished one its own id. Refused rows go to their own collection, one document each. Control
 * characters are stored as their pictures ({@link storable}). An update writes what changes (status, counts, ignored
 * columns, times, error), never the header again.
 */
export class MongoImportJobStore implements ImportJobStore {
  constructor(private readonly models: Models) {}

  async start(job: ImportJobState, staleAfterMs: number): Promise<{ readonly started: true } | { readonly started: false; readonly running: ImportJobState }> {
    const jobs = this.models.import_jobs.collection;
    for (;;) {
      try {
        await guarded(() => jobs.insertOne(toDocument(job) as never));
        return { started: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const running = (await guarded(() => jobs.findOne({ tenantId: job.tenantId, slot: 'running' } as never))) as JobDocument | null;
      if (!running) continue;
      if (job.startedAt.getTime() - running.updatedAt.getTime() <= staleAfterMs) return { started: false, running: toJob(running) };
      // Its process stopped: free the slot, only if it is still the stale job holding it.
      await guarded(() =>
        jobs.updateOne({ _id: running._id, slot: 'running', updatedAt: running.updatedAt } as never, { $set: { slot: running.id, status: 'interrupted', finishedAt: job.startedAt } }),
      );
    }
  }

  async update(job: ImportJobState): Promise<boolean> {
    // What `start` stored of the file (its header: up to 1 MiB) is not written again with each batch's progress.
    const { _id, tenantId: _tenant, id: _jobId, sellerId: _seller, header: _header, delimiter: _delimiter, startedAt: _started, ...fields } = toDocument(job);
    const result = await guarded(() => this.models.import_jobs.collection.updateOne({ _id, status: 'running' } as never, { $set: fields }));
    return result.matchedCount === 1;
  }

  async get(tenantId: TenantId, id: string): Promise<ImportJobState | undefined> {
    const document = (await guarded(() => this.models.import_jobs.collection.findOne({ _id: documentId(tenantId, text(id)) } as never))) as JobDocument | null;
    return document ? toJob(document) : undefined;
  }

  async addRefused(tenantId: TenantId, jobId: string, rows: readonly RefusedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await guarded(() => this.models.import_job_rows.collection.insertMany(rows.map((row) => ({ ...storable(row), tenantId, jobId })) as never[], { ordered: false }));
  }

  async *refused(tenantId: TenantId, jobId: string, from = 0): AsyncIterable<RefusedRow> {
    // Page by row number, so a long report never holds a cursor open across slow writes of its reader.
    for (let after = from; ; ) {
      const page = await guarded(() =>
        this.models.import_job_rows
          .find({ tenantId, jobId: text(jobId), row: op({ $gt: after }) })
          .sort({ row: 1 })
          .limit(1000)
          .lean<(RefusedRow & { _id: unknown; tenantId: string; jobId: string })[]>()
          .exec(),
      );
      for (const { _id, tenantId: _tenant, jobId: _job, ...row } of page) yield row;
      const last = page.at(-1);
      if (!last || page.length < 1000) return;
      after = last.row;
    }
  }
}
