import {
  EXAMPLE_IDS as ids,
  IDEMPOTENT,
  IF_MATCH,
  PAGED,
  SIGNED_IN,
  TEXT,
  VALIDATED,
  VAT_CATEGORY,
  WITH_BODY,
  answers,
  type OperationExamples,
  type ProblemCodes,
} from '../docs/examples-support';

// The seller's catalogue: consulting billed by the hour (HUR) and licences per seat (C62), German VAT.

/** Values a marketable is checked for (marketable.ts). */
const MARKETABLE_DETAILS: ProblemCodes = answers(VAT_CATEGORY, TEXT, {
  400: [
    'validation.failed',
    'marketable.invalid_sku',
    'marketable.invalid_kind',
    'marketable.negative_price',
    'marketable.duplicate_currency',
    'unit_code.malformed',
    'money.unknown_currency',
  ],
});

const NOT_FOUND = { code: 'marketable.not_found', detail: `marketable ${ids.consulting} was not found` };

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
export const MARKETABLE_EXAMPLES = {
  createMarketable: {
    request: {
      sku: 'CONSULT-HOUR',
      kind: 'service',
      name: 'Software consulting',
      description: 'Senior consultant, remote or on site',
      unitCode: 'HUR',
      prices: [{ currency: 'EUR', unitPrice: '120.00' }],
      defaultVat: { code: 'S', rate: '19' },
    },
    response: {
      id: ids.consulting,
      version: 1,
      kind: 'service',
      sku: 'CONSULT-HOUR',
      name: 'Software consulting',
      description: 'Senior consultant, remote or on site',
      unitCode: 'HUR',
      prices: [{ currency: 'EUR', unitPrice: '120' }],
      defaultVat: { code: 'S', rate: '19' },
      active: true,
      createdAt: '2026-11-30T09:41:09.812Z',
      updatedAt: '2026-11-30T09:41:09.812Z',
    },
    problems: {
      400: [
        {
          code: 'unit_code.malformed',
          detail: 'unitCode: "hours" is not a UN/ECE Recommendation 20 unit code such as C62, HUR or DAY',
          errors: [{ path: 'unitCode', code: 'unit_code.malformed', message: '"hours" is not a UN/ECE Recommendation 20 unit code such as C62, HUR or DAY' }],
        },
      ],
      409: [{ code: 'marketable.sku_taken', detail: 'SKU CONSULT-HOUR is already used' }],
    },
  },
  listMarketables: {
    response: {
      items: [
        {
          id: ids.consulting,
          version: 1,
          kind: 'service',
          sku: 'CONSULT-HOUR',
          name: 'Software consulting',
          description: 'Senior consultant, remote or on site',
          unitCode: 'HUR',
          prices: [{ currency: 'EUR', unitPrice: '120' }],
          defaultVat: { code: 'S', rate: '19' },
          active: true,
          createdAt: '2026-11-30T09:41:09.812Z',
          updatedAt: '2026-11-30T09:41:09.812Z',
        },
      ],
      nextCursor: 'JTVCJTIyMDFhMjQyNTQtZTViNC03M2QzLTgzNzAtODllOGMyZGJhN2E1JTIyJTVE',
    },
  },
  getMarketable: {
    response: {
      id: ids.consulting,
      version: 1,
      kind: 'service',
      sku: 'CONSULT-HOUR',
      name: 'Software consulting',
      description: 'Senior consultant, remote or on site',
      unitCode: 'HUR',
      prices: [{ currency: 'EUR', unitPrice: '120' }],
      defaultVat: { code: 'S', rate: '19' },
      active: true,
      createdAt: '2026-11-30T09:41:09.812Z',
      updatedAt: '2026-11-30T09:41:09.812Z',
    },
    problems: { 404: [NOT_FOUND] },
  },
  updateMarketable: {
    request: { prices: [{ currency: 'EUR', unitPrice: '125.00' }, { currency: 'CHF', unitPrice: '118.00' }] },
    response: {
      id: ids.consulting,
      version: 2,
      kind: 'service',
      sku: 'CONSULT-HOUR',
      name: 'Software consulting',
      unitCode: 'HUR',
      prices: [{ currency: 'EUR', unitPrice: '125' }, { currency: 'CHF', unitPrice: '118' }],
      defaultVat: { code: 'S', rate: '19' },
      active: true,
      createdAt: '2026-11-30T09:41:09.812Z',
      updatedAt: '2026-11-30T09:41:09.844Z',
      description: 'Senior consultant, remote or on site',
    },
    problems: {
      400: [
        {
          code: 'marketable.duplicate_currency',
          detail: 'prices: one price per currency',
          errors: [{ path: 'prices', code: 'marketable.duplicate_currency', message: 'one price per currency' }],
        },
      ],
      404: [NOT_FOUND],
      409: [{ code: 'marketable.sku_taken', detail: 'SKU LIC-SEAT-Y is already used' }],
    },
  },
  deactivateMarketable: {
    response: {
      id: ids.licence,
      version: 2,
      kind: 'service',
      sku: 'LIC-SEAT-Y',
      name: 'Annual licence, per seat',
      unitCode: 'C62',
      prices: [{ currency: 'EUR', unitPrice: '249' }],
      defaultVat: { code: 'S', rate: '19' },
      active: false,
      createdAt: '2026-11-30T09:41:09.822Z',
      updatedAt: '2026-11-30T09:41:09.861Z',
    },
    problems: { 404: [NOT_FOUND], 409: [{ code: 'marketable.inactive', detail: `marketable ${ids.licence} is already inactive` }] },
  },
  activateMarketable: {
    response: {
      id: ids.licence,
      version: 3,
      kind: 'service',
      sku: 'LIC-SEAT-Y',
      name: 'Annual licence, per seat',
      unitCode: 'C62',
      prices: [{ currency: 'EUR', unitPrice: '249' }],
      defaultVat: { code: 'S', rate: '19' },
      active: true,
      createdAt: '2026-11-30T09:41:09.822Z',
      updatedAt: '2026-11-30T09:41:09.874Z',
    },
    problems: { 404: [NOT_FOUND], 409: [{ code: 'marketable.active', detail: `marketable ${ids.licence} is already active` }] },
  },
} satisfies Record<keyof typeof MARKETABLE_PROBLEM_CODES, OperationExamples>;
