import type { IntegrityFinding, IntegrityReport } from '@invoicing/invoice';
import type { IntegrityFindingDto, IntegrityReportDto } from './integrity.response.dto';

/** The most findings (and the most notes) one answer lists; `findingCount` and `noteCount` say how many there are. */
export const MAX_LISTED_FINDINGS = 1000;

/** How a check ran, beside what it found. */
export interface IntegrityRun {
  readonly checkedAt: Date;
  readonly durationMs: number;
}

/** A finding or note of the checker: its ids and amounts as lists (a map's keys vary with the code). */
export function toIntegrityFindingResponse(finding: IntegrityFinding): IntegrityFindingDto {
  return {
    code: finding.code,
    message: finding.message,
    ids: Object.entries(finding.ids).map(([name, value]) => ({ name, value: String(value) })),
    amounts: Object.entries(finding.amounts ?? {}).map(([name, amount]) => ({ name, amount, currency: finding.currency ?? '' })),
  };
}

/** The checker's report of one tenant; the tenant itself is the caller's and is not repeated. */
export function toIntegrityReportResponse(report: IntegrityReport, run: IntegrityRun): IntegrityReportDto {
  return {
    clean: report.clean,
    checkedAt: run.checkedAt,
    durationMs: Math.round(run.durationMs),
    checked: {
      partners: report.checked.partners,
      payments: report.checked.payments,
      invoices: report.checked.invoices,
      creditNotes: report.checked.creditNotes,
      numberReservations: report.checked.numberReservations,
      ledgerTransactions: report.checked.ledgerTransactions,
      ledgerPostings: report.checked.ledgerPostings,
      ledgerAccounts: report.checked.ledgerAccounts,
    },
    findingCount: report.findings.length,
    findings: report.findings.slice(0, MAX_LISTED_FINDINGS).map(toIntegrityFindingResponse),
    noteCount: report.notes.length,
    notes: report.notes.slice(0, MAX_LISTED_FINDINGS).map(toIntegrityFindingResponse),
  };
}
