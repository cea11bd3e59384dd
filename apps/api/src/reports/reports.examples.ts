import { PAGED, SIGNED_IN, VALIDATED, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { toPageResponse } from '../http/responses';
import {
  toAgingReportResponse,
  toContactsLastSeenResponse,
  toMonthlySummaryReportResponse,
  toPartnerTotalsReportResponse,
  toPastDueInvoiceResponse,
} from './report.mapper';

// The German seller's receivables on 18 December 2026: its Hamburg customer is late with an invoice of September.

/** A report whose sums could pass what the database adds up exactly (docs/reports.md). */
const SUMMED = { 409: ['report.total_out_of_range'] };

/** What each report may answer, by status: its query is checked by its DTO before the report (report.use-cases.ts) runs. */
export const REPORT_PROBLEM_CODES = {
  getPastDue: answers(SIGNED_IN, PAGED),
  getMonthlySummary: answers(SIGNED_IN, VALIDATED, SUMMED),
  getAging: answers(SIGNED_IN, VALIDATED, SUMMED),
  getPartnerTotals: answers(SIGNED_IN, VALIDATED, SUMMED),
  getContactsLastSeen: answers(SIGNED_IN, { 404: ['partner.not_found'] }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the reports, by operation id. */
export const reportExamples: ExamplesOf<keyof typeof REPORT_PROBLEM_CODES> = ({ reports: r }) => {
  const badDate = { path: 'as_of', code: 'request.invalid', issue: 'request.is_calendar_date' };
  return {
    getPastDue: { response: { asOf: r.pastDue.asOf, ...toPageResponse(r.pastDue, toPastDueInvoiceResponse) }, problems: [badDate] },
    getMonthlySummary: {
      response: toMonthlySummaryReportResponse(r.monthlySummary.month, r.monthlySummary.rows),
      problems: [{ path: 'month', code: 'request.invalid', issue: 'request.is_year_month' }, 'report.total_out_of_range'],
    },
    getAging: { response: toAgingReportResponse(r.aging), problems: [badDate, 'report.total_out_of_range'] },
    getPartnerTotals: {
      response: toPartnerTotalsReportResponse(r.partnerTotals),
      problems: [{ path: 'months', code: 'request.invalid', issue: 'request.max' }, 'report.total_out_of_range'],
    },
    getContactsLastSeen: { response: toContactsLastSeenResponse(r.contactsLastSeen), problems: ['partner.not_found'] },
  };
};
