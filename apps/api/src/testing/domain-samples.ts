import { tenantId as parseTenantId, type Page } from '@invoicing/core';
import {
  AddContact,
  AgingReport,
  ApproveInvoice,
  ArchivePartner,
  ChangePartnershipStatus,
  CreateCreditNote,
  CreateInvoiceDraft,
  CreateMarketable,
  CreatePartner,
  CreatePartnership,
  GetInvoice,
  GetPartner,
  GetPartnerBalance,
  GetPayment,
  IssueInvoice,
  ListInvoices,
  ListMarketables,
  ListPartners,
  ListPartnerships,
  ListPayments,
  MarkInvoiceUncollectible,
  MonthlySummaryReport,
  PartnerContactsReport,
  PartnerTotalsReport,
  PastDueReport,
  PayInvoice,
  RecordPayment,
  RefundCredit,
  SearchContacts,
  SetMarketableActive,
  SetPriceOverride,
  VoidInvoice,
  type AccountBalance,
  type Contact,
  type ContactLastSeen,
  type ContactMatch,
  type InvoiceState,
  type InvoiceSummary,
  type MarketableState,
  type MonthlySummary,
  type PartnerState,
  type PartnershipId,
  type PartnershipState,
  type PaymentState,
} from '@invoicing/invoice';
import type { TestBed } from '@invoicing/invoice/testing';

/** Resolves a use case from a container: a test bed's `use`. */
export type UseCases = TestBed['use'];

type Result<UseCase extends { execute(...args: never[]): unknown }> = Awaited<ReturnType<UseCase['execute']>>;

/** Every kind of domain state and report the API answers with, each in its fullest and its barest forms. */
export interface DomainSamples {
  readonly partners: readonly PartnerState[];
  readonly partnerPage: Page<PartnerState>;
  readonly contact: Contact;
  readonly contactMatches: readonly ContactMatch[];
  readonly marketables: readonly MarketableState[];
  readonly marketablePage: Page<MarketableState>;
  readonly partnerships: readonly PartnershipState[];
  readonly partnershipPage: Page<PartnershipState>;
  readonly invoices: readonly InvoiceState[];
  readonly invoicePage: Page<InvoiceSummary>;
  readonly payments: readonly PaymentState[];
  readonly paymentPage: Page<PaymentState>;
  readonly refund: Result<RefundCredit>;
  readonly balances: readonly AccountBalance[];
  readonly pastDue: Result<PastDueReport>;
  readonly monthlySummary: { readonly month: string; readonly rows: readonly MonthlySummary[] };
  readonly aging: Result<AgingReport>;
  readonly partnerTotals: Result<PartnerTotalsReport>;
  readonly contactsLastSeen: readonly ContactLastSeen[];
}

