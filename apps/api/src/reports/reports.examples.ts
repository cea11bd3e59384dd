import { EXAMPLE_IDS as ids, PAGED, SIGNED_IN, VALIDATED, answers, type OperationExamples, type ProblemCodes } from '../docs/examples-support';

// The German seller's receivables on 4 December 2026: its Hamburg customer is 50 days late with RE-000005.

const BAD_DATE = {
  code: 'request.invalid',
  detail: 'as_of: as_of must be a date such as 2026-04-15',
  errors: [{ path: 'as_of', code: 'request.is_calendar_date', message: 'as_of must be a date such as 2026-04-15' }],
};

/** What each report may answer, by status: its query is checked by its DTO before the report (report.use-cases.ts) runs. */
export const REPORT_PROBLEM_CODES = {
  getPastDue: answers(SIGNED_IN, PAGED),
  getMonthlySummary: answers(SIGNED_IN, VALIDATED),
  getAging: answers(SIGNED_IN, VALIDATED),
  getPartnerTotals: answers(SIGNED_IN, VALIDATED),
  getContactsLastSeen: answers(SIGNED_IN, { 404: ['partner.not_found'] }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the reports, by operation id. */
export const REPORT_EXAMPLES = {
  getPastDue: {
    response: {
      asOf: '2026-12-04',
      items: [
        {
          id: ids.pastDueInvoice,
          kind: 'invoice',
          status: 'issued',
          number: 'RE-000005',
          partnershipId: ids.partnership,
          sellerId: ids.seller,
          buyerId: ids.buyer,
          currency: 'EUR',
          issueDate: '2026-09-15',
          dueDate: '2026-10-15',
          purchaseOrderReference: 'PO-4500016950',
          total: { amount: '1570.80', currency: 'EUR' },
          amountDue: { amount: '1570.80', currency: 'EUR' },
          paid: { amount: '0.00', currency: 'EUR' },
          credited: { amount: '0.00', currency: 'EUR' },
          outstanding: { amount: '1570.80', currency: 'EUR' },
          daysPastDue: 50,
        },
      ],
      nextCursor: null,
    },
    problems: { 400: [BAD_DATE] },
  },
  getMonthlySummary: {
    response: {
      month: '2026-11',
      rows: [
        {
          currency: 'EUR',
          invoiceCount: 1,
          invoiceTotal: { amount: '3872.26', currency: 'EUR' },
          creditNoteCount: 0,
          creditNoteTotal: { amount: '0.00', currency: 'EUR' },
          net: { amount: '3872.26', currency: 'EUR' },
        },
      ],
    },
    problems: {
      400: [
        {
          code: 'request.invalid',
          detail: 'month: month must be a month such as 2026-04',
          errors: [{ path: 'month', code: 'request.is_year_month', message: 'month must be a month such as 2026-04' }],
        },
      ],
    },
  },
  getAging: {
    response: {
      asOf: '2026-12-04',
      rows: [
        {
          partnerId: ids.buyer,
          currency: 'EUR',
          current: { amount: '0.00', currency: 'EUR' },
          days1To30: { amount: '0.00', currency: 'EUR' },
          days31To60: { amount: '1570.80', currency: 'EUR' },
          days61To90: { amount: '0.00', currency: 'EUR' },
          over90: { amount: '0.00', currency: 'EUR' },
          total: { amount: '1570.80', currency: 'EUR' },
        },
      ],
    },
    problems: { 400: [BAD_DATE] },
  },
  getPartnerTotals: {
    response: {
      asOf: '2026-12-31',
      months: 6,
      rows: [{ partnerId: ids.buyer, currency: 'EUR', invoiceCount: 4, total: { amount: '7275.66', currency: 'EUR' } }],
    },
    problems: {
      400: [
        {
          code: 'request.invalid',
          detail: 'months: months must not be greater than 36',
          errors: [{ path: 'months', code: 'request.max', message: 'months must not be greater than 36' }],
        },
      ],
    },
  },
  getContactsLastSeen: {
    response: {
      rows: [
        {
          contact: {
            id: ids.buyerContact,
            name: 'Anna Brandt',
            email: 'kreditoren@brandt-maschinenbau.de',
            phone: '+49 40 3698 2140',
            role: 'accounts payable',
          },
          lastInvoiceDate: null,
          lastInvoiceId: null,
        },
      ],
    },
    problems: { 404: [{ code: 'partner.not_found', detail: `partner ${ids.buyer} was not found` }] },
  },
} satisfies Record<keyof typeof REPORT_PROBLEM_CODES, OperationExamples>;
