import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ImportEInvoice, checkTenant, invoiceFacts, invoiceToEn16931, paymentFacts, type InvoiceState, type PartnershipId } from '@invoicing/invoice';
import { createTestBed, type TestBed } from '@invoicing/invoice/testing';
import { ImportReceivables } from '@invoicing/invoice';
import { refusedRowOf, type ImportJobState, type RefusedRow } from '@invoicing/integration';
import { importReceivablesCsv, readInvoice, writeInvoice, type ReadInvoiceResult } from '@invoicing/integration/formats';
import { Readable } from 'node:stream';
import { toImportResponse, toRefusedRowResponse } from '../imports/receivables-import.mapper';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { toIntegrityReportResponse } from '../admin/integrity.mapper';
import {
  toBillingPlanResponse,
  toBillingRunResponse,
  toInvoiceBillingResponse,
  toOneOffChargeResponse,
  toRunBillResponse,
  toUpcomingInvoiceResponse,
  toUsageBatchResponse,
} from '../billing/billing.mapper';
import { operationsOf } from '../docs/openapi-document';
import { toEInvoiceImportResponse, toEInvoiceValidationResponse } from '../e-invoices/e-invoice.mapper';
import { VALIDATION_EXAMPLE } from '../e-invoices/e-invoices.examples';
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
import { seedBillingSamples, type BillingSamples } from '../testing/billing-samples';
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

const FIXTURES = resolve(__dirname, '../../../../../shared/fixtures/en16931');

/** The e-invoice operations' answers, from real files: what the reader finds, and what importing a file makes. */
interface FileAnswers {
  /**
   * Read files: an official UBL and CII example, the UBL one with totals that break BR-CO-10, the reference's example
   * and an empty invoice (XSD findings, no number).
   */
  readonly read: readonly ReadInvoiceResult[];
  readonly imported: readonly ReturnType<typeof toEInvoiceImportResponse>[];
}

/** The samples' issued documents as the export writes them: the file as text, in both syntaxes. */
function exportsOf(s: DomainSamples): string[] {
  return s.invoices.filter((state) => state.number !== undefined).flatMap((state) => (['ubl', 'cii'] as const).map((syntax) => writeInvoice(invoiceToEn16931(state), syntax).toString('utf8')));
}

async function fileAnswersOf(s: DomainSamples, bed: TestBed): Promise<FileAnswers> {
  const ubl = readFileSync(resolve(FIXTURES, 'ubl/ubl-tc434-example5.xml'), 'utf8');
  const files = [
    ubl,
    readFileSync(resolve(FIXTURES, 'cii/CII_example5.xml'), 'utf8'),
    ubl.replace(/(<cac:LegalMonetaryTotal>\s*<cbc:LineExtensionAmount currencyID="DKK">)[^<]*/, '$11.00'),
    VALIDATION_EXAMPLE.request,
    '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
  ];
  const read = await Promise.all(files.map((file) => readInvoice(Buffer.from(file))));
  // As the controller imports: the issued sample's file, under another number, read and then imported with its findings.
  const issued = s.invoices.find((state): state is InvoiceState & { number: string } => state.status === 'issued' && state.number !== undefined);
  if (!issued) throw new Error('the samples have no issued invoice');
  const file = await readInvoice(writeInvoice({ ...invoiceToEn16931(issued), number: `IMPORTED-${issued.number}` }, 'ubl'));
  const imported = await bed.use(ImportEInvoice).execute({ tenantId: issued.tenantId, partnershipId: issued.partnershipId as PartnershipId, document: file.document, findings: file.findings });
  return { read, imported: [toEInvoiceImportResponse(imported, file.findings)] };
}

/**
 * What the import operations answer: a real import of a small file (one row imported, one refused with its column,
 * one unreadable), its job as started, as done, and as failed.
 */
async function importAnswersOf(s: DomainSamples, bed: TestBed): Promise<Record<string, readonly unknown[]>> {
  const seller = s.partners[0];
  if (!seller) throw new Error('the samples have no partner');
  const file = 'Invoice #,Customer,Date,Terms,Total,Applied,Status,Currency,Memo\nR-1,Kunde GmbH,2026-05-01,Net 30,100.00,40.00,Pending,EUR,x\nR-2,Kunde GmbH,2026-05-02,Net 30,-1.00,0,Pending,EUR,x\nshort,row\n';
  const importer = await bed.use(ImportReceivables).start({ tenantId: seller.tenantId, sellerId: seller.id });
  const refused: RefusedRow[] = [];
  const report = await importReceivablesCsv(Readable.from([file]), importer, {
    onRow: (row) => {
      if (row.outcome === 'refused') refused.push(refusedRowOf(row));
    },
  });
  const at = new Date('2026-12-05T10:00:00Z');
  const started: ImportJobState = {
    tenantId: seller.tenantId,
    id: 'job-1',
    sellerId: seller.id,
    status: 'running',
    counts: { rowsRead: 0, imported: 0, updated: 0, unchanged: 0, refused: 0 },
    header: ['Invoice #', 'Customer', 'Date', 'Terms', 'Total', 'Applied', 'Status', 'Currency', 'Memo'],
    ignoredColumns: [],
    startedAt: at,
    updatedAt: at,
  };
  const done = { ...started, status: 'completed' as const, counts: { rowsRead: report.rowsRead, imported: report.imported, updated: report.updated, unchanged: report.unchanged, refused: report.refused }, ignoredColumns: [...report.ignoredColumns], finishedAt: at };
  const failed = { ...done, status: 'failed' as const, error: { code: 'import.failed', message: 'the import stopped on an unexpected error; send the file again' } };
  return {
    startReceivablesImport: [toImportResponse(started)],
    getReceivablesImport: [done, failed].map(toImportResponse),
    getImportErrors: ['Invoice #,Customer,row,errors\nR-2,Kunde GmbH,3,Total: negative [import.negative_amount]\n'],
    listRefusedRows: [{ items: refused.map(toRefusedRowResponse), nextCursor: null }, { items: refused.slice(0, 1).map(toRefusedRowResponse), nextCursor: 'WzNd' }],
  };
}

