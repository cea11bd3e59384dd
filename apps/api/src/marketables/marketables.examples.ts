import { CONSULTING, CONSULTING_PRICES } from '../docs/example-scenario';
import { IDEMPOTENT, IF_MATCH, PAGED, SIGNED_IN, TEXT, VALIDATED, VAT_CATEGORY, WITH_BODY, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { toPageResponse } from '../http/responses';
import { toMarketableResponse } from './marketable.mapper';

// The seller's catalogue: consulting billed by the hour (HUR) and licences per seat (C62), German VAT.

/** Values a marketable is checked for (marketable.ts); a `kind` not listed is refused by the request's checks first (`request.is_in`). */
const MARKETABLE_DETAILS: ProblemCodes = answers(VAT_CATEGORY, TEXT, {
  400: [
    'validation.failed',
    'marketable.invalid_sku',
    'marketable.negative_price',
    'marketable.price_out_of_range',
    'marketable.duplicate_currency',
    'unit_code.malformed',
    'money.unknown_currency',
  ],
});

/** What each marketables operation may answer, by status: from its use case (marketable.use-cases.ts) and its guards. */
export const MARKETABLE_PROBLEM_CODES = {
  createMarketable: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, MARKETABLE_DETAILS, { 409: ['marketable.sku_taken'] }),
  listMarketables: answers(SIGNED_IN, PAGED),
  getMarketable: answers(SIGNED_IN, { 404: ['marketable.not_found'] }),
  updateMarketable: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, MARKETABLE_DETAILS, { 404: ['marketable.not_found'], 409: ['marketable.sku_taken'] }),
  deactivateMarketable: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['marketable.not_found'], 409: ['marketable.inactive'] }),
  activateMarketable: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['marketable.not_found'], 409: ['marketable.active'] }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the marketables operations, by operation id. */
export const marketableExamples: ExamplesOf<keyof typeof MARKETABLE_PROBLEM_CODES> = ({ marketables: m }) => ({
  createMarketable: { request: CONSULTING, response: toMarketableResponse(m.consulting), problems: [{ path: 'unitCode', code: 'unit_code.malformed' }, 'marketable.sku_taken'] },
  listMarketables: { response: toPageResponse(m.page, toMarketableResponse) },
  getMarketable: { response: toMarketableResponse(m.consultingRepriced), problems: ['marketable.not_found'] },
  updateMarketable: {
    request: CONSULTING_PRICES,
    response: toMarketableResponse(m.consultingRepriced),
    problems: [{ path: 'prices', code: 'marketable.duplicate_currency' }, 'marketable.not_found', 'marketable.sku_taken'],
  },
  deactivateMarketable: { response: toMarketableResponse(m.licenceDeactivated), problems: ['marketable.not_found', 'marketable.inactive'] },
  activateMarketable: { response: toMarketableResponse(m.licenceActivated), problems: ['marketable.not_found', 'marketable.active'] },
});
