/**
 * The story the API reference's examples tell, played through the real use cases on in-memory adapters with a clock
 * the story sets and ids drawn from a seeded generator, so that every start shows the same examples and each success
 * example is what the API's mapper makes of a real state (the examples modules, `src/<resource>/<resource>.examples.ts`).
 *
 * Nordlicht Software GmbH, a Berlin software house, invoices its Hamburg customer Brandt Maschinenbau GmbH in EUR
 * at 19 % VAT: consulting by the hour (HUR) at a negotiated 110.00 and licence seats (C62) at 249.00, 30 days net.
 * From November it also bills Brandt for hosting its licence server: a monthly fee per seat and API calls.
 */
import {
  AddOneOffCharge, ExecuteBillingRun, GetInvoiceBilling, ListBillingRuns, ListRunBills, PreviewUpcomingInvoice, RecordUsage, RunBilling,
  SetBillingPlan, StartBillingRun, billingAdaptersModule, billingModule, type BillState, type BillingPlanState, type BillingRunState, type OneOffCharge,
  type PlanTermsInput, type UsageBatchResult, type UsageEventInput,
} from '@invoicing/billing';
import { createInMemoryBillingAdapters } from '@invoicing/billing/testing';
import { coreModule, tenantId, type Clock, type DomainEvent, type Id, type IdGenerator, type Page } from '@invoicing/core';
import {
  AddContact, AgingReport, ApplyPayment, ApproveInvoice, ArchivePartner, ChangePartnershipStatus, CreateCreditNote, CreateInvoiceDraft,
  CreateMarketable, CreatePartner, CreatePartnership, GetInvoice, GetPartnerBalance, GetPayment, ImportEInvoice, IssueInvoice, ListInvoices,
  ListMarketables, ListPartners, ListPartnerships, ListPayments, MarkInvoiceUncollectible, MonthlySummaryReport, PartnerContactsReport,
  PartnerTotalsReport, PastDueReport, PayInvoice, RecordPayment, RefundCredit, RemoveContact, ReplaceContacts, SearchContacts, SetMarketableActive,
  SetPriceOverride, UpdateContact, UpdateInvoiceDraft, UpdateMarketable, UpdatePartner, UpdatePartnershipTerms, VoidInvoice, invoiceAdaptersModule,
  ImportReceivables, invoiceModule, invoiceToEn16931, type AccountBalance, type Contact, type ContactId, type ContactInput, type ContactLastSeen, type ContactMatch,
  type DraftInput, type En16931Document, type ImportedEInvoice, type InvoiceState, type InvoiceSummary, type MarketableDetails, type MarketableId,
  type MarketableState, type MonthlySummary, type PartnerDetails, type PartnerState, type PartnershipState, type PartnershipTermsInput,
  type PaymentState,
} from '@invoicing/invoice';
// The in-memory adapters are meant for use outside Jest too (see its jest-globals.ts); nothing here is persisted.
import { InMemoryOutbox, createInMemoryAdapters } from '@invoicing/invoice/testing';
import { refusedRowOf, type ImportJobState, type RefusedRow } from '@invoicing/integration';
import { importReceivablesCsv } from '@invoicing/integration/formats';
import { Container, type Newable } from 'inversify';
import { Readable } from 'node:stream';

type Result<UseCase extends { execute(...args: never[]): unknown }> = Awaited<ReturnType<UseCase['execute']>>;

