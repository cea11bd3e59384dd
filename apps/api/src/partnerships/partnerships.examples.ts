import { NEGOTIATED_RATE, PARTNERSHIP_TERMS, RENEWED_TERMS } from '../docs/example-scenario';
import { IDEMPOTENT, IF_MATCH, PAGED, SIGNED_IN, TEXT, VALIDATED, WITH_BODY, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { toPageResponse } from '../http/responses';
import { toPartnershipResponse } from './partnership.mapper';

// The German seller and its Hamburg customer: EUR, 30 days net, their own numbering series (RE, GS), approval above
// 10 000.00 EUR, delivered as UBL with the buyer's Leitweg-ID as buyer reference.

/**
 * Values the terms of a partnership are checked for (partnership.ts, payment-terms.ts). A kind of payment terms or of
 * approval, or a delivery format, not listed is refused by the request's checks first: `request.is_in`.
 */
const TERMS: ProblemCodes = answers(TEXT, {
  400: [
    'validation.failed',
    'money.unknown_currency',
    'money.malformed',
    'money.precision_exceeded',
    'date.malformed',
    'partnership.invalid_series',
    'partnership.invalid_threshold',
    'partnership.invalid_approval',
    'partnership.invalid_validity',
    'payment_terms.invalid_days',
    'payment_terms.no_instalments',
    'payment_terms.invalid_percent',
    'payment_terms.instalments_must_total_100',
  ],
});

/** What each partnerships operation may answer, by status: from its use case (partnership.use-cases.ts) and its guards. */
export const PARTNERSHIP_PROBLEM_CODES = {
  createPartnership: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, TERMS, {
    400: ['partnership.same_partner'],
    404: ['partner.not_found'],
    409: ['partner.archived'],
  }),
  listPartnerships: answers(SIGNED_IN, PAGED),
  getPartnership: answers(SIGNED_IN, { 404: ['partnership.not_found'] }),
  changeTerms: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, TERMS, {
    400: ['partnership.currency_has_prices', 'partnership.threshold_currency'],
    404: ['partnership.not_found'],
    409: ['partnership.ended'],
  }),
  setPrice: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, {
    400: ['decimal.malformed', 'partnership.negative_price', 'partnership.price_out_of_range'],
    404: ['partnership.not_found', 'marketable.not_found'],
    409: ['partnership.ended'],
  }),
  removePrice: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['partnership.not_found'], 409: ['partnership.ended'] }),
  suspendPartnership: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['partnership.not_found'], 409: ['partnership.not_active'] }),
  resumePartnership: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['partnership.not_found'], 409: ['partnership.not_suspended'] }),
  endPartnership: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['partnership.not_found'], 409: ['partnership.ended', 'partnership.bill_pending'] }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the partnerships operations, by operation id. */
export const partnershipExamples: ExamplesOf<keyof typeof PARTNERSHIP_PROBLEM_CODES> = ({ partners, partnerships: p }) => ({
  createPartnership: {
    request: { sellerId: partners.seller.id, buyerId: partners.buyer.id, ...PARTNERSHIP_TERMS },
    response: toPartnershipResponse(p.created),
    problems: [{ path: 'buyerId', code: 'partnership.same_partner' }, 'partner.not_found', 'partner.archived'],
  },
  listPartnerships: { response: toPageResponse(p.page, toPartnershipResponse) },
  getPartnership: { response: toPartnershipResponse(p.resumed), problems: ['partnership.not_found'] },
  changeTerms: {
    request: RENEWED_TERMS,
    response: toPartnershipResponse(p.termsChanged),
    problems: [{ path: 'paymentTerms.instalments', code: 'payment_terms.instalments_must_total_100' }, 'partnership.not_found', 'partnership.ended'],
  },
  setPrice: { request: NEGOTIATED_RATE, response: toPartnershipResponse(p.priced), problems: [{ path: 'unitPrice', code: 'partnership.negative_price' }, 'marketable.not_found', 'partnership.ended'] },
  removePrice: { response: toPartnershipResponse(p.priceRemoved), problems: ['partnership.not_found', 'partnership.ended'] },
  suspendPartnership: { response: toPartnershipResponse(p.suspended), problems: ['partnership.not_found', 'partnership.not_active'] },
  resumePartnership: { response: toPartnershipResponse(p.resumed), problems: ['partnership.not_found', 'partnership.not_suspended'] },
  endPartnership: { response: toPartnershipResponse(p.chfEnded), problems: ['partnership.not_found', 'partnership.ended'] },
});
