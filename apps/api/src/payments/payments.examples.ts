import { REFUND, TRANSFER } from '../docs/example-scenario';
import { IDEMPOTENT, PAGED, SIGNED_IN, TEXT, VALIDATED, WITH_BODY, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { toPageResponse } from '../http/responses';
import { toPartnerBalanceResponse, toPaymentResponse, toRefundResponse } from './payment.mapper';

// The Hamburg customer's account with the German seller: a SEPA transfer of 3000.00 EUR that settles invoice
// NL-2026-0412, a refund of part of what was left over, and the rest applied to an older invoice.

/** Values money received or paid back is checked for (payment.ts, money.ts). */
const AMOUNT: ProblemCodes = answers(TEXT, {
  400: ['validation.failed', 'payment.invalid_amount', 'money.malformed', 'money.precision_exceeded', 'money.unknown_currency', 'date.malformed'],
});

/** What the lifecycle refuses to an invoice that cannot take a payment (invoice-lifecycle.ts). */
const NOT_PAYABLE = ['invoice.not_issued', 'invoice.already_paid', 'invoice.voided', 'invoice.fully_credited', 'credit_note.not_payable'];

/** What each partner account operation may answer, by status: from its use case (payment.use-cases.ts, report.use-cases.ts) and its guards. */
export const PAYMENT_PROBLEM_CODES = {
  getBalance: answers(SIGNED_IN, { 404: ['partner.not_found'], 409: ['report.total_out_of_range'] }),
  recordPayment: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, AMOUNT, {
    400: ['payment.invoice_mismatch'],
    404: ['partner.not_found', 'invoice.not_found'],
    409: NOT_PAYABLE,
  }),
  listPayments: answers(SIGNED_IN, PAGED, { 404: ['partner.not_found'] }),
  refundPartner: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, AMOUNT, { 404: ['partner.not_found'], 409: ['account.insufficient_credit'] }),
  getPayment: answers(SIGNED_IN, { 404: ['payment.not_found'] }),
  applyPayment: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, {
    400: ['payment.invoice_mismatch'],
    404: ['payment.not_found', 'invoice.not_found'],
    409: NOT_PAYABLE,
  }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the partner account operations, by operation id. */
export const paymentExamples: ExamplesOf<keyof typeof PAYMENT_PROBLEM_CODES> = ({ invoices, payments: p }) => {
  const mismatch = { path: 'applyTo.0', code: 'payment.invoice_mismatch' };
  return {
    getBalance: { response: toPartnerBalanceResponse(p.balances), problems: ['partner.not_found'] },
    recordPayment: {
      request: { ...TRANSFER, applyTo: [invoices.issued.id] },
      response: toPaymentResponse(p.recorded),
      problems: [mismatch, 'partner.not_found', 'invoice.not_found', 'invoice.voided'],
    },
    listPayments: { response: toPageResponse(p.page, toPaymentResponse), problems: ['partner.not_found'] },
    refundPartner: { request: REFUND, response: toRefundResponse(p.refund), problems: [{ path: 'amount', code: 'payment.invalid_amount' }, 'partner.not_found', 'account.insufficient_credit'] },
    getPayment: { response: toPaymentResponse(p.refunded), problems: ['payment.not_found'] },
    applyPayment: { request: { applyTo: [invoices.credited.id] }, response: toPaymentResponse(p.applied), problems: [mismatch, 'payment.not_found', 'invoice.already_paid'] },
  };
};
