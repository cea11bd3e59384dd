import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Readable } from 'node:stream';
import { CLOCK, ConflictError, DomainError, definedFields, type Clock } from '@invoicing/core';
import type { ReceivablesImport } from '@invoicing/invoice';
import { MAX_REFUSED_ROWS_KEPT, currentEventOrigin, refusedRowOf, runAs, type ImportJobState, type ImportJobStore, type RefusedRow } from '@invoicing/integration';
import { echoedNames, importReceivablesCsv, shortened, type ReceivablesMapping } from '@invoicing/integration/formats';
import type { FastifyBaseLogger } from 'fastify';
import { IMPORT_JOB_STORE } from '../composition/tokens';

/** Rows per batch: each batch writes the job's progress, its heartbeat. */
const BATCH_ROWS = 200;

/** A running job whose heartbeat is older than this is taken as stopped (its process died): another may start. */
export const IMPORT_STALE_AFTER_MS = 5 * 60_000;

/**
 * Carries out accounts-receivable imports in the background of this process: the request that sends the file answers
 * at once (202) with the job, and the rows are imported behind it, batch by batch, each batch writing the job's counts
 * and the rows it refused. The event loop stays free: every row awaits the database.
 */
@Injectable()
export class ReceivablesImportRunner implements OnModuleDestroy {
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    @Inject(IMPORT_JOB_STORE) private readonly jobs: ImportJobStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Imports `file` into the started import, recording progress on `job` until it is over. */
  carryOut(job: ImportJobState, importer: ReceivablesImport, file: Buffer, mapping: ReceivablesMapping, log: FastifyBaseLogger): void {
    // What an import records is the system's doing, in the request that sent the file (docs/events.md, "Actor").
    const origin = { actor: { type: 'system' as const, id: 'import' }, ...definedFields({ requestId: currentEventOrigin()?.requestId }) };
    const done = runAs(origin, () => this.run(job, importer, file, mapping)).then(
      (finished) => log.info({ tenantId: job.tenantId, importId: job.id, status: finished.status, counts: finished.counts }, 'receivables import finished'),
      (error: unknown) => log.error({ tenantId: job.tenantId, importId: job.id, err: error }, 'receivables import stopped'),
    );
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }

  private async run(started: ImportJobState, importer: ReceivablesImport, file: Buffer, mapping: ReceivablesMapping): Promise<ImportJobState> {
    let job = started;
    let kept = 0;
    let refused: RefusedRow[] = [];
    const flushRefused = async () => {
      const rows = refused;
      refused = [];
      await this.jobs.addRefused(job.tenantId, job.id, rows);
    };
    try {
      const report = await importReceivablesCsv(Readable.from([file]), importer, {
        mapping,
        batchSize: BATCH_ROWS,
        signal: this.stopping.signal,
        onRow: (row) => {
          if (row.outcome !== 'refused' || kept >= MAX_REFUSED_ROWS_KEPT) return;
          kept += 1;
          refused.push(refusedRowOf(row));
        },
        onProgress: async (counts) => {
          // The first names and a count: a job's document stays small whatever the header.
          job = { ...job, counts: countsOf(counts), ignoredColumns: echoedNames(counts.ignoredColumns), ignoredColumnCount: counts.ignoredColumns.length, updatedAt: this.clock.now() };
          await flushRefused();
          if (!(await this.jobs.update(job))) {
            // Taken for stopped (no progress for IMPORT_STALE_AFTER_MS) and replaced by another import of the tenant:
            // two imports at once would each pay from what they read before the other's payments.
            throw new ConflictError('import.taken_over', 'another import of this tenant started, taking this one for stopped; send the file again once it is over');
          }
        },
      });
      await flushRefused();
      const at = this.clock.now();
      // Stopped by a shutdown: what was imported stays; the job says interrupted, and the file can be sent again.
      job = { ...job, counts: countsOf(report), status: report.stopped ? 'interrupted' : 'completed', updatedAt: at, finishedAt: at };
    } catch (error) {
      const at = this.clock.now();
      const reason = error instanceof DomainError ? { code: error.code, message: shortened(error.message, 1_000) } : { code: 'import.failed', message: 'the import stopped on an unexpected error; send the file again' };
      job = { ...job, status: 'failed', error: reason, updatedAt: at, finishedAt: at };
      await flushRefused().catch(() => undefined);
    }
    return this.end(job);
  }

  /**
   * Writes the job's end; when that write fails, a minimal `failed` one (status, error, counts): left `running`, the job
   * would hold the tenant's imports until its heartbeat went stale, and never say how it ended.
   * @throws the minimal write's failure (the database gone: the job reads `interrupted` once stale)
   */
  private async end(job: ImportJobState): Promise<ImportJobState> {
    try {
      await this.jobs.update(job);
      return job;
    } catch {
      const error =
        job.status === 'failed' && job.error !== undefined
          ? job.error
          : { code: 'import.failed', message: `${job.status === 'completed' ? 'the import read its file to the end, but its outcome' : 'the end of the import'} could not be recorded; send the file again: nothing is imported twice` };
      const failed: ImportJobState = { ...job, status: 'failed', error, ignoredColumns: [] };
      await this.jobs.update(failed);
      return failed;
    }
  }

  /** Resolves once the imports under way are over (whatever their outcome), without stopping them. */
  async idle(): Promise<void> {
    await Promise.all(this.running);
  }

  /** On shutdown, before the database closes: imports stop after their current batch. */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.running);
  }
}

function countsOf(report: { rowsRead: number; imported: number; updated: number; unchanged: number; refused: number }) {
  return { rowsRead: report.rowsRead, imported: report.imported, updated: report.updated, unchanged: report.unchanged, refused: report.refused };
}
