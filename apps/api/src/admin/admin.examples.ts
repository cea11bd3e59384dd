import { checkPayments, paymentFacts, type IntegrityReport } from '@invoicing/invoice';
import { SIGNED_IN, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { toIntegrityReportResponse } from './integrity.mapper';

/** What the administration operations may answer, by status: the checker reads the whole tenant, within the request's deadline. */
export const ADMIN_PROBLEM_CODES = {
  getIntegrityReport: answers(SIGNED_IN, { '5XX': ['request.deadline_exceeded'] }),
} satisfies Record<string, ProblemCodes>;

/**
 * Examples of the administration operations, by operation id. The report shows what one finding looks like: the
 * scenario's SEPA transfer as if its stored amount had been altered to 2000.00 EUR, less than was applied and refunded
 * from it.
 */
export const adminExamples: ExamplesOf<keyof typeof ADMIN_PROBLEM_CODES> = ({ payments }) => {
  const transfer = paymentFacts(payments.applied);
  const altered = { ...transfer, amount: 200_000n };
  const findings = checkPayments({ tenantId: payments.applied.tenantId, partnerIds: new Set(), payments: [altered], invoices: [], reservations: [], ledger: [] });
  const report: IntegrityReport = {
    tenants: [payments.applied.tenantId],
    findings,
    notes: [],
    accounts: [],
    checked: { partners: 5, payments: 2, invoices: 9, creditNotes: 1, numberReservations: 6, ledgerTransactions: 0, ledgerPostings: 0, ledgerAccounts: 0 },
    clean: findings.length === 0,
  };
  return {
    getIntegrityReport: {
      response: toIntegrityReportResponse(report, { checkedAt: new Date('2026-12-18T09:30:00.000Z'), durationMs: 42 }),
      problems: ['auth.forbidden', 'request.deadline_exceeded'],
    },
  };
};
