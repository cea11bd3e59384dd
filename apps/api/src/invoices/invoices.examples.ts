import { invoiceToEn16931, nextSeal, type InvoiceState } from '@invoicing/invoice';
import { writeInvoice } from '@invoicing/integration/formats';
import { INVOICE_PAYMENT, VOID, creditContent, invoiceContent, type ExampleScenario } from '../docs/example-scenario';
import { IDEMPOTENT, IF_MATCH, PAGED, SIGNED_IN, TEXT, VALIDATED, VAT_CATEGORY, WITH_BODY, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { toPageResponse } from '../http/responses';
import { toPaymentResponse } from '../payments/payment.mapper';
import { toInvoiceResponse, toInvoiceSummaryResponse } from './invoice.mapper';
import { FILE_WORK } from '../files/files.examples';

// Invoice NL-2026-0412 of the German seller to its Hamburg customer: 16 hours of consulting (HUR) at the negotiated
// 110.00 EUR and 6 licence seats (C62) at 249.00 EUR, standard rate 19 %, 30 days net.

/** A document with the seal it would get as the first of its series (ADR 0022). */
const sealed = (state: InvoiceState): InvoiceState => ({ ...state, seal: nextSeal(undefined, state) });

/** Values the content of a draft (lines, allowances and charges, dates) is checked for (invoice.ts, invoice-line.ts). */
export const DRAFT_VALUES: ProblemCodes = answers(VAT_CATEGORY, TEXT, {
  400: [
    'validation.failed',
    'invoice.lines_required',
    'invoice.too_many_lines',
    'invoice.prepaid_out_of_range',
    'invoice.rounding_out_of_range',
    'line.price_required',
    // A line without a marketable, or a document allowance or charge, sent without `vat`.
    'vat.unknown_category',
    'line.negative_price',
    'line.invalid_base_quantity',
    'allowance_charge.amount_or_percent',
    'allowance_charge.base_required',
    'allowance_charge.negative',
    'allowance_charge.amount_mismatch',
    'allowance_charge.reason_required',
    'unit_code.malformed',
    'money.malformed',
    'money.precision_exceeded',
    'date.malformed',
  ],
});

/** What a draft's content is checked for, with the catalogue and the contacts its lines and buyer contact name. */
const DRAFT_CONTENT: ProblemCodes = answers(DRAFT_VALUES, { 400: ['line.marketable_not_found', 'line.marketable_inactive'], 404: ['contact.not_found'] });

/** What the lifecycle refuses to a document that is not (or no longer) open (invoice-lifecycle.ts). */
const CLOSED = ['invoice.not_issued', 'invoice.already_paid', 'invoice.voided', 'invoice.fully_credited', 'credit_note.not_payable'];

/** What each invoices operation may answer, by status: from its use case (invoice.use-cases.ts, payment.use-cases.ts) and its guards. */
export const INVOICE_PROBLEM_CODES = {
  createInvoice: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, DRAFT_CONTENT, {
    // With `issue: true`, also what issuing answers.
    400: ['invoice.not_issuable'],
    404: ['partnership.not_found'],
    409: ['partnership.not_active', 'partner.archived', 'invoice.duplicate_external_reference', 'invoice.approval_required', 'invoice.duplicate_number'],
  }),
  listInvoices: answers(SIGNED_IN, PAGED),
  getInvoice: answers(SIGNED_IN, { 404: ['invoice.not_found'] }),
  // `syntax` is checked; a stored text holding U+FFFE or U+FFFF (which no text check refuses) cannot be written as XML.
  getEInvoice: answers(SIGNED_IN, VALIDATED, FILE_WORK, { 400: ['format.invalid_character'], 404: ['invoice.not_found'], 409: ['invoice.not_issued', 'invoice.voided'], 422: ['e_invoice.currency_not_supported', 'e_invoice.invalid'] }),
  // A void invoice has no e-invoice, hence no Factur-X; its PDF is stamped VOID.
  getInvoicePdf: answers(SIGNED_IN, VALIDATED, FILE_WORK, { 400: ['pdf.invalid_locale'], 404: ['invoice.not_found'], 409: ['invoice.not_issued', 'invoice.voided'], 422: ['e_invoice.currency_not_supported', 'e_invoice.invalid'] }),
  updateInvoice: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, DRAFT_CONTENT, { 404: ['invoice.not_found'], 409: ['invoice.not_draft'] }),
  approveInvoice: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['invoice.not_found', 'partnership.not_found'], 409: ['invoice.not_draft', 'invoice.self_approval', 'invoice.approval_version_required'] }),
  issueInvoice: answers(SIGNED_IN, WITH_BODY, IDEMPOTENT, IF_MATCH, {
    400: ['invoice.not_issuable'],
    404: ['invoice.not_found'],
    409: ['invoice.not_draft', 'invoice.already_issued', 'invoice.approval_required', 'partnership.not_active', 'invoice.duplicate_number'],
  }),
  voidInvoice: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, TEXT, {
    404: ['invoice.not_found'],
    409: [...CLOSED, 'invoice.has_payments', 'invoice.has_credits'],
  }),
  markUncollectible: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['invoice.not_found'], 409: [...CLOSED, 'invoice.already_uncollectible'] }),
  // A paid invoice is creditable: what was paid goes back to the payments. Only one credited in full is refused.
  creditInvoice: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, IF_MATCH, DRAFT_CONTENT, {
    400: ['invoice.not_issuable'],
    404: ['invoice.not_found'],
    409: ['invoice.not_issued', 'invoice.voided', 'invoice.fully_credited', 'credit_note.not_creditable', 'invoice.duplicate_external_reference', 'invoice.earlier_credit_unknown'],
    422: ['invoice.credit_exceeds_outstanding', 'invoice.credit_exceeds_vat_category'],
  }),
  payInvoice: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, TEXT, {
    400: ['validation.failed', 'payment.invalid_amount', 'payment.invoice_mismatch', 'money.malformed', 'money.precision_exceeded', 'money.unknown_currency', 'date.malformed'],
    404: ['invoice.not_found'],
    409: CLOSED,
  }),
} satisfies Record<string, ProblemCodes>;

