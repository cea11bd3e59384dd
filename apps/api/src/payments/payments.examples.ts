import {
  EXAMPLE_IDS as ids,
  IDEMPOTENT,
  PAGED,
  SIGNED_IN,
  TEXT,
  VALIDATED,
  WITH_BODY,
  answers,
  type OperationExamples,
  type ProblemCodes,
} from '../docs/examples-support';

// The Hamburg customer's account with the German seller: a SEPA transfer of 3000.00 EUR, applied to invoice
// RE-000001, and a refund of part of what was left over.

/** Values money received or paid back is checked for (payment.ts, money.ts). */
const AMOUNT: ProblemCodes = answers(TEXT, {
  400: ['validation.failed', 'payment.invalid_amount', 'money.malformed', 'money.precision_exceeded', 'money.unknown_currency', 'date.malformed'],
});

/** What the lifecycle refuses to an invoice that cannot take a payment (invoice-lifecycle.ts). */
const NOT_PAYABLE = ['invoice.not_issued', 'invoice.already_paid', 'invoice.voided', 'invoice.fully_credited', 'credit_note.not_payable'];

const PARTNER_NOT_FOUND = { code: 'partner.not_found', detail: `partner ${ids.buyer} was not found` };
const PAYMENT_NOT_FOUND = { code: 'payment.not_found', detail: `payment ${ids.payment} was not found` };
const INVOICE_MISMATCH = {
  code: 'payment.invoice_mismatch',
  detail: `applyTo.0: invoice ${ids.invoice} is not an invoice to this partner in EUR`,
  errors: [{ path: 'applyTo.0', code: 'payment.invoice_mismatch', message: `invoice ${ids.invoice} is not an invoice to this partner in EUR` }],
};

