import 'reflect-metadata';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { ValidationError } from '@invoicing/core';
import { parseReceivable, parseTermsText } from './imports/receivable';
import { allowanceCharge, documentAllowanceCharge, invoiceLine } from './invoice/invoice-line';
import { CreateInvoiceDraft, CreateIssuedInvoice } from './invoice/invoice.use-cases';
import { partySnapshot } from './invoice/party-snapshot';
import { vatCategory } from './invoice/vat';
import { CreateMarketable, ListMarketables, UpdateMarketable } from './marketable/marketable.use-cases';
import { CreatePartner, ListPartners, ReplaceContacts, SearchContacts, UpdatePartner } from './partner/partner.use-cases';
import { paymentTerms } from './partnership/payment-terms';
import { CreatePartnership, ListPartnerships, UpdatePartnershipTerms } from './partnership/partnership.use-cases';
import { ListPayments, RecordPayment } from './payment/payment.use-cases';
import { ListInvoices, PastDueReport } from './queries/report.use-cases';
import { RelayEvents } from './shared/relay-events.use-case';
import { SCENARIO_MARKETABLE, SCENARIO_TERMS, createScenario, type Scenario } from './testing/scenario';

/**
 * A value of the wrong type (null, a string for a list, an object for a text …) given to the public API is refused with
 * a typed ValidationError naming the field, never a TypeError from deep inside a parser.
 */

const line = { name: 'Service', quantity: '1', unitCode: 'C62', netPrice: '10', vat: { code: 'S', rate: '20' } };
const receivable = { invoiceNumber: '1', customerName: 'Nordwind', currency: 'EUR', invoiceDate: '2026-01-01', termsDays: '30', status: 'Pending', total: '10.00' };

/** The error `run` throws or rejects with; fails when it succeeds. */
async function refusal(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal, the input was accepted');
}

/** The error is a ValidationError of one issue, with that code at that path. */
function expectTyped(error: unknown, code: string, path: string): void {
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).code).toBe(code);
  expect((error as ValidationError).issues.map((issue) => [issue.path, issue.code])).toEqual([[path, code]]);
}

let s: Scenario;

beforeEach(async () => {
  s = await createScenario();
});

// `any`: these commands are what a JavaScript caller or a JSON body can send, whatever the types say.
/* eslint-disable @typescript-eslint/no-explicit-any */
const draft = (command: Record<string, unknown>) => s.use(CreateInvoiceDraft).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, lines: [line], ...command } as any);

const newPartner = (command: Record<string, unknown>) => s.use(CreatePartner).execute({ tenantId: s.tenantId, legalName: 'A', ...command } as any);
const updatePartner = (details: unknown) => s.use(UpdatePartner).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, details } as any);
const newPartnership = (command: Record<string, unknown>) =>
  s.use(CreatePartnership).execute({ tenantId: s.tenantId, sellerId: s.buyer.id, buyerId: s.seller.id, ...SCENARIO_TERMS, ...command } as any);
const updateTerms = (terms: unknown) => s.use(UpdatePartnershipTerms).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, terms } as any);