/** Every state the examples show, by resource, each taken right after the step that produced it. */
export interface ExampleScenario {
  readonly partners: {
    readonly seller: PartnerState;
    readonly buyer: PartnerState;
    readonly buyerUpdated: PartnerState;
    readonly buyerContactRemoved: PartnerState;
    readonly atelierContactsReplaced: PartnerState;
    readonly atelierArchived: PartnerState;
    readonly page: Page<PartnerState>;
    readonly purchasingContact: Contact;
    readonly purchasingContactChanged: Contact;
    readonly contactMatches: readonly ContactMatch[];
  };
  readonly marketables: {
    readonly consulting: MarketableState;
    readonly consultingRepriced: MarketableState;
    readonly licenceDeactivated: MarketableState;
    readonly licenceActivated: MarketableState;
    readonly page: Page<MarketableState>;
  };
  readonly partnerships: {
    readonly created: PartnershipState;
    readonly termsChanged: PartnershipState;
    readonly priced: PartnershipState;
    readonly priceRemoved: PartnershipState;
    readonly suspended: PartnershipState;
    readonly resumed: PartnershipState;
    readonly chfEnded: PartnershipState;
    readonly page: Page<PartnershipState>;
  };
  readonly invoices: {
    readonly draft: InvoiceState;
    readonly draftUpdated: InvoiceState;
    readonly approved: InvoiceState;
    readonly issued: InvoiceState;
    readonly partlyPaid: InvoiceState;
    readonly voided: InvoiceState;
    readonly uncollectible: InvoiceState;
    readonly credited: InvoiceState;
    readonly creditNote: InvoiceState;
    readonly page: Page<InvoiceSummary>;
  };
  readonly payments: {
    readonly invoicePayment: PaymentState;
    readonly recorded: PaymentState;
    readonly refunded: PaymentState;
    readonly applied: PaymentState;
    readonly refund: Result<RefundCredit>;
    readonly page: Page<PaymentState>;
    readonly balances: readonly AccountBalance[];
  };
  readonly reports: {
    readonly pastDue: Result<PastDueReport>;
    readonly monthlySummary: { readonly month: string; readonly rows: readonly MonthlySummary[] };
    readonly aging: Result<AgingReport>;
    readonly partnerTotals: Result<PartnerTotalsReport>;
    readonly contactsLastSeen: readonly ContactLastSeen[];
  };
  readonly eInvoices: {
    /** The file the import example sends, as the EN 16931 document it states. */
    readonly importedFile: En16931Document;
    readonly imported: ImportedEInvoice;
  };
  readonly imports: {
    /** The accounts-receivable export the import example sends. */
    readonly file: string;
    /** What the import did, as its job records it once over, and the row it refused. */
    readonly job: ImportJobState;
    readonly refused: readonly RefusedRow[];
  };
  readonly billing: {
    /** The plan as started (`PLAN` from 1 November), and once changed to 15 seats from 16 December. */
    readonly plan: BillingPlanState;
    readonly planChanged: BillingPlanState;
    /** The example batch: one event stored, one sent before, one for a metric the plan does not know. */
    readonly usage: UsageBatchResult;
    readonly oneOff: OneOffCharge;
    /** The dry run, the real run as started and once done. */
    readonly dryRun: BillingRunState;
    readonly runStarted: BillingRunState;
    readonly run: BillingRunState;
    readonly runs: Page<BillingRunState>;
    readonly runBills: readonly BillState[];
    /** How the December invoice was computed. */
    readonly decemberBill: BillState;
    /** The next bill after the change: the unused days of the 10 seats credited, 15 seats charged. */
    readonly upcoming: NonNullable<Result<PreviewUpcomingInvoice>>;
  };
  /**
   * Every event the story raised, in the order the saves stored them: the tenant's event log as the relay writes it
   * (the change feed and webhook examples give each its place in it and who acted).
   */
  readonly events: readonly DomainEvent[];
}

/** The seller, as created: the body of the create-partner example. */
export const SELLER = {
  kind: 'company',
  legalName: 'Nordlicht Software GmbH',
  tradingName: 'Nordlicht',
  identifiers: { vatId: 'DE298765431', legalRegistration: { value: 'HRB 214876 B' }, electronicAddress: { scheme: '9930', value: 'DE298765431' } },
  addresses: [{ purpose: 'billing', lines: ['Friedrichstraße 120'], city: 'Berlin', postalCode: '10117', countryCode: 'DE' }],
  defaultCurrency: 'EUR',
  defaultPaymentTerms: { kind: 'net', days: 14 },
  contacts: [{ name: 'Jonas Weber', email: 'rechnungen@nordlicht-software.de', phone: '+49 30 2345 6780', role: 'billing' }],
} as const satisfies PartnerDetails & { contacts: readonly ContactInput[] };

/** The buyer's details once updated (a trading name, the floor): the body of the update-partner example. */
export const BUYER_DETAILS = {
  kind: 'company',
  legalName: 'Brandt Maschinenbau GmbH',
  tradingName: 'Brandt',
  // Its Leitweg-ID, for XRechnung.
  identifiers: { vatId: 'DE134679258', electronicAddress: { scheme: '0204', value: '04011000-12345-67' } },
  addresses: [{ purpose: 'billing', lines: ['Großer Burstah 31', '4. OG'], city: 'Hamburg', postalCode: '20457', countryCode: 'DE' }],
  defaultCurrency: 'EUR',
  defaultPaymentTerms: { kind: 'net', days: 30 },
} as const satisfies PartnerDetails;

/** The buyer's accounts payable, its first contact. */
const ACCOUNTS_PAYABLE = { name: 'Anna Brandt', email: 'kreditoren@brandt-maschinenbau.de', phone: '+49 40 3698 2140', role: 'accounts payable' } as const;

