import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkTenant, invoiceFacts, paymentFacts } from '@invoicing/invoice';
import { createTestBed } from '@invoicing/invoice/testing';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { toIntegrityReportResponse } from '../admin/integrity.mapper';
import { operationsOf } from '../docs/openapi-document';
import { toInvoiceResponse, toInvoiceSummaryResponse } from '../invoices/invoice.mapper';
import { toMarketableResponse } from '../marketables/marketable.mapper';
import { toContactMatchResponse, toContactResponse, toPartnerResponse } from '../partners/partner.mapper';
import { toPartnershipResponse } from '../partnerships/partnership.mapper';
import { toPartnerBalanceResponse, toPaymentResponse, toRefundResponse } from '../payments/payment.mapper';
import {
  toAgingReportResponse,
  toContactsLastSeenResponse,
  toMonthlySummaryReportResponse,
  toPartnerTotalsReportResponse,
  toPastDueInvoiceResponse,
} from '../reports/report.mapper';
import { seedDomainSamples, type DomainSamples } from '../testing/domain-samples';
import { startTestApi, type TestApi } from '../testing/harness';
import { SchemaCoverage, schemaViolations } from '../testing/schema-conformance';
import { toPageResponse } from './responses';

/**
 * Reports of the invariant checker over the samples: a clean one, and one with findings (with and without amounts) and
 * a note: a payment stored as received 0.00 though applied, the numbers the samples' in-memory sequence reserved
 * (not among them), and a number reserved for a document never stored.
 */
function integrityReports(s: DomainSamples) {
  const tenantId = s.partners[0]?.tenantId ?? 'acme';
  const payments = s.payments.map((payment) => paymentFacts(payment));
  const altered = payments.map((payment, index) => (index === 0 ? { ...payment, amount: 0n } : payment));
  const partnerIds = new Set<string>(s.partners.map((partner) => partner.id));
  const snapshot = { tenantId, partnerIds, payments: altered, invoices: s.invoices.map(invoiceFacts), reservations: [{ series: 'LOST', sequence: 1, documentId: 'never-stored' }], ledger: [] };
  const found = checkTenant(snapshot);
  const report = { tenants: [tenantId], findings: found.findings, notes: found.notes, accounts: found.accounts, checked: found.checked, clean: found.findings.length === 0 };
  const run = { checkedAt: new Date('2026-12-18T09:30:00Z'), durationMs: 12.4 };
  return [toIntegrityReportResponse({ ...report, findings: [], notes: [], clean: true }, run), toIntegrityReportResponse(report, run)];
}

/** Several operations answer the same resource. */
const each = (operationIds: readonly string[], answers: readonly unknown[]) => Object.fromEntries(operationIds.map((id) => [id, answers]));

/** What every /v1 operation answers, built from the samples by the mappers its controller uses. */
function answersOf(s: DomainSamples): Record<string, readonly unknown[]> {
  return {
    ...each(['createPartner', 'getPartner', 'updatePartner', 'archivePartner', 'replaceContacts', 'removeContact'], s.partners.map(toPartnerResponse)),
    listPartners: [toPageResponse(s.partnerPage, toPartnerResponse)],
    ...each(['addContact', 'changeContact'], [toContactResponse(s.contact)]),
    searchContacts: [s.contactMatches.map(toContactMatchResponse)],
    ...each(['createMarketable', 'getMarketable', 'updateMarketable', 'deactivateMarketable', 'activateMarketable'], s.marketables.map(toMarketableResponse)),
    listMarketables: [toPageResponse(s.marketablePage, toMarketableResponse)],
    ...each(
      ['createPartnership', 'getPartnership', 'changeTerms', 'setPrice', 'removePrice', 'suspendPartnership', 'resumePartnership', 'endPartnership'],
      s.partnerships.map(toPartnershipResponse),
    ),
    listPartnerships: [toPageResponse(s.partnershipPage, toPartnershipResponse)],
    ...each(['createInvoice', 'getInvoice', 'updateInvoice', 'approveInvoice', 'issueInvoice', 'voidInvoice', 'markUncollectible', 'creditInvoice'], s.invoices.map(toInvoiceResponse)),
    listInvoices: [toPageResponse(s.invoicePage, toInvoiceSummaryResponse)],
    ...each(['payInvoice', 'recordPayment', 'getPayment', 'applyPayment'], s.payments.map(toPaymentResponse)),
    listPayments: [toPageResponse(s.paymentPage, toPaymentResponse)],
    refundPartner: [toRefundResponse(s.refund)],
    getBalance: [toPartnerBalanceResponse(s.balances)],
    getPastDue: [{ asOf: s.pastDue.asOf, ...toPageResponse(s.pastDue, toPastDueInvoiceResponse) }],
    getMonthlySummary: [toMonthlySummaryReportResponse(s.monthlySummary.month, s.monthlySummary.rows)],
    getAging: [toAgingReportResponse(s.aging)],
    getPartnerTotals: [toPartnerTotalsReportResponse(s.partnerTotals)],
    getContactsLastSeen: [toContactsLastSeenResponse(s.contactsLastSeen)],
    getIntegrityReport: integrityReports(s),
  };
}