/** The content of the example invoice, with the scenario's ids. */
const contentOf = ({ marketables, partners }: ExampleScenario, seats: string) =>
  invoiceContent({ consulting: marketables.consulting.id, licence: marketables.licenceActivated.id, buyerContact: partners.buyer.contacts[0]?.id }, seats);

/** Examples of the invoices operations, by operation id. */
export const invoiceExamples: ExamplesOf<keyof typeof INVOICE_PROBLEM_CODES> = (s) => ({
  createInvoice: {
    request: { partnershipId: s.partnerships.created.id, externalReference: 'NL-2026-0412', ...contentOf(s, '5') },
    response: toInvoiceResponse(s.invoices.draft),
    problems: [
      { path: 'lines.0.quantity', code: 'request.invalid', issue: 'request.is_string' },
      { path: 'lines.1.netPrice', code: 'line.price_required' },
      'partnership.not_found',
      'invoice.duplicate_external_reference',
      'partnership.not_active',
    ],
  },
  listInvoices: { response: toPageResponse(s.invoices.page, toInvoiceSummaryResponse) },
  // Sealed as the first document of its series, as the sealer does moments after issue.
  getInvoice: { response: toInvoiceResponse(sealed(s.invoices.partlyPaid)), problems: ['invoice.not_found'] },
  getInvoicePdf: {
    // The PDF's first bytes: the whole file would swamp the reference (GET it to see one).
    response: '%PDF-1.7 …',
    problems: [{ path: 'locale', code: 'request.invalid', issue: 'request.matches' }, 'invoice.not_found', 'invoice.not_issued', 'invoice.voided'],
  },
  getEInvoice: {
    // The invoice of the path's example id, as UBL (the default syntax).
    response: writeInvoice(invoiceToEn16931(s.invoices.issued), 'ubl').toString('utf8'),
    problems: [{ path: 'syntax', code: 'request.invalid', issue: 'request.is_in' }, 'invoice.not_found', 'invoice.not_issued', 'invoice.voided'],
  },
  updateInvoice: {
    request: contentOf(s, '6'),
    response: toInvoiceResponse(s.invoices.draftUpdated),
    problems: [{ path: 'lines.0.unitCode', code: 'unit_code.malformed' }, 'invoice.not_found', 'invoice.not_draft'],
  },
  approveInvoice: { response: toInvoiceResponse(s.invoices.approved), problems: ['invoice.not_found', 'invoice.not_draft', 'invoice.self_approval', 'invoice.approval_version_required'] },
  issueInvoice: {
    response: toInvoiceResponse(s.invoices.issued),
    problems: [{ path: 'buyer.address', code: 'invoice.not_issuable', issue: 'invoice.buyer_address_required' }, 'invoice.not_found', 'invoice.approval_required', 'invoice.already_issued'],
  },
  voidInvoice: { request: VOID, response: toInvoiceResponse(s.invoices.voided), problems: ['invoice.not_found', 'invoice.has_payments'] },
  markUncollectible: { response: toInvoiceResponse(s.invoices.uncollectible), problems: ['invoice.not_found', 'invoice.already_uncollectible'] },
  creditInvoice: {
    request: creditContent(s.marketables.consulting.id),
    response: toInvoiceResponse(s.invoices.creditNote),
    problems: ['invoice.not_found', 'invoice.fully_credited', 'invoice.credit_exceeds_outstanding'],
  },
  payInvoice: {
    request: INVOICE_PAYMENT,
    response: toPaymentResponse(s.payments.invoicePayment),
    problems: [{ path: 'amount', code: 'money.precision_exceeded' }, 'invoice.not_found', 'invoice.not_issued'],
  },
});