/** What each partner account operation may answer, by status: from its use case (payment.use-cases.ts, report.use-cases.ts) and its guards. */
export const PAYMENT_PROBLEM_CODES = {
  getBalance: answers(SIGNED_IN, { 404: ['partner.not_found'] }),
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
export const PAYMENT_EXAMPLES = {
  getBalance: {
    response: {
      balances: [
        {
          currency: 'EUR',
          outstanding: { amount: '2883.76', currency: 'EUR' },
          unappliedCredit: { amount: '0.00', currency: 'EUR' },
          balance: { amount: '2883.76', currency: 'EUR' },
        },
      ],
    },
    problems: { 404: [PARTNER_NOT_FOUND] },
  },
  recordPayment: {
    request: { amount: '3000.00', currency: 'EUR', receivedOn: '2026-12-15', reference: 'SEPA E2E 2026121500042', applyTo: [ids.invoice] },
    response: {
      id: ids.payment,
      version: 2,
      partnerId: ids.buyer,
      amount: { amount: '3000.00', currency: 'EUR' },
      receivedOn: '2026-12-15',
      reference: 'SEPA E2E 2026121500042',
      applications: [{ invoiceId: ids.invoice, amount: { amount: '1872.26', currency: 'EUR' }, appliedOn: '2026-12-15' }],
      refunds: [],
      createdAt: '2026-12-15T10:41:11.114Z',
      updatedAt: '2026-12-15T10:41:11.114Z',
      unapplied: { amount: '1127.74', currency: 'EUR' },
    },
    problems: {
      400: [INVOICE_MISMATCH],
      404: [PARTNER_NOT_FOUND],
      409: [{ code: 'invoice.voided', detail: `cannot applyPayment invoice ${ids.voidedInvoice} in status void` }],
    },
  },
  listPayments: {
    response: {
      items: [
        {
          id: ids.payment,
          version: 2,
          partnerId: ids.buyer,
          amount: { amount: '3000.00', currency: 'EUR' },
          receivedOn: '2026-12-15',
          reference: 'SEPA E2E 2026121500042',
          applications: [{ invoiceId: ids.invoice, amount: { amount: '1872.26', currency: 'EUR' }, appliedOn: '2026-12-15' }],
          refunds: [],
          createdAt: '2026-12-15T10:41:11.114Z',
          updatedAt: '2026-12-15T10:41:11.114Z',
          unapplied: { amount: '1127.74', currency: 'EUR' },
        },
        {
          id: ids.invoicePayment,
          version: 2,
          partnerId: ids.buyer,
          amount: { amount: '2000.00', currency: 'EUR' },
          receivedOn: '2026-12-10',
          reference: 'RE-2026-00001',
          applications: [{ invoiceId: ids.invoice, amount: { amount: '2000.00', currency: 'EUR' }, appliedOn: '2026-12-10' }],
          refunds: [],
          createdAt: '2026-12-10T10:41:10.349Z',
          updatedAt: '2026-12-10T10:41:10.349Z',
          unapplied: { amount: '0.00', currency: 'EUR' },
        },
      ],
      nextCursor: null,
    },
    problems: { 404: [PARTNER_NOT_FOUND] },
  },
  refundPartner: {
    request: { amount: '100.00', currency: 'EUR', refundedOn: '2026-12-18', reference: 'SEPA refund 2026-12-18' },
    response: { refundId: ids.refund, amount: { amount: '100.00', currency: 'EUR' }, payments: [ids.payment] },
    problems: {
      400: [
        {
          code: 'payment.invalid_amount',
          detail: 'amount: a refund is above zero',
          errors: [{ path: 'amount', code: 'payment.invalid_amount', message: 'a refund is above zero' }],
        },
      ],
      404: [PARTNER_NOT_FOUND],
      409: [{ code: 'account.insufficient_credit', detail: 'cannot refund 500.00 EUR: unapplied credit is 16.24' }],
    },
  },
  getPayment: {
    response: {
      id: ids.payment,
      version: 3,
      partnerId: ids.buyer,
      amount: { amount: '3000.00', currency: 'EUR' },
      receivedOn: '2026-12-15',
      reference: 'SEPA E2E 2026121500042',
      applications: [{ invoiceId: ids.invoice, amount: { amount: '1872.26', currency: 'EUR' }, appliedOn: '2026-12-15' }],
      refunds: [
        {
          refundId: ids.refund,
          amount: { amount: '100.00', currency: 'EUR' },
          refundedOn: '2026-12-18',
          reference: 'SEPA refund 2026-12-18',
        },
      ],
      createdAt: '2026-12-15T10:41:11.114Z',
      updatedAt: '2026-12-15T10:41:11.240Z',
      unapplied: { amount: '1027.74', currency: 'EUR' },
    },
    problems: { 404: [PAYMENT_NOT_FOUND] },
  },
  applyPayment: {
    request: { applyTo: [ids.creditedInvoice] },
    response: {
      id: ids.payment,
      version: 4,
      partnerId: ids.buyer,
      amount: { amount: '3000.00', currency: 'EUR' },
      receivedOn: '2026-12-15',
      reference: 'SEPA E2E 2026121500042',
      applications: [
        { invoiceId: ids.invoice, amount: { amount: '1872.26', currency: 'EUR' }, appliedOn: '2026-12-15' },
        { invoiceId: ids.creditedInvoice, amount: { amount: '1011.50', currency: 'EUR' }, appliedOn: '2026-12-15' },
      ],
      refunds: [
        {
          refundId: ids.refund,
          amount: { amount: '100.00', currency: 'EUR' },
          refundedOn: '2026-12-18',
          reference: 'SEPA refund 2026-12-18',
        },
      ],
      createdAt: '2026-12-15T10:41:11.114Z',
      updatedAt: '2026-12-15T10:41:11.279Z',
      unapplied: { amount: '16.24', currency: 'EUR' },
    },
    problems: {
      400: [INVOICE_MISMATCH],
      404: [PAYMENT_NOT_FOUND],
      409: [{ code: 'invoice.already_paid', detail: `cannot applyPayment invoice ${ids.invoice} in status paid` }],
    },
  },
} satisfies Record<keyof typeof PAYMENT_PROBLEM_CODES, OperationExamples>;