/** Several operations answer the same resource. */
const each = (operationIds: readonly string[], answers: readonly unknown[]) => Object.fromEntries(operationIds.map((id) => [id, answers]));

/** What the billing operations answer, built from the billing samples by the mappers their controllers use. */
function billingAnswersOf(b: BillingSamples): Record<string, readonly unknown[]> {
  return {
    ...each(['getBillingPlan', 'setBillingPlan'], b.plans.map(toBillingPlanResponse)),
    recordUsageEvents: b.usage.map(toUsageBatchResponse),
    addOneOffCharge: b.oneOffs.map(toOneOffChargeResponse),
    getUpcomingInvoice: b.upcoming.map(({ partnershipId, preview }) => toUpcomingInvoiceResponse(partnershipId, preview)),
    ...each(['startBillingRun', 'getBillingRun'], b.runs.map((run) => toBillingRunResponse(run))),
    listBillingRuns: [toPageResponse(b.runPage, (run) => toBillingRunResponse(run, { previews: false }))],
    listRunBills: [{ items: b.runBills.map(toRunBillResponse), nextCursor: null }, { items: b.runBills.slice(0, 1).map(toRunBillResponse), nextCursor: 'WyJrZXkiXQ' }],
    getInvoiceBilling: b.invoiceBills.map(toInvoiceBillingResponse),
  };
}

/** What every /v1 operation answers, built from the samples by the mappers its controller uses. */
function answersOf(s: DomainSamples, files: FileAnswers, b: BillingSamples): Record<string, readonly unknown[]> {
  return {
    ...billingAnswersOf(b),
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
    getEInvoice: exportsOf(s),
    getInvoicePdf: ['%PDF-1.7'],
    validateEInvoice: files.read.map(toEInvoiceValidationResponse),
    importEInvoice: files.imported,
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
    const samples = await seedDomainSamples((useCase) => bed.use(useCase));
    answers = { ...answersOf(samples, await fileAnswersOf(samples, bed), await seedBillingSamples()), ...(await importAnswersOf(samples, bed)) };
  });
  afterAll(() => t?.close());

  /** The one media type of an operation's success answer (JSON, or a file's), and its schema. */
  function successOf(operationId: string) {
    const found = operationsOf(document).find(({ operation }) => operation.operationId === operationId);
    const success = Object.entries(found?.operation.responses ?? {}).find(([status]) => status.startsWith('2'))?.[1] as ResponseObject | undefined;
    const [entry, ...others] = Object.entries(success?.content ?? {});
    if (!entry?.[1].schema || others.length > 0) throw new Error(`${operationId} documents no success answer of one media type with a schema`);
    return { mediaType: entry[0], schema: entry[1].schema };
  }

  /** The schema of an operation's success answer: JSON, or a file checked as the text it is. */
  const successSchema = (operationId: string) => successOf(operationId).schema;

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

  it('answers JSON, but an e-invoice file as XML text and an import\'s error report as CSV text', () => {
    const mediaTypes = Object.fromEntries(Object.keys(answers).map((operationId) => [operationId, successOf(operationId).mediaType]));
    expect(Object.entries(mediaTypes).filter(([, mediaType]) => mediaType !== 'application/json')).toEqual([
      ['getEInvoice', 'application/xml'],
      ['getInvoicePdf', 'application/pdf'],
      ['getImportErrors', 'text/csv'],
    ]);
    expect(successSchema('getImportErrors')).toEqual({ type: 'string' });
    expect(successSchema('getEInvoice')).toEqual({ type: 'string' });
    expect(answers['getEInvoice']?.length).toBeGreaterThan(0);
    expect(answers['getEInvoice']?.filter((file) => typeof file !== 'string' || !file.startsWith('<?xml'))).toEqual([]);
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

    it('checks each value of a map (a metric\'s filters) against the schema of its values', () => {
      const plan = wire(answers['getBillingPlan']?.[0]) as { versions: { terms: { charges: { metric?: { filters?: Record<string, unknown> } }[] } }[] };
      const charges = plan.versions[0]?.terms.charges ?? [];
      const index = charges.findIndex((charge) => charge.metric?.filters !== undefined);
      expect(schemaViolations(document, successSchema('getBillingPlan'), plan)).toEqual([]);
      (charges[index]?.metric as { filters: Record<string, unknown> }).filters = { region: 'eu' };
      // `terms` is its terms or null: the violation is named within the alternative that is an object.
      expect(schemaViolations(document, successSchema('getBillingPlan'), plan)).toEqual([
        expect.stringContaining(`$.versions[0].terms.charges[${index}].metric.filters.region is string, the schema says array`),
      ]);
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