/** The answer as a client parses it: dates become strings, absent fields disappear. */
const wire = (answer: unknown): unknown => JSON.parse(JSON.stringify(answer));

/**
 * The response schemas of the OpenAPI document are exactly what the mappers produce: every property an answer has is
 * declared, every required one is there, types and formats match, and no declared property is one no answer has.
 */
describe('response mappers against the OpenAPI document', () => {
  let t: TestApi;
  let document: OpenAPIObject;
  let answers: Record<string, readonly unknown[]>;

  beforeAll(async () => {
    t = await startTestApi('response_schemas');
    document = (await t.call<OpenAPIObject>('GET', '/openapi.json', { as: null })).body;
    const bed = createTestBed();
    answers = answersOf(await seedDomainSamples((useCase) => bed.use(useCase)));
  });
  afterAll(() => t?.close());

  /** The JSON schema of an operation's success answer. */
  function successSchema(operationId: string) {
    const found = operationsOf(document).find(({ operation }) => operation.operationId === operationId);
    const success = Object.entries(found?.operation.responses ?? {}).find(([status]) => status.startsWith('2'))?.[1] as ResponseObject | undefined;
    const schema = success?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${operationId} documents no JSON success answer`);
    return schema;
  }

  it('has answers for every operation of /v1, from the mappers its controller uses', () => {
    const documented = operationsOf(document)
      .filter(({ path }) => path.startsWith('/v1/'))
      .map(({ operation }) => operation.operationId ?? '');
    expect(Object.keys(answers).sort()).toEqual(documented.sort());
  });

  it('answers every operation with exactly what its response schema declares', () => {
    const violations = Object.entries(answers).flatMap(([operationId, produced]) =>
      produced.flatMap((answer, index) => schemaViolations(document, successSchema(operationId), wire(answer)).map((violation) => `${operationId} #${index}: ${violation}`)),
    );
    expect(violations).toEqual([]);
  });

  it('declares no property that no answer has', () => {
    const coverage = new SchemaCoverage();
    for (const [operationId, produced] of Object.entries(answers)) for (const answer of produced) schemaViolations(document, successSchema(operationId), wire(answer), coverage);
    expect(coverage.unseen()).toEqual([]);
  });

  describe('the check', () => {
    const partner = () => wire(answers['getPartner']?.[0]) as Record<string, unknown>;
    const violationsOf = (answer: unknown) => schemaViolations(document, successSchema('getPartner'), answer);

    it('accepts a real answer', () => {
      expect(violationsOf(partner())).toEqual([]);
    });

    it('refuses a property the schema does not declare, at any depth', () => {
      const { contacts, ...rest } = partner() as { contacts: object[] };
      expect(violationsOf({ ...rest, contacts, tenantId: 'acme' })).toEqual(['$.tenantId is not declared by PartnerDto']);
      expect(violationsOf({ ...rest, contacts: [{ ...contacts[0], secret: 'x' }] })).toEqual(['$.contacts[0].secret is not declared by ContactDto']);
    });

    it('refuses an answer without a property the schema requires', () => {
      const { legalName: _legalName, ...rest } = partner();
      expect(violationsOf(rest)).toEqual(['$.legalName is required by PartnerDto but missing']);
    });

    it('reports a declared property that no answer has', () => {
      const coverage = new SchemaCoverage();
      const { tradingName: _tradingName, ...rest } = partner();
      schemaViolations(document, successSchema('getPartner'), rest, coverage);
      expect(coverage.unseen()).toContain('PartnerDto.tradingName');
    });

    it('refuses a wrong type, enum value or format, and money as a JSON number', () => {
      expect(violationsOf({ ...partner(), version: '3', status: 'deleted', createdAt: 'yesterday' })).toEqual([
        '$.version is string, the schema says number',
        '$.status is "deleted", not one of ["active","archived"]',
        '$.createdAt is "yesterday", not a date-time',
      ]);
      const invoice = wire(answers['getInvoice']?.[0]) as Record<string, unknown>;
      expect(schemaViolations(document, successSchema('getInvoice'), { ...invoice, paid: { amount: 12.3, currency: 'EUR' } })).toEqual([
        '$.paid.amount is number, the schema says string',
      ]);
    });
  });
});
