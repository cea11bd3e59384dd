import { describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '@invoicing/core';
import { CreateCreditNote, CreateInvoiceDraft, IssueInvoice } from '../invoice/invoice.use-cases';
import { RecordPayment } from '../payment/payment.use-cases';
import { createScenario } from '../testing/scenario';
import { causeOf } from './event-causes';

describe('causeOf', () => {
  it("names the payment's payment.applied to the invoice as the cause of the invoice's invoice.payment_applied, and the credit note's credit_note.issued of its invoice.credited", async () => {
    const bed = await createScenario();
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: '2' }] });
    const other = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }] });
    const invoice = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id });
    const second = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: other.id });
    const payment = await bed.use(RecordPayment).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: '200.00', currency: 'EUR', receivedOn: '2026-03-12', applyTo: [invoice.id, second.id] });
    const note = await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: invoice.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }] });
    const events = (await bed.adapters.outbox.pending(1000)) as DomainEvent[];
    const one = (type: string, aggregateId: string) => events.filter((event) => event.type === type && event.aggregateId === aggregateId);

    const [applied] = one('invoice.payment_applied', invoice.id);
    const cause = causeOf(applied as DomainEvent);
    expect(cause).toMatchObject({ aggregateType: 'payment', aggregateId: payment.id });
    const ofPayment = events.filter((event) => event.aggregateId === payment.id);
    expect(ofPayment.filter((event) => cause?.is(event)).map((event) => [event.type, (event.payload as { invoiceId: string }).invoiceId])).toEqual([['payment.applied', invoice.id]]);

    const [credited] = one('invoice.credited', invoice.id);
    const creditCause = causeOf(credited as DomainEvent);
    expect(creditCause).toMatchObject({ aggregateType: 'invoice', aggregateId: note.id });
    expect(events.filter((event) => event.aggregateId === note.id && creditCause?.is(event)).map((event) => event.type)).toEqual(['credit_note.issued']);

    // Events that follow from nothing in another record.
    for (const event of events.filter((candidate) => !['invoice.payment_applied', 'invoice.credited'].includes(candidate.type))) expect(causeOf(event)).toBeUndefined();
  });

  it("names the invoice's invoice.credited of the credit note that took it back as the cause of a payment's payment.application_returned", async () => {
    const bed = await createScenario();
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }] });
    const invoice = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id });
    const payment = await bed.use(RecordPayment).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: invoice.totals.amountDue.toString(), currency: 'EUR', receivedOn: '2026-03-12', applyTo: [invoice.id] });
    const first = await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: invoice.id, lines: [{ name: 'Returned', quantity: '1', unitCode: 'C62', netPrice: '10.00', vat: { code: 'S', rate: '20' } }] });
    const second = await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: invoice.id, lines: [{ name: 'Returned', quantity: '1', unitCode: 'C62', netPrice: '20.00', vat: { code: 'S', rate: '20' } }] });
    const events = (await bed.adapters.outbox.pending(1000)) as DomainEvent[];

    const returns = events.filter((event) => event.type === 'payment.application_returned' && event.aggregateId === payment.id);
    expect(returns).toHaveLength(2);
    for (const [index, note] of [first, second].entries()) {
      const cause = causeOf(returns[index] as DomainEvent);
      expect(cause).toMatchObject({ aggregateType: 'invoice', aggregateId: invoice.id });
      const causes = events.filter((event) => event.aggregateId === invoice.id && cause?.is(event));
      expect(causes.map((event) => [event.type, (event.payload as { creditNoteId: string }).creditNoteId])).toEqual([['invoice.credited', note.id]]);
    }
  });
});
