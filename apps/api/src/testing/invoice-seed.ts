import { tenantId as parseTenantId, type TenantId } from '@invoicing/core';
import {
  CreateInvoiceDraft,
  CreatePartner,
  CreatePartnership,
  IssueInvoice,
  RecordPayment,
  VoidInvoice,
  type ContactInput,
  type ContactId,
  type InvoiceId,
  type InvoiceState,
  type PartnerId,
  type PartnerState,
  type PartnershipId,
} from '@invoicing/invoice';
import type { TestApi } from './harness';

const ADDRESS = { purpose: 'billing' as const, lines: ['Friedrichstraße 1'], city: 'Berlin', postalCode: '10117', countryCode: 'DE' };

/**
 * Seeds partners, partnerships and issued invoices of a tenant through the running API's own use cases (what the
 * invoice routes would do), so that invoices can be issued on dates in the past and reports have fixed answers.
 */
export class InvoiceSeed {
  readonly tenantId: TenantId;
  private sellerId: PartnerId | undefined;

  constructor(
    private readonly t: TestApi,
    tenant = 'acme',
  ) {
    this.tenantId = parseTenantId(tenant);
  }

  /** A buyer with an address and a VAT id, so invoices to it can be issued. */
  async buyer(legalName: string, contacts: ContactInput[] = []): Promise<PartnerState> {
    return this.t.api.app.get(CreatePartner).execute({ tenantId: this.tenantId, kind: 'company', legalName, identifiers: { vatId: 'DE123456789' }, addresses: [ADDRESS], contacts });
  }

  /** A partnership from the tenant's own company (created once) to the buyer, net `days` days. */
  async partnership(buyerId: PartnerId, currency = 'EUR', days = 30): Promise<PartnershipId> {
    this.sellerId ??= (
      await this.t.api.app.get(CreatePartner).execute({
        tenantId: this.tenantId,
        kind: 'company',
        legalName: 'Atelier Lumière SAS',
        identifiers: { vatId: 'FR12345678901' },
        addresses: [{ ...ADDRESS, lines: ['12 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
      })
    ).id;
    const partnership = await this.t.api.app.get(CreatePartnership).execute({
      tenantId: this.tenantId,
      sellerId: this.sellerId,
      buyerId,
      currency,
      paymentTerms: { kind: 'net', days },
      validFrom: '2026-01-01',
    });
    return partnership.id;
  }

  /** Issues an invoice of one line at standard VAT 20 %: its total is 1.2 × `net`. */
  async invoice(partnershipId: PartnershipId, net: string, issueDate: string, buyerContactId?: ContactId): Promise<InvoiceState> {
    const draft = await this.t.api.app.get(CreateInvoiceDraft).execute({
      tenantId: this.tenantId,
      partnershipId,
      issueDate,
      ...(buyerContactId ? { buyerContactId } : {}),
      lines: [{ name: 'Consulting', quantity: '1', unitCode: 'C62', netPrice: net, vat: { code: 'S', rate: '20' } }],
    });
    return this.t.api.app.get(IssueInvoice).execute({ tenantId: this.tenantId, invoiceId: draft.id });
  }

  async pay(partnerId: PartnerId, invoiceId: InvoiceId, amount: string, receivedOn: string): Promise<void> {
    await this.t.api.app.get(RecordPayment).execute({ tenantId: this.tenantId, partnerId, amount, currency: 'EUR', receivedOn, applyTo: [invoiceId] });
  }

  async void(invoiceId: InvoiceId): Promise<void> {
    await this.t.api.app.get(VoidInvoice).execute({ tenantId: this.tenantId, invoiceId, reason: 'issued by mistake' });
  }
}
