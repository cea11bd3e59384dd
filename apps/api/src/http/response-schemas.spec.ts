import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ImportEInvoice, checkTenant, invoiceFacts, invoiceToEn16931, paymentFacts, type InvoiceState, type PartnershipId } from '@invoicing/invoice';
import { InMemoryOutbox, createTestBed, type TestBed } from '@invoicing/invoice/testing';
import type { DomainEvent, EventActor, TenantId } from '@invoicing/core';
import { ImportReceivables } from '@invoicing/invoice';
import { eventJsonOf, refusedRowOf, type ImportJobState, type LoggedEvent, type RefusedRow, type WebhookDelivery, type WebhookEndpoint } from '@invoicing/integration';
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
import { EVENT_STREAM_TYPE } from '../events/events.controller';
import type { EventMetricsDto } from '../events/events.response.dto';
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
import { toDeliveryDetailResponse, toDeliveryResponse, toEndpointResponse, toEndpointWithSecretResponse } from '../webhooks/webhook.mapper';
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

/** Who acts on events of the samples: a user, a machine client, the platform (which names no one and runs in no request). */
const ACTORS: readonly EventActor[] = [
  { type: 'user', id: 'f3b0c7a2-0e8d-4c1e-9a55-2d7c1b9e4a10', name: 'jeanne.accountant' },
  { type: 'client', id: 'integrator-acme', name: 'integrator-acme' },
  { type: 'system', id: 'billing-run' },
];

/** An endpoint's events, as its store raises them (webhook-stores.ts): registered, changed, disabled for failing, enabled, rotated, deleted. */
function endpointEvents(tenantId: TenantId, endpointId: string, at: Date): DomainEvent[] {
  const summary = { url: 'https://erp.example.com/hooks/invoicing', eventTypes: ['invoice.issued', 'invoice.paid'], enabled: true };
  const payloads: [string, Record<string, unknown>][] = [
    ['created', summary],
    ['updated', { ...summary, eventTypes: ['*'] }],
    ['disabled', { ...summary, eventTypes: ['*'], enabled: false, disabledReason: 'failing' }],
    ['enabled', { ...summary, eventTypes: ['*'] }],
    ['secret_rotated', { previousSecretExpiresAt: new Date(at.getTime() + 86_400_000).toISOString() }],
    ['deleted', { url: summary.url }],
  ];
  return payloads.map(([name, payload], index) => ({
    id: `${tenantId}/${endpointId}/${index + 1}/0`,
    type: `webhook_endpoint.${name}`,
    tenantId,
    aggregateType: 'webhook_endpoint',
    aggregateId: endpointId,
    aggregateVersion: index + 1,
    index: 0,
    occurredAt: new Date(at.getTime() + index * 60_000),
    payload,
  }));
}

/**
 * What the events operations answer: the samples' events (every save of the samples, an endpoint's own) as the event
 * log holds them, as pages of the change feed and as audit trails, once by a user in a request and once by the
 * system; and the relay's metrics, with and without a relay in the process.
 */
function eventAnswersOf(bed: TestBed): Record<string, readonly unknown[]> {
  if (!(bed.adapters.outbox instanceof InMemoryOutbox)) throw new Error('the test bed has another outbox');
  const raised = bed.adapters.outbox.events;
  const tenantId = raised[0]?.tenantId ?? ('acme' as TenantId);
  const events = [...raised, ...endpointEvents(tenantId, 'endpoint-1', new Date('2026-12-05T10:00:00Z'))];
  const logged = (actor: EventActor): LoggedEvent[] =>
    events.map((event, index) => ({ ...event, actor, ...(actor.type === 'system' ? {} : { requestId: `request-${index}` }), sequence: index + 1, loggedAt: event.occurredAt }));
  const [user, client, system] = ACTORS.map(logged) as [LoggedEvent[], LoggedEvent[], LoggedEvent[]];
  const trail = (log: readonly LoggedEvent[], aggregateId: string, next: number | null) => ({ items: log.filter((event) => event.aggregateId === aggregateId).map(eventJsonOf), next });
  const metrics: EventMetricsDto[] = [
    {
      outbox: { waiting: 2, oldestAgeMs: 850 },
      deliveries: { waiting: 4, oldestAgeMs: 61_000 },
      relay: {
        holdsLease: true,
        relayed: 1520,
        relayedPerSecond: 3.2,
        relayFailures: 1,
        deliveriesSent: 1498,
        deliveriesFailedAttempts: 12,
        deliveriesGivenUp: 1,
        endpointsDisabled: 1,
        lastFailureAt: '2026-12-06T14:05:00.000Z',
      },
    },
    { outbox: { waiting: 0, oldestAgeMs: 0 }, deliveries: { waiting: 0, oldestAgeMs: 0 }, relay: null },
  ];
  return {
    followEvents: [
      { items: user.map(eventJsonOf), next: user.length, head: user.length },
      { items: client.slice(2, 5).map(eventJsonOf), next: 5, head: client.length },
      { items: system.map(eventJsonOf), next: system.length, head: system.length },
      // Read up to date: nothing after the cursor.
      { items: [], next: user.length, head: user.length },
    ],
    getAuditTrail: [
      trail(user, raised[0]?.aggregateId ?? '', null),
      trail(system, 'endpoint-1', null),
      trail(client, 'endpoint-1', 3),
      { items: [], next: null },
    ],
    getEventMetrics: metrics,
  };
}

