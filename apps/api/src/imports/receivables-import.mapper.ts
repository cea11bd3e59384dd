import { definedFields } from '@invoicing/core';
import type { ImportJobState, RefusedRow } from '@invoicing/integration';
import type { ReceivablesImportDto, RefusedRowDto } from './receivables-import.response.dto';

/** An import job as the API answers it. */
export function toImportResponse(job: ImportJobState): ReceivablesImportDto {
  return {
    id: job.id,
    sellerId: job.sellerId,
    status: job.status,
    counts: { ...job.counts },
    ignoredColumns: [...job.ignoredColumns],
    ignoredColumnCount: job.ignoredColumnCount ?? job.ignoredColumns.length,
    startedAt: job.startedAt,
    updatedAt: job.updatedAt,
    ...definedFields({ finishedAt: job.finishedAt, error: job.error && { ...job.error } }),
  };
}

/** A refused row as the API answers it. */
export function toRefusedRowResponse(row: RefusedRow): RefusedRowDto {
  return {
    row: row.row,
    ...definedFields({ invoiceNumber: row.invoiceNumber }),
    values: [...row.values],
    problems: row.problems.map((problem) => ({ ...definedFields({ column: problem.column, field: problem.field }), code: problem.code, message: problem.message })),
  };
}