/** A contact added to the buyer: the body of the add-contact example. */
export const PURCHASING_CONTACT = { name: 'Lukas Schmidt', email: 'l.schmidt@brandt-maschinenbau.de', phone: '+49 40 3698 2155', role: 'purchasing' } as const;

/** What changes of that contact: the body of the change-contact example. */
export const PURCHASING_CONTACT_CHANGE = { role: 'head of purchasing' } as const;

/** A French customer whose contacts are replaced before it is archived. */
const ATELIER = {
  kind: 'company',
  legalName: 'Atelier Lumière SAS',
  identifiers: { vatId: 'FR27844123456', legalRegistration: { value: '844123456', scheme: '0002' }, electronicAddress: { scheme: '0009', value: '84412345600017' } },
  addresses: [{ purpose: 'billing', lines: ['18 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
  defaultCurrency: 'EUR',
  defaultPaymentTerms: { kind: 'end_of_month', days: 45 },
  contacts: [{ name: 'Camille Durand', email: 'camille.durand@atelier-lumiere.fr', phone: '+33 1 42 60 12 34', role: 'comptabilité fournisseurs' }],
} as const satisfies PartnerDetails & { contacts: readonly ContactInput[] };

/** The contact the atelier's list of contacts gains. */
export const ATELIER_PURCHASING = { name: 'Hugo Martin', email: 'hugo.martin@atelier-lumiere.fr', role: 'achats' } as const;

/** Germany's standard VAT rate, of everything the seller sells. */
const STANDARD_VAT = { code: 'S', rate: '19' } as const;

/** Consulting by the hour: the body of the create-marketable example. */
export const CONSULTING = {
  sku: 'CONSULT-HOUR',
  kind: 'service',
  name: 'Software consulting',
  description: 'Senior consultant, remote or on site',
  unitCode: 'HUR',
  prices: [{ currency: 'EUR', unitPrice: '120.00' }],
  defaultVat: STANDARD_VAT,
} as const satisfies MarketableDetails;

/** The consulting's new list prices: the body of the update-marketable example. */
export const CONSULTING_PRICES = {
  prices: [
    { currency: 'EUR', unitPrice: '125.00' },
    { currency: 'CHF', unitPrice: '118.00' },
  ],
} as const satisfies Partial<MarketableDetails>;

/** Licence seats, priced per seat (C62). */
const LICENCE = { sku: 'LIC-SEAT-Y', kind: 'service', name: 'Annual licence, per seat', unitCode: 'C62', prices: [{ currency: 'EUR', unitPrice: '249.00' }], defaultVat: STANDARD_VAT } as const satisfies MarketableDetails;

/** The terms of the partnership: its own series, approval above 10 000.00 EUR, UBL, the buyer's Leitweg-ID as buyer reference. */
export const PARTNERSHIP_TERMS = {
  currency: 'EUR',
  paymentTerms: { kind: 'net', days: 30 },
  numbering: { invoice: 'RE', creditNote: 'GS' },
  policy: { approval: { kind: 'above', threshold: '10000.00' }, deliveryFormat: 'ubl' },
  validFrom: '2026-01-01',
  buyerReference: '04011000-12345-67',
} as const satisfies PartnershipTermsInput;

/** The terms once renewed until the end of 2027: the body of the change-terms example (a change states all the terms). */
export const RENEWED_TERMS = { ...PARTNERSHIP_TERMS, validUntil: '2027-12-31' } as const satisfies PartnershipTermsInput;

/** The negotiated hourly rate: the body of the set-price example. */
export const NEGOTIATED_RATE = { unitPrice: '110.00' } as const;

/** The content of invoice NL-2026-0412: 16 hours of consulting and `seats` licence seats, named and priced on the line. */
export function invoiceContent(ids: { readonly consulting: MarketableId; readonly licence: MarketableId; readonly buyerContact?: ContactId }, seats: string) {
  return {
    lines: [
      { marketableId: ids.consulting, quantity: '16', unitCode: 'HUR' },
      { marketableId: ids.licence, name: 'Annual licence, per seat', quantity: seats, unitCode: 'C62', netPrice: '249.00', vat: STANDARD_VAT },
    ],
    issueDate: '2026-11-30',
    buyerContactId: ids.buyerContact,
    purchaseOrderReference: 'PO-4500017832',
    notes: ['Leistungszeitraum: November 2026'],
  } satisfies DraftInput;
}

/** Why an invoice is voided: the body of the void example. */
export const VOID = { reason: 'Issued to the wrong buyer' } as const;

/** The consulting hours credited back: the body of the credit-invoice example. */
export function creditContent(consultingId: MarketableId) {
  return { lines: [{ marketableId: consultingId, quantity: '2', unitCode: 'HUR', netPrice: '125.00' }], reason: '2 hours billed twice', externalReference: 'NL-GS-2026-0007' };
}

/** A part payment of the invoice: the body of the pay-invoice example. */
export const INVOICE_PAYMENT = { amount: '2000.00', currency: 'EUR', receivedOn: '2026-12-10', reference: 'Teilzahlung NL-2026-0412' } as const;

/** The SEPA transfer that settles the rest: the body of the record-payment example, without the invoices it pays. */
export const TRANSFER = { amount: '3000.00', currency: 'EUR', receivedOn: '2026-12-15', reference: 'SEPA E2E 2026121500042' } as const;

/** Part of the credit left over, paid back: the body of the refund example. */
export const REFUND = { amount: '100.00', currency: 'EUR', refundedOn: '2026-12-18', reference: 'SEPA refund 2026-12-18' } as const;

/**
 * The file of the import example: December's consulting and licence seats as the seller's field-service tool wrote
 * them, on the lines and terms of the November invoice. Its number becomes the draft's external reference; its
 * payment terms are a text an invoice does not record.
 */
export function fieldServiceFile(november: InvoiceState): En16931Document {
  return { ...invoiceToEn16931(november), number: 'FS-2026-0117', issueDate: '2026-12-18', dueDate: '2027-01-17', notes: [{ text: 'Leistungszeitraum: Dezember 2026' }] };
}

/** The day the reports are run. */
export const REPORT_DATE = '2026-12-18';

/**
 * The billing plan of the licence server's hosting, from 1 November 2026: 10 seats at 30.00 a month in advance, API
 * calls in arrears (the first 1,000 at 0.02, then 0.01 each), at least 25.00 a month; invoices left as drafts.
 */
export const BILLING_PLAN = {
  effectiveFrom: '2026-11-01',
  terms: {
    interval: 'monthly',
    charges: [
      { kind: 'recurring', code: 'hosting', name: 'Licence server hosting, per seat', quantity: '10', unitPrice: '30.00', timing: 'advance', vat: STANDARD_VAT },
      {
        kind: 'usage',
        code: 'api_calls',
        name: 'API calls',
        metric: { code: 'api_calls', aggregation: 'count' },
        price: { kind: 'graduated', tiers: [{ upTo: '1000', unitPrice: '0.02' }, { unitPrice: '0.01' }] },
        vat: STANDARD_VAT,
      },
    ],
    minimum: { amount: '25.00', name: 'Minimum commitment', vat: STANDARD_VAT },
    invoiceMode: 'draft',
  },
} as const satisfies { effectiveFrom: string; terms: PlanTermsInput };

/** The plan from 16 December: 15 seats. The body of the change-plan example. */
export const BILLING_PLAN_CHANGE = {
  effectiveFrom: '2026-12-16',
  terms: { ...BILLING_PLAN.terms, charges: [{ ...BILLING_PLAN.terms.charges[0], quantity: '15' }, BILLING_PLAN.terms.charges[1]] },
} as const satisfies { effectiveFrom: string; terms: PlanTermsInput };

/** One of November's API calls, as the integrator sent it. */
function apiCall(index: number, partnershipId: string): UsageEventInput {
  const day = String(1 + (index % 28)).padStart(2, '0');
  return { eventId: `lic-2611-${String(index).padStart(5, '0')}`, metricCode: 'api_calls', timestamp: `2026-11-${day}T14:00:00Z`, partnershipId };
}

/** The events of the usage example: one new, one sent before (with November's), one for a metric the plan lacks. */
export function usageBatch(partnershipId: string): UsageEventInput[] {
  return [
    { eventId: 'lic-2612-00001', metricCode: 'api_calls', timestamp: '2026-12-18T09:58:00Z', partnershipId, properties: { endpoint: '/licences/verify' } },
    apiCall(0, partnershipId),
    { eventId: 'lic-2612-00002', metricCode: 'api_cals', timestamp: '2026-12-18T09:59:00Z', partnershipId },
  ];
}

/** The onboarding workshop charged once, on the first bill on or after 1 December: the body of the one-off example. */
export const ONE_OFF_WORKSHOP = { date: '2026-12-01', name: 'Onboarding workshop', unitCode: 'HUR', quantity: '6', unitPrice: '110.00', vat: STANDARD_VAT } as const;

/** Who approves in the story: a user of tenant `acme`. */
const APPROVER = 'acme-admin';

let built: Promise<ExampleScenario> | undefined;

/** The scenario, played once on first use (a few milliseconds) and shared by every later call. */
export function exampleScenario(): Promise<ExampleScenario> {
  built ??= play();
  return built;
}

/** The clock of the story: each step sets the instant it happens at. */
class StoryClock implements Clock {
  private instant = new Date(0);

  now(): Date {
    return new Date(this.instant);
  }

  set(instant: string): void {
    this.instant = new Date(instant);
  }
}

/** UUIDv7 ids on the story's clock, their random bits drawn from a seeded xorshift: the same ids on every start. */
class SeededUuidV7 implements IdGenerator {
  private seed = 0x2f6b1d3a;

  constructor(private readonly clock: Clock) {}

  next<Brand extends string>(): Id<Brand> {
    const time = this.clock.now().getTime().toString(16).padStart(12, '0');
    const bits = `${this.random()}${this.random()}${this.random()}`;
    const variant = ((parseInt(bits.charAt(3), 16) & 0x3) | 0x8).toString(16);
    return `${time.slice(0, 8)}-${time.slice(8)}-7${bits.slice(0, 3)}-${variant}${bits.slice(4, 7)}-${bits.slice(7, 19)}` as Id<Brand>;
  }

  private random(): string {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed.toString(16).padStart(8, '0');
  }
}

async function play(): Promise<ExampleScenario> {
  const clock = new StoryClock();
  const container = new Container();
  const invoicing = createInMemoryAdapters();
  if (!(invoicing.outbox instanceof InMemoryOutbox)) throw new Error('the in-memory adapters have another outbox');
  // Billing plans write into the same outbox as the invoicing records, as one relay reads them all.
  const events = invoicing.outbox.events;
  container.loadSync(
    coreModule({ clock, ids: new SeededUuidV7(clock), publisher: { publish: async () => undefined } }),
    invoiceModule({ timeZone: 'Europe/Berlin' }),
    invoiceAdaptersModule(invoicing),
    billingModule(),
    billingAdaptersModule(createInMemoryBillingAdapters(events)),
  );
  const use = <T>(useCase: Newable<T>): T => container.get(useCase);
  /** Sets the clock, then runs the step. */
  const at = <T>(instant: string, step: () => Promise<T>): Promise<T> => {
    clock.set(instant);
    return step();
  };
  const inTenant = { tenantId: tenantId('acme') };

  // August: the partners, the catalogue and the partnership.
  const seller = await at('2026-08-03T08:12:04.311Z', () => use(CreatePartner).execute({ ...inTenant, ...SELLER }));
  const { tradingName: _tradingName, ...firstBuyerDetails } = BUYER_DETAILS;
  const buyer = await at('2026-08-03T08:14:37.502Z', () =>
    use(CreatePartner).execute({ ...inTenant, ...firstBuyerDetails, addresses: [{ ...BUYER_DETAILS.addresses[0], lines: ['Großer Burstah 31'] }], contacts: [ACCOUNTS_PAYABLE] }),
  );
  const atelier = await at('2026-08-03T08:16:02.118Z', () => use(CreatePartner).execute({ ...inTenant, ...ATELIER }));
  const buyerUpdated = await at('2026-08-03T08:21:45.960Z', () => use(UpdatePartner).execute({ ...inTenant, partnerId: buyer.id, details: BUYER_DETAILS }));
  const purchasingContact = await at('2026-08-03T08:22:10.044Z', () => use(AddContact).execute({ ...inTenant, partnerId: buyer.id, contact: PURCHASING_CONTACT }));
  const purchasingContactChanged = await at('2026-08-03T08:22:31.870Z', () =>
    use(UpdateContact).execute({ ...inTenant, partnerId: buyer.id, contactId: purchasingContact.id, changes: PURCHASING_CONTACT_CHANGE }),
  );
  const buyerContactRemoved = await at('2026-08-03T08:23:02.415Z', () => use(RemoveContact).execute({ ...inTenant, partnerId: buyer.id, contactId: purchasingContact.id }));
  const atelierContactsReplaced = await at('2026-08-03T08:25:13.207Z', () =>
    use(ReplaceContacts).execute({ ...inTenant, partnerId: atelier.id, contacts: [...atelier.contacts, ATELIER_PURCHASING] }),
  );
  const atelierArchived = await at('2026-08-03T08:26:40.733Z', () => use(ArchivePartner).execute({ ...inTenant, partnerId: atelier.id }));

  const consulting = await at('2026-08-03T08:30:11.092Z', () => use(CreateMarketable).execute({ ...inTenant, ...CONSULTING }));
  const licence = await at('2026-08-03T08:31:26.640Z', () => use(CreateMarketable).execute({ ...inTenant, ...LICENCE }));
  const consultingRepriced = await at('2026-08-03T08:33:05.318Z', () => use(UpdateMarketable).execute({ ...inTenant, marketableId: consulting.id, changes: CONSULTING_PRICES }));
  const licenceDeactivated = await at('2026-08-03T08:34:50.027Z', () => use(SetMarketableActive).execute({ ...inTenant, marketableId: licence.id, active: false }));
  const licenceActivated = await at('2026-08-03T08:35:12.581Z', () => use(SetMarketableActive).execute({ ...inTenant, marketableId: licence.id, active: true }));

  const parties = { ...inTenant, sellerId: seller.id, buyerId: buyer.id };
  const created = await at('2026-08-03T08:40:27.914Z', () => use(CreatePartnership).execute({ ...parties, ...PARTNERSHIP_TERMS }));
  const inPartnership = { ...inTenant, partnershipId: created.id };
  const termsChanged = await at('2026-08-03T08:41:03.455Z', () => use(UpdatePartnershipTerms).execute({ ...inPartnership, terms: RENEWED_TERMS }));
  const priced = await at('2026-08-03T08:41:38.260Z', () => use(SetPriceOverride).execute({ ...inPartnership, marketableId: consulting.id, ...NEGOTIATED_RATE }));
  await at('2026-08-03T08:42:01.734Z', () => use(SetPriceOverride).execute({ ...inPartnership, marketableId: licence.id, unitPrice: '229.00' }));
  const priceRemoved = await at('2026-08-03T08:42:19.006Z', () => use(SetPriceOverride).execute({ ...inPartnership, marketableId: licence.id, unitPrice: null }));
  const suspended = await at('2026-08-03T08:43:50.177Z', () => use(ChangePartnershipStatus).execute({ ...inPartnership, action: 'suspend' }));
  const resumed = await at('2026-08-03T08:44:12.649Z', () => use(ChangePartnershipStatus).execute({ ...inPartnership, action: 'resume' }));
  const chf = await at('2026-08-03T08:46:30.381Z', () =>
    use(CreatePartnership).execute({ ...parties, currency: 'CHF', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' }),
  );
  const chfEnded = await at('2026-08-03T08:47:02.912Z', () => use(ChangePartnershipStatus).execute({ ...inTenant, partnershipId: chf.id, action: 'end' }));

  // Autumn: consulting invoices, numbered in the order they are issued.
  const hours = async (instant: string, quantity: string, issueDate: string, purchaseOrderReference?: string) => {
    const draft = await at(instant, () =>
      use(CreateInvoiceDraft).execute({ ...inPartnership, issueDate, purchaseOrderReference, lines: [{ marketableId: consulting.id, quantity, unitCode: 'HUR' }] }),
    );
    return at(instant.replace(/\.\d+Z$/, '.480Z'), () => use(IssueInvoice).execute({ ...inTenant, invoiceId: draft.id }));
  };
  const toWriteOff = await hours('2026-08-31T15:02:11.208Z', '4', '2026-08-31');
  await hours('2026-09-15T14:20:45.733Z', '12', '2026-09-15', 'PO-4500016950');
  const toCredit = await hours('2026-09-30T16:11:09.521Z', '10', '2026-09-30');

  const content = { consulting: consulting.id, licence: licence.id, buyerContact: buyer.contacts[0]?.id };
  const draft = await at('2026-11-30T09:41:10.125Z', () => use(CreateInvoiceDraft).execute({ ...inPartnership, externalReference: 'NL-2026-0412', ...invoiceContent(content, '5') }));
  const draftUpdated = await at('2026-11-30T09:44:52.617Z', () => use(UpdateInvoiceDraft).execute({ ...inTenant, invoiceId: draft.id, content: invoiceContent(content, '6') }));
  const approved = await at('2026-11-30T10:02:37.209Z', () => use(ApproveInvoice).execute({ ...inTenant, invoiceId: draft.id, approvedBy: APPROVER }));
  const issued = await at('2026-11-30T10:03:05.280Z', () => use(IssueInvoice).execute({ ...inTenant, invoiceId: draft.id }));
  const toVoid = await hours('2026-11-30T10:15:40.398Z', '8', '2026-11-30');
  const voided = await at('2026-11-30T10:21:18.557Z', () => use(VoidInvoice).execute({ ...inTenant, invoiceId: toVoid.id, ...VOID }));

  // December: a credit note, a write-off, payments and a refund.
  const creditNote = await at('2026-12-04T11:05:29.950Z', () => use(CreateCreditNote).execute({ ...inTenant, invoiceId: toCredit.id, ...creditContent(consulting.id) }));
  const uncollectible = await at('2026-12-04T11:12:03.760Z', () => use(MarkInvoiceUncollectible).execute({ ...inTenant, invoiceId: toWriteOff.id }));
  const invoicePayment = await at('2026-12-10T10:41:10.349Z', () => use(PayInvoice).execute({ ...inTenant, invoiceId: issued.id, ...INVOICE_PAYMENT }));
  const partlyPaid = await use(GetInvoice).execute({ ...inTenant, invoiceId: issued.id });
  const recorded = await at('2026-12-15T10:41:11.114Z', () => use(RecordPayment).execute({ ...inTenant, partnerId: buyer.id, ...TRANSFER, applyTo: [issued.id] }));
  const refund = await at('2026-12-18T09:12:40.240Z', () => use(RefundCredit).execute({ ...inTenant, partnerId: buyer.id, ...REFUND }));
  const refunded = await use(GetPayment).execute({ ...inTenant, paymentId: recorded.id });
  const applied = await at('2026-12-18T09:20:02.279Z', () => use(ApplyPayment).execute({ ...inTenant, paymentId: recorded.id, applyTo: [toCredit.id] }));
  const credited = await use(GetInvoice).execute({ ...inTenant, invoiceId: toCredit.id });

  const page = { limit: 2 };
  const story = {
    partners: {
      seller,
      buyer,
      buyerUpdated,
      buyerContactRemoved,
      atelierContactsReplaced,
      atelierArchived,
      page: await use(ListPartners).execute({ ...inTenant, page }),
      purchasingContact,
      purchasingContactChanged,
      contactMatches: await use(SearchContacts).execute({ ...inTenant, query: 'brandt' }),
    },
    marketables: { consulting, consultingRepriced, licenceDeactivated, licenceActivated, page: await use(ListMarketables).execute({ ...inTenant, page }) },
    partnerships: { created, termsChanged, priced, priceRemoved, suspended, resumed, chfEnded, page: await use(ListPartnerships).execute({ ...inTenant, page }) },
    invoices: { draft, draftUpdated, approved, issued, partlyPaid, voided, uncollectible, credited, creditNote, page: await use(ListInvoices).execute({ ...inTenant, page }) },
    payments: {
      invoicePayment,
      recorded,
      refunded,
      applied,
      refund,
      page: await use(ListPayments).execute({ ...inTenant, partnerId: buyer.id, page }),
      balances: await use(GetPartnerBalance).execute({ ...inTenant, partnerId: buyer.id }),
    },
    reports: {
      pastDue: await use(PastDueReport).execute({ ...inTenant, asOf: REPORT_DATE }),
      monthlySummary: { month: '2026-11', rows: await use(MonthlySummaryReport).execute({ ...inTenant, month: '2026-11' }) },
      aging: await use(AgingReport).execute({ ...inTenant, asOf: REPORT_DATE }),
      partnerTotals: await use(PartnerTotalsReport).execute({ ...inTenant, months: 6, asOf: REPORT_DATE }),
      contactsLastSeen: await use(PartnerContactsReport).execute({ ...inTenant, partnerId: buyer.id }),
    },
  };

  // After the lists and reports, which show the story without it: a file of the field-service tool becomes a draft.
  const importedFile = fieldServiceFile(issued);
  const imported = await at('2026-12-18T09:31:07.415Z', () => use(ImportEInvoice).execute({ ...inPartnership, document: importedFile, findings: [] }));
  const billing = await billingStory(use, at, inPartnership, consulting.id);
  const imports = await importsStory(use, at, inTenant.tenantId, seller.id);
  return { ...story, eInvoices: { importedFile, imported }, billing, imports, events: [...events] };
}

/**
 * The hosting of Brandt's licence server, billed from 1 November: the plan, 1,250 API calls in November and the
 * example batch, the onboarding workshop, a dry run and the run of 18 December (its December invoice explained), then
 * 15 seats from 16 December and the upcoming invoice that corrects the month.
 */
async function billingStory(
  use: <T>(useCase: Newable<T>) => T,
  at: <T>(instant: string, step: () => Promise<T>) => Promise<T>,
  inPartnership: { readonly tenantId: ReturnType<typeof tenantId>; readonly partnershipId: PartnershipState['id'] },
  consultingId: MarketableId,
): Promise<ExampleScenario['billing']> {
  const inTenant = { tenantId: inPartnership.tenantId };
  const plan = await at('2026-12-18T10:05:12.318Z', () => use(SetBillingPlan).execute({ ...inPartnership, ...BILLING_PLAN }));
  const november = Array.from({ length: 1250 }, (_, index) => apiCall(index, inPartnership.partnershipId));
  // Two batches: a batch carries at most 1,000 events.
  await at('2026-12-18T10:05:40.002Z', () => use(RecordUsage).execute({ ...inTenant, events: november.slice(0, 1000) }));
  await at('2026-12-18T10:05:41.560Z', () => use(RecordUsage).execute({ ...inTenant, events: november.slice(1000) }));
  const usage = await at('2026-12-18T10:06:03.871Z', () => use(RecordUsage).execute({ ...inTenant, events: usageBatch(inPartnership.partnershipId) }));
  const { charge: oneOff } = await at('2026-12-18T10:08:27.540Z', () => use(AddOneOffCharge).execute({ ...inPartnership, ...ONE_OFF_WORKSHOP, marketableId: consultingId }));
  const dryRun = await at('2026-12-18T10:10:15.006Z', () => use(RunBilling).execute({ ...inTenant, dryRun: true }));
  const runStarted = await at('2026-12-18T10:12:00.113Z', () => use(StartBillingRun).execute(inTenant));
  const run = await at('2026-12-18T10:12:01.742Z', () => use(ExecuteBillingRun).execute({ ...inTenant, runId: runStarted.id }));
  const runBills = await use(ListRunBills).execute({ ...inTenant, runId: run.id });
  const december = runBills.find((bill) => bill.billingDate === '2026-12-01');
  if (!december) throw new Error('the run of the example made no bill for 1 December');
  const decemberBill = await use(GetInvoiceBilling).execute({ ...inTenant, invoiceId: december.invoiceId });
  const planChanged = await at('2026-12-18T10:20:44.905Z', () => use(SetBillingPlan).execute({ ...inPartnership, ...BILLING_PLAN_CHANGE }));
  const upcoming = await at('2026-12-18T10:21:02.337Z', () => use(PreviewUpcomingInvoice).execute(inPartnership));
  if (!upcoming) throw new Error('the example plan has no upcoming invoice');
  return {
    plan,
    planChanged,
    usage,
    oneOff,
    dryRun,
    runStarted,
    run,
    runs: await use(ListBillingRuns).execute({ ...inTenant, limit: 2 }),
    runBills,
    decemberBill,
    upcoming,
  };
}

/**
 * The accounts-receivable export of the tool Nordlicht billed with before: two invoices to a logistics customer (one
 * settled, one partly paid) and a credit memo written as a negative invoice, which the import refuses.
 */
export const RECEIVABLES_FILE = [
  'Invoice #,Customer Name,Contact Name,Contact Email,Invoice Date,Customer Terms,Bill Total,Amount Applied,Status,Currency',
  'AR-2026-0412,Hafenblick Logistik GmbH,Merle Jansen,buchhaltung@hafenblick-logistik.de,2026-06-15,Net 30,2380.00,2380.00,Closed,EUR',
  'AR-2026-0418,Hafenblick Logistik GmbH,,,2026-07-01,Net 30,1190.00,500.00,Pending,EUR',
  'AR-2026-0423,Hafenblick Logistik GmbH,,,2026-07-20,Net 30,-119.00,0.00,Pending,EUR',
  '',
].join('\r\n');

/** Nordlicht imports its old receivables on 19 December, as the API's import job does it. */
async function importsStory(
  use: <T>(useCase: Newable<T>) => T,
  at: <T>(instant: string, step: () => Promise<T>) => Promise<T>,
  tenant: ReturnType<typeof tenantId>,
  sellerId: PartnerState['id'],
): Promise<ExampleScenario['imports']> {
  const started = '2026-12-19T08:02:11.530Z';
  const importer = await at(started, () => use(ImportReceivables).start({ tenantId: tenant, sellerId }));
  const refused: RefusedRow[] = [];
  const report = await at('2026-12-19T08:02:12.004Z', () =>
    importReceivablesCsv(Readable.from([RECEIVABLES_FILE]), importer, {
      onRow: (row) => {
        if (row.outcome === 'refused') refused.push(refusedRowOf(row));
      },
    }),
  );
  const finished = new Date('2026-12-19T08:02:12.388Z');
  const job: ImportJobState = {
    tenantId: tenant,
    id: '019b3580-6f0a-7c3e-9d41-8a2b5c7e1f04',
    sellerId,
    status: 'completed',
    counts: { rowsRead: report.rowsRead, imported: report.imported, updated: report.updated, unchanged: report.unchanged, refused: report.refused },
    header: (RECEIVABLES_FILE.split('\r\n')[0] as string).split(','),
    ignoredColumns: [...report.ignoredColumns],
    startedAt: new Date(started),
    updatedAt: finished,
    finishedAt: finished,
  };
  return { file: RECEIVABLES_FILE, job, refused };
}
