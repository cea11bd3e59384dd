import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import type { InvoiceState } from '../invoice/invoice';
import { CreateInvoiceDraft, IssueInvoice, MarkInvoiceUncollectible, VoidInvoice } from '../invoice/invoice.use-cases';
import { RecordPayment } from '../payment/payment.use-cases';
import { createScenario, type Scenario } from '../testing/scenario';
import { LedgerProjection } from './ledger-projection';

async function invoice(s: Scenario, netPrice: string): Promise<InvoiceState> {
  const draft = await s.use(CreateInvoiceDraft).execute({
    tenantId: s.tenantId,
    partnershipId: s.partnership.id,
    lines: [{ name: 'Service', quantity: '1', unitCode: 'C62', netPrice, vat: { code: 'Z' } }],
  });
  return s.use(IssueInvoice).execute({ tenantId: s.tenantId, invoiceId: draft.id });
}

describe('LedgerProjection', () => {
  it('syncs any number of times without changing a document the ledger agrees with: a write-off then a void, a write-off then a payment', async () => {
    const s = await createScenario();
    const voided = await invoice(s, '40.00');
    await s.use(MarkInvoiceUncollectible).execute({ tenantId: s.tenantId, invoiceId: voided.id });
    await s.use(VoidInvoice).execute({ tenantId: s.tenantId, invoiceId: voided.id, reason: 'sent to the wrong buyer' });
    const settled = await invoice(s, '25.00');
    await s.use(MarkInvoiceUncollectible).execute({ tenantId: s.tenantId, invoiceId: settled.id });
    const payment = await s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '25.00', currency: 'EUR', receivedOn: '2026-03-09', applyTo: [settled.id] });
    const projection = s.use(LedgerProjection);
    const stored = async () => Promise.all([voided.id, settled.id].map(async (id) => (await s.adapters.invoices.get(s.tenantId, id))?.toState()));
    const before = await stored();
    expect(before.map((state) => state?.status)).toEqual(['void', 'paid']);

    for (let round = 0; round < 2; round += 1) {
      await projection.syncInvoice(s.tenantId, voided.id);
      await projection.syncInvoice(s.tenantId, settled.id);
      await projection.syncPaymentAndInvoices(s.tenantId, payment.id);
    }

    expect(await stored()).toEqual(before);
    expect((await s.adapters.payments.get(s.tenantId, payment.id))?.toState()).toEqual(payment);
  });

  it('creates a payment document missing after a crash from its ledger receipt, and answers undefined for a payment the ledger never received', async () => {
    const s = await createScenario();
    const payment = await s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '12.00', currency: 'EUR', receivedOn: '2026-03-09', reference: 'SEPA 7' });
    const { applications, refunds, amount, receivedOn, reference, partnerId } = payment;
    const projection = s.use(LedgerProjection);
    expect(await projection.syncPayment(s.tenantId, 'never-received' as never)).toBeUndefined();
    expect((await projection.syncPayment(s.tenantId, payment.id))?.toState()).toMatchObject({ applications, refunds, amount, receivedOn, reference, partnerId });
  });
});