const PARIS = { lines: ['12 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' };
const BERLIN = { purpose: 'billing' as const, lines: ['Friedrichstraße 1', 'Hof 2'], city: 'Berlin', postalCode: '10117', subdivision: 'BE', countryCode: 'DE' };
const STANDARD = { code: 'S', rate: '20' };

/**
 * Seeds one tenant through the use cases, the way the API's routes would, and collects a sample of every answer: a
 * partner with every optional field and one with none, an archived one; marketables with and without a VAT rate;
 * partnerships with each approval rule; invoices through every status with allowances, charges, exemptions,
 * payments, credit notes and approval; payments applied, taken back by a credit note and refunded; every report with rows.
 */
export async function seedDomainSamples(use: UseCases, tenant = 'acme'): Promise<DomainSamples> {
  const tenantId = parseTenantId(tenant);

  const seller = await use(CreatePartner).execute({
    tenantId,
    kind: 'company',
    legalName: 'Atelier Lumière SAS',
    tradingName: 'Lumière',
    externalId: 'CRM-SELLER-1',
    identifiers: {
      vatId: 'FR12345678901',
      taxRegistrationId: 'TAX-42',
      legalRegistration: { value: '73282932000074', scheme: '0002' },
      electronicAddress: { scheme: '0009', value: '73282932000074' },
    },
    addresses: [{ ...PARIS, purpose: 'billing' }, { ...PARIS, purpose: 'delivery', lines: ['3 quai Voltaire'] }],
    defaultCurrency: 'EUR',
    defaultPaymentTerms: { kind: 'instalments', instalments: [{ percent: '30', days: 0 }, { percent: '70', days: 30 }] },
    contacts: [{ name: 'Claire Martin', email: 'claire.martin@atelier-lumiere.example', phone: '+33 1 23 45 67 89', role: 'billing' }],
  });
  let buyer = await use(CreatePartner).execute({
    tenantId,
    legalName: 'Nordwind GmbH',
    identifiers: { vatId: 'DE123456789' },
    addresses: [BERLIN],
    defaultPaymentTerms: { kind: 'net', days: 30 },
    contacts: [{ name: 'Jonas Weber', email: 'jonas.weber@nordwind.example', role: 'accounts payable' }],
  });
  const person = await use(CreatePartner).execute({ tenantId, kind: 'person', legalName: 'Kim Lee', addresses: [PARIS], defaultPaymentTerms: { kind: 'end_of_month', days: 15 } });
  const bare = await use(CreatePartner).execute({ tenantId, legalName: 'Solo Traders' });
  const archived = await use(ArchivePartner).execute({ tenantId, partnerId: bare.id });
  const contact = await use(AddContact).execute({ tenantId, partnerId: buyer.id, contact: { name: 'Petra Klein' } });
  buyer = await use(GetPartner).execute({ tenantId, partnerId: buyer.id });
  const [sellerContact, buyerContact] = [seller.contacts[0], buyer.contacts[0]];

  const consulting = await use(CreateMarketable).execute({
    tenantId,
    sku: 'CONSULT-DAY',
    kind: 'service',
    name: 'Consulting day',
    description: 'One day of on-site consulting',
    unitCode: 'DAY',
    prices: [
      { currency: 'EUR', unitPrice: '800.00' },
      { currency: 'USD', unitPrice: '0.0125' },
    ],
    defaultVat: STANDARD,
  });
  const outOfScope = await use(CreateMarketable).execute({
    tenantId,
    sku: 'DONATION',
    kind: 'product',
    name: 'Donation',
    unitCode: 'C62',
    prices: [],
    defaultVat: { code: 'O', exemptionReason: 'Not subject to VAT', exemptionReasonCode: 'VATEX-EU-O' },
  });
  const inactive = await use(SetMarketableActive).execute({ tenantId, marketableId: outOfScope.id, active: false });

  const partnership = await use(CreatePartnership).execute({
    tenantId,
    sellerId: seller.id,
    buyerId: buyer.id,
    currency: 'EUR',
    paymentTerms: { kind: 'net', days: 30 },
    numbering: { invoice: 'INV', creditNote: 'CN' },
    policy: { approval: { kind: 'above', threshold: '5000.00', separateApprover: true }, deliveryFormat: 'ubl' },
    validFrom: '2026-01-01',
    validUntil: '2026-12-31',
    buyerReference: 'PO-2026-0042',
  });
  const withPrice = await use(SetPriceOverride).execute({ tenantId, partnershipId: partnership.id, marketableId: consulting.id, unitPrice: '750.00' });
  const plain = await use(CreatePartnership).execute({ tenantId, sellerId: seller.id, buyerId: person.id, currency: 'EUR', paymentTerms: { kind: 'due_on_receipt' }, validFrom: '2026-01-01' });
  const suspended = await use(ChangePartnershipStatus).execute({ tenantId, partnershipId: plain.id, action: 'suspend' });
  const resumed = await use(ChangePartnershipStatus).execute({ tenantId, partnershipId: plain.id, action: 'resume' });

  const simple = (partnershipId: PartnershipId, net: string, issueDate: string) =>
    use(CreateInvoiceDraft).execute({ tenantId, partnershipId, issueDate, lines: [{ name: 'Consulting', quantity: '1', unitCode: 'C62', netPrice: net, vat: STANDARD }] });
  const issue = (invoice: InvoiceState) => use(IssueInvoice).execute({ tenantId, invoiceId: invoice.id });

  const draft = await use(CreateInvoiceDraft).execute({
    tenantId,
    partnershipId: partnership.id,
    authors: ['anna.schmidt'],
    externalReference: 'ERP-0001',
    issueDate: '2026-02-02',
    sellerContactId: sellerContact?.id,
    buyerContactId: buyerContact?.id,
    purchaseOrderReference: 'PO-77',
    invoicePeriod: { start: '2026-01-01', end: '2026-01-31' },
    notes: ['Thank you for your business.'],
    lines: [
      { marketableId: consulting.id, quantity: '8', allowances: [{ percent: '10', baseAmount: '6000.00', reason: 'Volume', reasonCode: '95' }], charges: [{ amount: '50.00', reason: 'Travel', reasonCode: 'FC' }] },
      {
        name: 'Workshop kit',
        description: 'Printed material',
        sellerItemId: 'KIT-1',
        period: { start: '2026-01-15', end: '2026-01-16' },
        quantity: '3',
        unitCode: 'C62',
        netPrice: '12.50',
        priceBaseQuantity: '1',
        vat: { code: 'E', exemptionReason: 'Exempt training material', exemptionReasonCode: 'VATEX-EU-F' },
      },
    ],
    allowances: [{ amount: '20.00', reason: 'Loyalty', reasonCode: '100', vat: STANDARD }],
    charges: [{ percent: '5', baseAmount: '100.00', reason: 'Handling', vat: STANDARD }],
  });
  const approved = await use(ApproveInvoice).execute({ tenantId, invoiceId: draft.id, approvedBy: 'jeanne.accountant', expectedVersion: draft.version });
  const issued = await issue(approved);
  const partPayment = await use(RecordPayment).execute({ tenantId, partnerId: buyer.id, amount: '500.00', currency: 'EUR', receivedOn: '2026-02-20', reference: 'SEPA-001', applyTo: [issued.id] });
  const partlyPaid = await use(GetInvoice).execute({ tenantId, invoiceId: issued.id });

  const toCredit = await issue(await simple(partnership.id, '100.00', '2026-02-10'));
  const creditNote = await use(CreateCreditNote).execute({ tenantId, invoiceId: toCredit.id, reason: 'Returned' });
  const credited = await use(GetInvoice).execute({ tenantId, invoiceId: toCredit.id });
  const voided = await use(VoidInvoice).execute({ tenantId, invoiceId: (await issue(await simple(partnership.id, '200.00', '2026-02-11'))).id, reason: 'issued by mistake' });
  const lookAlike = await simple(partnership.id, '100.00', '2026-02-11');
  const issuedLookAlike = await issue(lookAlike);
  const writtenOff = await use(MarkInvoiceUncollectible).execute({ tenantId, invoiceId: (await issue(await simple(partnership.id, '300.00', '2026-03-01'))).id });
  const paidInFull = await use(PayInvoice).execute({ tenantId, invoiceId: writtenOff.id, amount: '400.00', currency: 'EUR', receivedOn: '2026-03-05' });
  // Paid, then credited in part: the credit takes back part of the payment, which is the buyer's credit again.
  const toReturn = await issue(await simple(partnership.id, '50.00', '2026-03-02'));
  const paidBeforeCredit = await use(PayInvoice).execute({ tenantId, invoiceId: toReturn.id, amount: '60.00', currency: 'EUR', receivedOn: '2026-03-05' });
  const returnedLine = { name: 'Consulting', quantity: '1', unitCode: 'C62', netPrice: '10.00', vat: STANDARD };
  await use(CreateCreditNote).execute({ tenantId, invoiceId: toReturn.id, lines: [returnedLine], reason: 'Returned after payment' });
  const creditedAfterPayment = await use(GetInvoice).execute({ tenantId, invoiceId: toReturn.id });
  const returnedTo = await use(GetPayment).execute({ tenantId, paymentId: paidBeforeCredit.id });

  // Credit with nothing to pay: refunded in part.
  const prepayment = await use(RecordPayment).execute({ tenantId, partnerId: person.id, amount: '300.00', currency: 'EUR', receivedOn: '2026-03-02' });
  const refund = await use(RefundCredit).execute({ tenantId, partnerId: person.id, amount: '100.00', currency: 'EUR', refundedOn: '2026-03-06', reference: 'RF-1' });
  const refunded = await use(GetPayment).execute({ tenantId, paymentId: prepayment.id });

  return {
    partners: [seller, buyer, person, bare, archived],
    partnerPage: await use(ListPartners).execute({ tenantId, page: { limit: 2 } }),
    contact,
    contactMatches: await use(SearchContacts).execute({ tenantId, query: 'jonas' }),
    marketables: [consulting, outOfScope, inactive],
    marketablePage: await use(ListMarketables).execute({ tenantId, page: { limit: 1 } }),
    partnerships: [partnership, withPrice, plain, suspended, resumed],
    partnershipPage: await use(ListPartnerships).execute({ tenantId, page: { limit: 1 } }),
    invoices: [
      draft,
      approved,
      issued,
      partlyPaid,
      creditNote,
      credited,
      voided,
      lookAlike,
      issuedLookAlike,
      writtenOff,
      await use(GetInvoice).execute({ tenantId, invoiceId: writtenOff.id }),
      creditedAfterPayment,
    ],
    invoicePage: await use(ListInvoices).execute({ tenantId, page: { limit: 50 } }),
    payments: [partPayment, paidInFull, prepayment, refunded, returnedTo],
    paymentPage: await use(ListPayments).execute({ tenantId, partnerId: buyer.id, page: { limit: 1 } }),
    refund,
    balances: [...(await use(GetPartnerBalance).execute({ tenantId, partnerId: buyer.id })), ...(await use(GetPartnerBalance).execute({ tenantId, partnerId: person.id }))],
    pastDue: await use(PastDueReport).execute({ tenantId, asOf: '2026-06-01' }),
    monthlySummary: { month: '2026-02', rows: await use(MonthlySummaryReport).execute({ tenantId, month: '2026-02' }) },
    aging: await use(AgingReport).execute({ tenantId, asOf: '2026-06-01' }),
    partnerTotals: await use(PartnerTotalsReport).execute({ tenantId, months: 12, asOf: '2026-06-01' }),
    contactsLastSeen: await use(PartnerContactsReport).execute({ tenantId, partnerId: buyer.id }),
  };
}
