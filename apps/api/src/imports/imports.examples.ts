import { ErrorReportWriter } from '@invoicing/integration/formats';
import { PAGED, SIGNED_IN, VALIDATED, WITH_BODY, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { toImportResponse, toRefusedRowResponse } from './receivables-import.mapper';

/** What each import operation may answer, by status: the CSV route, the header and mapping checks, the job store. */
export const IMPORT_PROBLEM_CODES = {
  startReceivablesImport: answers(SIGNED_IN, WITH_BODY, VALIDATED, {
    404: ['partner.not_found'],
    409: ['import.in_progress'],
    413: ['request.too_large'],
    415: ['request.unsupported_media_type'],
    422: ['csv.empty', 'csv.missing_columns', 'csv.duplicate_column', 'csv.invalid_mapping', 'csv.malformed', 'csv.too_many_columns', 'csv.not_utf8'],
  }),
  getReceivablesImport: answers(SIGNED_IN, { 404: ['receivables_import.not_found'] }),
  getImportErrors: answers(SIGNED_IN, { 404: ['receivables_import.not_found'] }),
  listRefusedRows: answers(SIGNED_IN, PAGED, { 404: ['receivables_import.not_found'] }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the import operations, by operation id: Nordlicht's old receivables (example-scenario.ts). */
export const importExamples: ExamplesOf<keyof typeof IMPORT_PROBLEM_CODES> = ({ imports }) => {
  let report = '';
  const writer = new ErrorReportWriter('csv', imports.job.header, (chunk) => (report += chunk));
  for (const row of imports.refused) writer.add({ ...row, outcome: 'refused', changes: [] });
  writer.end();
  const running = { ...imports.job, status: 'running' as const, counts: { rowsRead: 0, imported: 0, updated: 0, unchanged: 0, refused: 0 }, updatedAt: imports.job.startedAt };
  const { finishedAt: _finished, ...started } = running;
  return {
    startReceivablesImport: {
      request: imports.file,
      response: toImportResponse(started),
      problems: ['csv.missing_columns', 'import.in_progress', 'partner.not_found', 'request.unsupported_media_type'],
    },
    getReceivablesImport: { response: toImportResponse(imports.job), problems: ['receivables_import.not_found'] },
    getImportErrors: { response: report, problems: ['receivables_import.not_found'] },
    listRefusedRows: { response: { items: imports.refused.map(toRefusedRowResponse), nextCursor: null }, problems: ['receivables_import.not_found', 'pagination.invalid_cursor'] },
  };
};
