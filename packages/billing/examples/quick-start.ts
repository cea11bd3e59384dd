import 'reflect-metadata';
import { coreModule, tenantId } from '@invoicing/core';
import { FixedClock } from '@invoicing/core/testing';
import { CreatePartner, CreatePartnership, GetInvoice, invoiceAdaptersModule, invoiceModule } from '@invoicing/invoice';
import { createInMemoryAdapters } from '@invoicing/invoice/testing';
import { GetInvoiceBilling, ListRunBills, RecordUsage, RunBilling, SetBillingPlan, billingAdaptersModule, billingModule } from '@invoicing/billing';
import { createInMemoryBillingAdapters } from '@invoicing/billing/testing';
import { Container } from 'inversify';

export async function quickStart() {
  const clock = new FixedClock(new Date('2026-03-01T08:00:00Z')); // a clock the example moves; SystemClock by default
  const invoicing = createInMemoryAdapters();
  const container = new Container();
  container.loadSync(
    coreModule({ clock, publisher: invoicing.publisher }),
    invoiceModule({ timeZone: 'Europe/Paris' }), // billing's periods start at midnight in this zone too
    invoiceAdaptersModule(invoicing),
    billingModule(),
    billingAdaptersModule(createInMemoryBillingAdapters()),
  );
  const tenant = tenantId('acme');
  const address = { lines: ['1 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' };
  const seller = await container.get(CreatePartner).execute({ tenantId: tenant, legalName: 'Acme SAS', identifiers: { vatId: 'FR12345678901' }, addresses: [address] });
  const buyer = await container.get(CreatePartner).execute({ tenantId: tenant, legalName: 'Globex SARL', addresses: [address] });
  const partnership = await container.get(CreatePartnership).execute({
    tenantId: tenant, sellerId: seller.id, buyerId: buyer.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01',
  });

  // A monthly fee of 49.00 in advance, and API calls in arrears: 0.10 each for the first 100, 0.05 each after.
  const vat = { code: 'S', rate: '20' };
  await container.get(SetBillingPlan).execute({
    tenantId: tenant,
    partnershipId: partnership.id,
    effectiveFrom: '2026-03-01',
    terms: {
      interval: 'monthly',
      charges: [
        { kind: 'recurring', code: 'platform', name: 'Platform fee', unitPrice: '49.00', timing: 'advance', vat },
        {
          kind: 'usage', code: 'api_calls', name: 'API calls', vat,
          metric: { code: 'api_calls', aggregation: 'count' },
          price: { kind: 'graduated', tiers: [{ upTo: '100', unitPrice: '0.10' }, { unitPrice: '0.05' }] },
        },
      ],
    },
  });

  // 250 calls in March; the integrator sends the first one twice, and it counts once.
  clock.set(new Date('2026-03-31T12:00:00Z'));
  const calls = Array.from({ length: 250 }, (_, index) => ({ eventId: `call-${index}`, metricCode: 'api_calls', timestamp: '2026-03-15T10:00:00Z', partnershipId: partnership.id }));
  const sent = await container.get(RecordUsage).execute({ tenantId: tenant, events: [...calls, ...calls.slice(0, 1)] });
  console.log(sent.stored, sent.duplicates); // 250 1

  // On 1 April a run bills the two dates due: 1 March (March's fee), 1 April (March's calls, April's fee). Again: nothing.
  clock.set(new Date('2026-04-01T06:00:00Z'));
  const run = await container.get(RunBilling).execute({ tenantId: tenant });
  const again = await container.get(RunBilling).execute({ tenantId: tenant });
  console.log(run.counts.bills, again.counts.bills); // 2 0

  const bills = await container.get(ListRunBills).execute({ tenantId: tenant, runId: run.id });
  const april = bills.find((bill) => bill.billingDate === '2026-04-01');
  if (!april) throw new Error('no bill for 1 April');
  const invoice = await container.get(GetInvoice).execute({ tenantId: tenant, invoiceId: april.invoiceId });
  const billing = await container.get(GetInvoiceBilling).execute({ tenantId: tenant, invoiceId: invoice.id });
  for (const line of billing.lines) console.log(line.line.name, line.computation.formula, line.amount.toString());
  // API calls — tier 1 (0 to 100) 100 × 0.1 10.00
  // API calls — tier 2 (100 to ∞) 150 × 0.05 7.50
  // Platform fee 1 × 49 49.00
  console.log(invoice.status, invoice.totals.amountDue.toString()); // draft 79.80
  return invoice;
}