/**
 * What the webhook endpoint operations answer: an endpoint as registered, one changed and disabled for failing with a
 * rotated secret still signing, and deliveries waiting for a retry, delivered, and failed for good.
 */
function webhookAnswersOf(): Record<string, readonly unknown[]> {
  const at = new Date('2026-12-05T10:00:00Z');
  const registered: WebhookEndpoint = {
    tenantId: 'acme',
    id: '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a90',
    version: 1,
    url: 'https://erp.example.com/hooks/invoicing',
    eventTypes: ['invoice.issued', 'invoice.paid'],
    enabled: true,
    secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: at }],
    createdAt: at,
    updatedAt: at,
  };
  // The mapper shows the previous secret while it still signs (until a moment after now).
  const stillSigning = new Date(Date.now() + 3_600_000);
  const rotated: WebhookEndpoint = {
    ...registered,
    version: 4,
    description: 'ERP sync',
    eventTypes: ['*'],
    enabled: false,
    disabledReason: 'failing',
    secrets: [{ secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', createdAt: at }, { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: at, expiresAt: stillSigning }],
    lastSuccessAt: at,
  };
  const delivery = (sequence: number, status: WebhookDelivery['status'], history: WebhookDelivery['history']): WebhookDelivery => ({
    tenantId: 'acme',
    endpointId: registered.id,
    sequence,
    eventId: `acme/invoice/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a7b/${sequence}/0`,
    eventType: 'invoice.issued',
    aggregateId: '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a7b',
    status,
    attempts: history.length,
    createdAt: at,
    ...(status === 'pending' ? { nextAttemptAt: new Date(at.getTime() + 20_000) } : {}),
    ...(history[0] ? { firstAttemptAt: history[0].at } : {}),
    ...(status === 'delivered' ? { deliveredAt: history.at(-1)?.at ?? at } : {}),
    history,
    body: '{"id":"acme/invoice/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a7b/2/0","type":"invoice.issued"}',
  });
  const deliveries = [
    delivery(12, 'pending', [{ at, status: 500, latencyMs: 35, error: 'answered 500' }]),
    delivery(11, 'delivered', [{ at, latencyMs: 10_000, error: 'no answer within 10000 ms' }, { at, status: 204, latencyMs: 41 }]),
    delivery(9, 'failed', [{ at, latencyMs: 2, error: '10.0.0.7 is a private address, not a public one' }]),
    delivery(8, 'pending', []),
  ];
  return {
    ...each(['createWebhookEndpoint', 'rotateWebhookSecret'], [registered, rotated].map((endpoint) => toEndpointWithSecretResponse(endpoint, at))),
    ...each(['getWebhookEndpoint', 'updateWebhookEndpoint'], [registered, rotated].map((endpoint) => toEndpointResponse(endpoint, at))),
    listWebhookEndpoints: [{ items: [registered, rotated].map((endpoint) => toEndpointResponse(endpoint, at)), nextCursor: null }],
    listWebhookDeliveries: [
      { items: deliveries.map(toDeliveryResponse), nextCursor: null },
      { items: deliveries.slice(0, 1).map(toDeliveryResponse), nextCursor: '12' },
    ],
    ...each(['getWebhookDelivery', 'resendWebhookDelivery'], deliveries.map(toDeliveryDetailResponse)),
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
    answers = {
      ...answersOf(samples, await fileAnswersOf(samples, bed), await seedBillingSamples()),
      ...(await importAnswersOf(samples, bed)),
      ...eventAnswersOf(bed),
      ...webhookAnswersOf(),
    };
  });
  afterAll(() => t?.close());

  /** The media types of an operation's success answer, each with its schema; none for a 204 No Content. */
  function successContentOf(operationId: string) {
    const found = operationsOf(document).find(({ operation }) => operation.operationId === operationId);
    const success = Object.entries(found?.operation.responses ?? {}).find(([status]) => status.startsWith('2'))?.[1] as ResponseObject | undefined;
    return success?.content ?? {};
  }

  /**
   * The one media type of an operation's success answer (JSON, or a file's), and its schema. The change feed may also
   * answer a stream of server-sent events, text its controller writes, not an answer of a mapper: left out here.
   */
  function successOf(operationId: string) {
    const [entry, ...others] = Object.entries(successContentOf(operationId)).filter(([type]) => type !== EVENT_STREAM_TYPE);
    if (!entry?.[1].schema || others.length > 0) throw new Error(`${operationId} documents no success answer of one media type with a schema`);
    return { mediaType: entry[0], schema: entry[1].schema };
  }

  /** The schema of an operation's success answer: JSON, or a file checked as the text it is. */
  const successSchema = (operationId: string) => successOf(operationId).schema;

  it('has answers for every operation of /v1, from the mappers its controller uses', () => {
    // A 204 No Content answers nothing to check.
    const documented = operationsOf(document)
      .filter(({ path }) => path.startsWith('/v1/'))
      .map(({ operation }) => operation.operationId ?? '')
      .filter((operationId) => Object.keys(successContentOf(operationId)).length > 0);
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
    expect(Object.entries(successContentOf('followEvents')).map(([type, media]) => [type, media.schema])).toEqual([
      ['application/json', { $ref: '#/components/schemas/EventPageDto' }],
      [EVENT_STREAM_TYPE, { type: 'string' }],
    ]);
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
