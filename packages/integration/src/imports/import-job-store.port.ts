import type { TenantId } from '@invoicing/core';
import type { RowProblem, RowReport } from '../formats/csv';

/** Where an import job is: `interrupted` when the process carrying it out stopped (its heartbeat went stale). */
export type ImportJobStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/** The counts of an import job, as it goes and at the end. */
export interface ImportJobCounts {
  readonly rowsRead: number;
  readonly imported: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly refused: number;
}

/** An accounts-receivable file being imported, or imported, through the API: its progress and outcome. */
export interface ImportJobState {
  readonly tenantId: TenantId;
  readonly id: string;
  /** The tenant's own company, seller of the imported invoices. */
  readonly sellerId: string;
  readonly status: ImportJobStatus;
  readonly counts: ImportJobCounts;
  /** The file's header, as read: the columns of the error report. */
  readonly header: readonly string[];
  /** How the file's values are separated (`,` when absent: jobs stored before it was kept): the error report's too. */
  readonly delimiter?: ',' | ';' | '\t';
  /** Columns of the file no field reads: the first 100, each cut to 100 characters. */
  readonly ignoredColumns: readonly string[];
  /** How many columns no field reads, when known (jobs stored before it was kept list them all). */
  readonly ignoredColumnCount?: number;
  readonly startedAt: Date;
  /** Written with each batch: the job's heartbeat. */
  readonly updatedAt: Date;
  readonly finishedAt?: Date;
  /** Why a `failed` job stopped: a file that cannot be read (`csv.*`), or the database gone. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** A refused row of a job, kept for its error report. */
export interface RefusedRow {
  readonly row: number;
  readonly invoiceNumber?: string;
  readonly problems: readonly RowProblem[];
  readonly values: readonly string[];
}

/** What a job keeps of a row the import refused. */
export function refusedRowOf(report: RowReport): RefusedRow {
  return { row: report.row, ...(report.invoiceNumber === undefined ? {} : { invoiceNumber: report.invoiceNumber }), problems: report.problems, values: report.values };
}

/** No refused rows are kept past this many per job: the counts still say how many there were. */
export const MAX_REFUSED_ROWS_KEPT = 100_000;

/**
 * Port: import jobs and their refused rows. A tenant has at most one `running` job: starting a second answers the
 * running one, unless its heartbeat (`updatedAt`) is older than `staleAfterMs`, in which case it is marked
 * `interrupted` and the new one starts. Safe with several API processes: the store decides, not the caller.
 */
export interface ImportJobStore {
  start(job: ImportJobState, staleAfterMs: number): Promise<{ readonly started: true } | { readonly started: false; readonly running: ImportJobState }>;
  /**
   * Saves the job's progress or outcome: status, counts, ignored columns, times and error (what `start` stored of the
   * file, its header, delimiter and seller, does not change). A job marked interrupted since (another import took the
   * tenant's slot, taking this one for stopped) is left as it is, and the answer is false: its runner must stop.
   */
  update(job: ImportJobState): Promise<boolean>;
  get(tenantId: TenantId, id: string): Promise<ImportJobState | undefined>;
  addRefused(tenantId: TenantId, jobId: string, rows: readonly RefusedRow[]): Promise<void>;
  /** The refused rows kept, in row order, from the one after row `after` (0: from the first). */
  refused(tenantId: TenantId, jobId: string, after?: number): AsyncIterable<RefusedRow>;
}
