import 'reflect-metadata';
import { coreModule, tenantId } from '@invoicing/core';
import {
  CreateInvoiceDraft,
  CreateMarketable,
  CreatePartner,
  CreatePartnership,
  GetPartnerBalance,
  IssueInvoice,
  RecordPayment,
  invoiceAdaptersModule,
  invoiceModule,
} from '@invoicing/invoice';
import { createInMemoryAdapters } from '@invoicing/invoice/testing';
import { Container } from 'inversify';

export async function quickStart() {
  const adapters = createInMemoryAdapters(); // every port in memory, with a publisher that records relayed events
  const container = new Container();
  container.loadSync(
    coreModule({ publisher: adapters.publisher }), // clock, ids and events, shared by every domain package
    invoiceModule({ timeZone: 'Europe/Paris' }), // the use cases
    invoiceAdaptersModule(adapters), // the ports of @invoicing/invoice
  );
  const tenant = tenantId('acme');
  const address = { lines: ['1 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' };

  const seller = await container.get(CreatePartner).execute({
    tenantId: tenant,
    legalName: 'Acme SAS',
    identifiers: { vatId: 'FR12345678901' },
    addresses: [address],
  });
  const buyer = await container.get(CreatePartner).execute({
    tenantId: tenant,
    legalName: 'Globex SARL',
    addresses: [address],
    contacts: [{ name: 'Anna Martin', email: 'anna@globex.example' }],
  });
  const partnership = await container.get(CreatePartnership).execute({
    tenantId: tenant,
    sellerId: seller.id,
    buyerId: buyer.id,
    currency: 'EUR',
    paymentTerms: { kind: 'net', days: 30 },
    validFrom: '2026-01-01',
  });
  const consulting = await container.get(CreateMarketable).execute({
    tenantId: tenant,
    sku: 'CONSULTING',
    kind: 'service',
    name: 'Consulting',
    unitCode: 'HUR',
    prices: [{ currency: 'EUR', unitPrice: '80.00' }],
    defaultVat: { code: 'S', rate: '20' },
  });

  const draft = await container.get(CreateInvoiceDraft).execute({
    tenantId: tenant,
    partnershipId: partnership.id,
    lines: [{ marketableId: consulting.id, quantity: '7.5' }], // 7.5 h × 80.00 = 600.00 + 20% VAT
  });
  const invoice = await container.get(IssueInvoice).execute({ tenantId: tenant, invoiceId: draft.id });
  console.log(invoice.number, invoice.totals.amountDue.toString()); // INV-000001 720.00

  await container.get(RecordPayment).execute({
    tenantId: tenant,
    partnerId: buyer.id,
    amount: '500.00',
    currency: 'EUR',
    receivedOn: '2026-02-01',
  });
  const [balance] = await container.get(GetPartnerBalance).execute({ tenantId: tenant, partnerId: buyer.id });
  console.log(balance?.balance.toString()); // 220.00 still owed
  return { invoice, balance };
}
