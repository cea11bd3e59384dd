import { Money, UuidV7IdGenerator, parseCalendarDate, tenantId, type TenantId } from '@invoicing/core';
import { Invoice, type NewDraft } from '../invoice/invoice';
import { formatDocumentNumber } from '../invoice/number-sequence.port';
import { partySnapshot } from '../invoice/party-snapshot';
import { Marketable, type MarketableDetails } from '../marketable/marketable';
import { Partner, type ContactInput, type PartnerDetails } from '../partner/partner';
import { Partnership, type PartnershipTermsInput } from '../partnership/partnership';
import { Payment } from '../payment/payment';
import type { PaymentId } from '../shared/ids';

const ids = new UuidV7IdGenerator();
const AT = new Date('2026-01-15T09:00:00Z');

/** A tenant id no other test uses, so suites can share one database. */
export function aTenant(): TenantId {
  return tenantId(`t-${ids.next<'Tenant'>()}`);
}

/** A valid company partner with a billing address and a VAT id (a French one unless overridden). */
export function aPartner(tenant: TenantId, overrides: Partial<PartnerDetails> & { contacts?: readonly ContactInput[] } = {}): Partner {
  return Partner.create(
    {
      legalName: 'Acme SAS',
      identifiers: { vatId: 'FR12345678901' },
      addresses: [{ purpose: 'billing', lines: ['1 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
      contacts: [{ name: 'Anna Martin', email: 'anna.martin@example.com', phone: '+33 1 23 45 67 89', role: 'accounts payable' }],
      ...overrides,
    },
    { tenantId: tenant, id: ids.next<'Partner'>(), newContactId: () => ids.next<'Contact'>(), at: AT },
  );
}

/** A partnership in EUR, net 30, valid from 2026-01-01, between two partners. */
export function aPartnership(tenant: TenantId, seller: Partner, buyer: Partner, overrides: Partial<PartnershipTermsInput> = {}): Partnership {
  return Partnership.create(
    { sellerId: seller.id, buyerId: buyer.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01', ...overrides },
    { tenantId: tenant, id: ids.next<'Partnership'>(), at: AT },
  );
}

/** A service sold by the hour at 80.00 EUR, VAT S 20%. */
export function aMarketable(tenant: TenantId, overrides: Partial<MarketableDetails> = {}): Marketable {
  return Marketable.create(
    {
      sku: `SKU-${ids.next<'Sku'>().slice(-12)}`,
      kind: 'service',
      name: 'Consulting',
      unitCode: 'HUR',
      prices: [{ currency: 'EUR', unitPrice: '80.00' }],
      defaultVat: { code: 'S', rate: '20' },
      ...overrides,
    },
    { tenantId: tenant, id: ids.next<'Marketable'>(), at: AT },
  );
}

/** A draft with one line of `quantity` hours at 100.00 EUR, VAT S 20% (so 120.00 due per hour). */
export function aDraft(tenant: TenantId, partnership: Partnership, overrides: Partial<NewDraft> & { quantity?: string } = {}): Invoice {
  const { quantity = '1', ...rest } = overrides;
  return Invoice.draft(
    {
      ...partnership.draftTerms(),
      lines: [{ name: 'Consulting', quantity, unitCode: 'HUR', netPrice: '100.00', vat: { code: 'S', rate: '20' } }],
      ...rest,
    },
    { tenantId: tenant, id: ids.next<'Invoice'>(), at: AT },
  );
}

/** Issues a draft with a given sequence number and issue date, freezing the given parties. */
export function issue(draft: Invoice, seller: Partner, buyer: Partner, sequence: number, issueDate = '2026-01-15'): Invoice {
  draft.issue({
    number: formatDocumentNumber(draft.series, sequence),
    issueDate: parseCalendarDate(issueDate),
    seller: partySnapshot(seller),
    buyer: partySnapshot(buyer),
    requiresApproval: false,
    at: AT,
  });
  return draft;
}

/** A payment received from a partner. */
export function aPayment(tenant: TenantId, partner: Partner, amount: string, currency = 'EUR', receivedOn = '2026-02-01'): Payment {
  return Payment.receive({ partnerId: partner.id, amount, currency, receivedOn }, { tenantId: tenant, id: ids.next<'Payment'>(), at: AT });
}

/** A fresh payment id, for applying payments directly to invoices. */
export function aPaymentId(): PaymentId {
  return ids.next<'Payment'>();
}

/** `Money.of` in EUR, for short assertions. */
export function eur(amount: string): Money<'EUR'> {
  return Money.of(amount, 'EUR');
}