describe('wrong input types through the public API of @invoicing/invoice', () => {
  it.each<[string, () => unknown, string, string]>([
    ['CreateInvoiceDraft with a null line', () => draft({ lines: [null] }), 'request.is_object', 'lines.0'],
    ['CreateInvoiceDraft with lines that are no list', () => draft({ lines: 'x' }), 'request.is_array', 'lines'],
    ['CreateInvoiceDraft with notes that are a string', () => draft({ notes: 'abc' }), 'request.is_array', 'notes'],
    ['CreateInvoiceDraft with document allowances that are an object', () => draft({ allowances: {} }), 'request.is_array', 'allowances'],
    ['CreateInvoiceDraft with a null document allowance', () => draft({ allowances: [null] }), 'request.is_object', 'allowances.0'],
    ['CreateInvoiceDraft with a null document charge', () => draft({ charges: [null] }), 'request.is_object', 'charges.0'],
    ['CreateInvoiceDraft with line allowances that are an object', () => draft({ lines: [{ ...line, allowances: {} }] }), 'request.is_array', 'lines.0.allowances'],
    ['CreateInvoiceDraft with a null line allowance', () => draft({ lines: [{ ...line, allowances: [null] }] }), 'request.is_object', 'lines.0.allowances.0'],
    ['CreateInvoiceDraft with a null line charge', () => draft({ lines: [line, { ...line, charges: [null] }] }), 'request.is_object', 'lines.1.charges.0'],
    ['CreateInvoiceDraft with a number as external reference', () => draft({ externalReference: 5 }), 'text.required', 'externalReference'],
    ['CreateInvoiceDraft with no command', () => s.use(CreateInvoiceDraft).execute(null as any), 'request.is_object', ''],
    ['CreateIssuedInvoice with no command', () => s.use(CreateIssuedInvoice).execute(null as any), 'request.is_object', ''],
    ['CreatePartner with no command', () => s.use(CreatePartner).execute(null as any), 'request.is_object', ''],
    ['CreatePartnership with no command', () => s.use(CreatePartnership).execute(null as any), 'request.is_object', ''],
    ['CreateMarketable with no command', () => s.use(CreateMarketable).execute(null as any), 'request.is_object', ''],
    [
      'RecordPayment applied to a string',
      () => s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '12.50', currency: 'EUR', receivedOn: '2026-03-10', applyTo: 'x' } as any),
      'request.is_array',
      'applyTo',
    ],
    ['CreatePartner with a null address', () => s.use(CreatePartner).execute({ tenantId: s.tenantId, legalName: 'A', addresses: [null] } as any), 'request.is_object', 'addresses.0'],
    ['CreatePartner with a null contact', () => s.use(CreatePartner).execute({ tenantId: s.tenantId, legalName: 'A', contacts: [null] } as any), 'request.is_object', 'contacts.0'],
    ['UpdatePartner with a null address', () => s.use(UpdatePartner).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, details: { legalName: 'A', addresses: [null] } } as any), 'request.is_object', 'addresses.0'],
    ['UpdatePartner with addresses that are no list', () => s.use(UpdatePartner).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, details: { legalName: 'A', addresses: 'x' } } as any), 'request.is_array', 'addresses'],
    ['ReplaceContacts with a null contact', () => s.use(ReplaceContacts).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, contacts: [null] } as any), 'request.is_object', '0'],
    ['ReplaceContacts with contacts that are no list', () => s.use(ReplaceContacts).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, contacts: 'x' } as any), 'request.is_array', ''],
    ['UpdateMarketable with a null price', () => s.use(UpdateMarketable).execute({ tenantId: s.tenantId, marketableId: s.marketable.id, changes: { prices: [null] } } as any), 'request.is_object', 'prices.0'],
    ['CreateMarketable with a null price', () => s.use(CreateMarketable).execute({ ...SCENARIO_MARKETABLE, tenantId: s.tenantId, sku: 'OTHER', prices: [null] } as any), 'request.is_object', 'prices.0'],
    [
      'CreatePartnership with a null instalment',
      () =>
        s.use(CreatePartnership).execute({
          tenantId: s.tenantId,
          sellerId: s.seller.id,
          buyerId: s.buyer.id,
          currency: 'EUR',
          paymentTerms: { kind: 'instalments', instalments: [null] },
          validFrom: '2026-01-01',
        } as any),
      'request.is_object',
      'paymentTerms.instalments.0',
    ],
    ['paymentTerms with a null instalment', () => paymentTerms({ kind: 'instalments', instalments: [null] } as any), 'request.is_object', 'instalments.0'],
    ['vatCategory(null)', () => vatCategory(null as any), 'request.is_object', ''],
    ['invoiceLine(null)', () => invoiceLine(null as any, 'EUR', 0), 'request.is_object', ''],
    ['allowanceCharge(null)', () => allowanceCharge(null as any, 'EUR'), 'request.is_object', ''],
    ['documentAllowanceCharge(null)', () => documentAllowanceCharge(null as any, 'EUR'), 'request.is_object', ''],
    ['parseTermsText(null)', () => parseTermsText(null as any), 'text.required', ''],
    ['parseReceivable(null)', () => parseReceivable(null as any), 'request.is_object', ''],
    ['parseReceivable with a number as total', () => parseReceivable({ ...receivable, total: 5 } as any), 'money.malformed', 'total'],
    ['parseReceivable with a number as currency', () => parseReceivable({ ...receivable, currency: 5 } as any), 'text.required', 'currency'],
    ['partySnapshot(null)', () => partySnapshot(null as any), 'request.is_object', 'partner'],
    // Review of 14 December 2026: a text or a list where an object goes was read as an empty object and stored.
    ['CreatePartner with identifiers that are a string', () => newPartner({ identifiers: 'x' }), 'request.is_object', 'identifiers'],
    ['CreatePartner with identifiers that are a list', () => newPartner({ identifiers: [] }), 'request.is_object', 'identifiers'],
    ['CreatePartner with a legal registration that is a string', () => newPartner({ identifiers: { legalRegistration: 'HRB 1' } }), 'request.is_object', 'identifiers.legalRegistration'],
    ['CreatePartner with an electronic address that is a number', () => newPartner({ identifiers: { electronicAddress: 5 } }), 'request.is_object', 'identifiers.electronicAddress'],
    ['UpdatePartner with identifiers that are a string', () => updatePartner({ legalName: 'A', identifiers: 'x' }), 'request.is_object', 'identifiers'],
    ['UpdatePartner with no details', () => updatePartner(null), 'request.is_object', ''],
    ['CreatePartnership with a policy that is a string', () => newPartnership({ policy: 'x' }), 'request.is_object', 'policy'],
    ['CreatePartnership with an approval rule that is a string', () => newPartnership({ policy: { approval: 'always' } }), 'request.is_object', 'policy.approval'],
    ['CreatePartnership with numbering that is a string', () => newPartnership({ numbering: 'INV' }), 'request.is_object', 'numbering'],
    ['UpdatePartnershipTerms with a policy that is a string', () => updateTerms({ ...SCENARIO_TERMS, policy: 'x' }), 'request.is_object', 'policy'],
    ['UpdatePartnershipTerms with numbering that is a list', () => updateTerms({ ...SCENARIO_TERMS, numbering: ['INV'] }), 'request.is_object', 'numbering'],
    ['UpdatePartnershipTerms with no terms', () => updateTerms(null), 'request.is_object', ''],
    ['ListInvoices with a page that is a string', () => s.use(ListInvoices).execute({ tenantId: s.tenantId, page: 'x' } as any), 'request.is_object', 'page'],
    ['ListPartners with a page that is a number', () => s.use(ListPartners).execute({ tenantId: s.tenantId, page: 5 } as any), 'request.is_object', 'page'],
    ['ListMarketables with a page that is a string', () => s.use(ListMarketables).execute({ tenantId: s.tenantId, page: 'x' } as any), 'request.is_object', 'page'],
    ['ListPartnerships with a page that is a string', () => s.use(ListPartnerships).execute({ tenantId: s.tenantId, page: 'x' } as any), 'request.is_object', 'page'],
    ['ListPayments with a page that is a string', () => s.use(ListPayments).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, page: 'x' } as any), 'request.is_object', 'page'],
  ])('refuses %s with a typed error', async (_case, run, code, path) => {
    expectTyped(await refusal(run), code, path);
  });

  // Review of 14 December 2026: every list refuses a bad limit the same way, before it reads anything.
  it.each<[string, (limit: number) => unknown]>([
    ['ListInvoices', (limit) => s.use(ListInvoices).execute({ tenantId: s.tenantId, page: { limit } })],
    ['ListPartners', (limit) => s.use(ListPartners).execute({ tenantId: s.tenantId, page: { limit } })],
    ['ListMarketables', (limit) => s.use(ListMarketables).execute({ tenantId: s.tenantId, page: { limit } })],
    ['ListPartnerships', (limit) => s.use(ListPartnerships).execute({ tenantId: s.tenantId, page: { limit } })],
    ['ListPayments', (limit) => s.use(ListPayments).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, page: { limit } })],
    ['PastDueReport', (limit) => s.use(PastDueReport).execute({ tenantId: s.tenantId, limit })],
    ['SearchContacts', (limit) => s.use(SearchContacts).execute({ tenantId: s.tenantId, query: 'nord', limit })],
  ])('%s refuses a limit of 0.5, 0, -1, NaN, 201 or a string with pagination.invalid_limit', async (_case, list) => {
    for (const limit of [0.5, 0, -1, Number.NaN, 201, '5' as unknown as number]) {
      expectTyped(await refusal(() => list(limit)), 'pagination.invalid_limit', 'limit');
    }
  });

  it.each([0.5, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, '10'])('RelayEvents refuses a batch size of %p, which relayed nothing or left events behind', async (batchSize) => {
    const error = await refusal(() => s.use(RelayEvents).execute({ batchSize } as any));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: 'batchSize', code: typeof batchSize === 'number' && Number.isInteger(batchSize) ? 'request.min' : 'request.is_int' })]);
    // The scenario's events are all still there for a relay with a good batch size.
    expect(await s.use(RelayEvents).execute({ batchSize: 1 })).toBeGreaterThan(0);
  });

  it('takes an optional object given as null for one left out, as it does an optional text or list', async () => {
    const partner = await newPartner({ identifiers: { vatId: 'FR12345678901', legalRegistration: null, electronicAddress: null } });
    const other = await newPartner({ identifiers: null });
    const partnership = await newPartnership({ numbering: null, policy: { approval: null, deliveryFormat: 'ubl' } });

    expect([partner.identifiers, other.identifiers]).toEqual([{ vatId: 'FR12345678901' }, {}]);
    expect(partnership).toMatchObject({ numbering: { invoice: 'INV', creditNote: 'CN' }, policy: { approval: { kind: 'none' }, deliveryFormat: 'ubl' } });
  });

  it('stores nothing when it refuses a partner or a partnership', async () => {
    await refusal(() => newPartner({ legalName: 'Refused', identifiers: 'x' }));
    await refusal(() => newPartnership({ policy: 'x' }));
    await refusal(() => updatePartner({ legalName: 'Renamed', identifiers: 'x' }));
    await refusal(() => updateTerms({ ...SCENARIO_TERMS, currency: 'USD', numbering: 'x' }));

    expect((await s.use(ListPartners).execute({ tenantId: s.tenantId })).items.map((partner) => [partner.id, partner.legalName, partner.version])).toEqual(
      [s.seller, s.buyer].map((partner) => [partner.id, partner.legalName, partner.version]).sort(),
    );
    expect((await s.use(ListPartnerships).execute({ tenantId: s.tenantId })).items).toEqual([s.partnership]);
  });

  it('stores nothing when it refuses a draft', async () => {
    await refusal(() => draft({ lines: [line, null] }));
    await refusal(() => draft({ notes: 'abc' }));

    expect((await s.use(ListInvoices).execute({ tenantId: s.tenantId })).items).toEqual([]);
  });
});
