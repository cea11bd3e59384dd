import { Money, parseCalendarDate as date, type TenantId } from '@invoicing/core';
import { jestGlobals } from './jest-globals';
import { Invoice, type InvoiceState } from '../../invoice/invoice';
import { partySnapshot } from '../../invoice/party-snapshot';
import type { DuplicateProbe } from '../../invoice/invoice-repository.port';
import type { Partner } from '../../partner/partner';
import type { RefundId } from '../../shared/ids';
import type { Partnership } from '../../partnership/partnership';
import { Payment, type PaymentState } from '../../payment/payment';
import { aDraft, aPartner, aPartnership, aPayment, aPaymentId, aTenant, eur, issue } from '../builders';
import type { InvoiceAdapters } from '../in-memory/in-memory-adapters';
import { describeAggregateRepository } from './aggregate-repository.contract';

const AT = new Date('2026-02-01T10:00:00Z');

async function seed(all: InvoiceAdapters, tenant: TenantId): Promise<{ seller: Partner; buyer: Partner; partnership: Partnership }> {
  const seller = aPartner(tenant, { legalName: 'Seller' });
  const buyer = aPartner(tenant, { legalName: 'Buyer' });
  const partnership = aPartnership(tenant, seller, buyer);
  await all.partners.save(seller);
  await all.partners.save(buyer);
  await all.partnerships.save(partnership);
  return { seller, buyer, partnership };
}

/** Contract of `InvoiceRepository` and `PaymentRepository`. */
export function describeInvoiceContracts(adapters: () => InvoiceAdapters): void {
  const { beforeAll, describe, expect, it } = jestGlobals();
  describeAggregateRepository<Invoice, Invoice['id']>('InvoiceRepository', adapters, {
    repository: (all) => all.invoices,
    create: async (all, tenant) => {
      const { seller, buyer, partnership } = await seed(all, tenant);
      // Everything a document can hold: several lines, decimals finer than cents, allowances, charges, exemption.
      const draft = aDraft(tenant, partnership, {
        externalReference: `ext-${tenant}`,
        purchaseOrderReference: 'PO-77',
        notes: ['Thank you'],
        prepaidAmount: '10.00',
        lines: [
          { name: 'Hours', quantity: '7.5', unitCode: 'HUR', netPrice: '80.125', vat: { code: 'S', rate: '20' }, allowances: [{ percent: '10', reason: 'Loyalty' }] },
          { name: 'Books', quantity: '3', unitCode: 'C62', netPrice: '12.99', priceBaseQuantity: '1', vat: { code: 'S', rate: '5.5' }, charges: [{ amount: '1.50', reasonCode: 'FC' }] },
          { name: 'Training', quantity: '1', unitCode: 'DAY', netPrice: '500', vat: { code: 'E', exemptionReason: 'Vocational training', exemptionReasonCode: 'VATEX-EU-132' } },
        ],
        allowances: [{ amount: '5.00', reason: 'Discount', vat: { code: 'S', rate: '20' } }],
        charges: [{ percent: '2', baseAmount: '100.00', reason: 'Handling', vat: { code: 'S', rate: '20' } }],
      });
      return issue(draft, seller, buyer, 1);
    },
    change: (invoice) => invoice.applyPayment({ paymentId: aPaymentId(), amount: eur('100.00'), appliedOn: date('2026-02-01') }, AT),
    restore: (state: InvoiceState) => Invoice.restore(state),
  });

  describe('InvoiceRepository', () => {
    let all: InvoiceAdapters;
    beforeAll(() => {
      all = adapters();
    });

    it('refuses a second document with the same number in a tenant', async () => {
      const tenant = aTenant();
      const { seller, buyer, partnership } = await seed(all, tenant);
      await all.invoices.save(issue(aDraft(tenant, partnership), seller, buyer, 7));
      await expect(all.invoices.save(issue(aDraft(tenant, partnership), seller, buyer, 7))).rejects.toMatchObject({ code: 'invoice.duplicate_number' });
      const other = aTenant();
      const elsewhere = await seed(all, other);
      await expect(all.invoices.save(issue(aDraft(other, elsewhere.partnership), elsewhere.seller, elsewhere.buyer, 7))).resolves.toBeUndefined();
    });

    it('keeps an invoice recorded from another system as it was recorded: number, dates, parties, import time', async () => {
      const tenant = aTenant();
      const { seller, buyer, partnership } = await seed(all, tenant);
      const recorded = Invoice.recordIssued(
        {
          ...partnership.draftTerms(),
          lines: [{ name: 'Imported total', quantity: '1', unitCode: 'C62', netPrice: '1250.40', vat: { code: 'O', rate: null, exemptionReason: 'Imported total' } }],
          notes: ['Payment terms: 2% 10 Net 30'],
          number: 'A/R 10443',
          issueDate: date('2024-03-01'),
          dueDate: date('2024-03-31'),
          seller: partySnapshot(seller),
          buyer: partySnapshot(buyer),
        },
        { tenantId: tenant, id: aDraft(tenant, partnership).id, at: AT },
      );
      await all.invoices.save(recorded);
      const read = await all.invoices.get(tenant, recorded.id);
      expect(read?.toState()).toEqual({ ...recorded.toState(), version: 1 });
      expect(read?.importedAt).toEqual(AT);
      expect(read?.status).toBe('issued');
      expect((await all.invoices.findImported(tenant, ['A/R 10443', 'A/R 10444'])).map((invoice) => invoice.id)).toEqual([recorded.id]);
    expect(await all.invoices.findImported(aTenant(), ['A/R 10443'])).toEqual([]);
    // A document made here is never found as imported, even under a number asked for.
    const made = issue(aDraft(tenant, partnership), seller, buyer, 1);
    await all.invoices.save(made);
    expect(await all.invoices.findImported(tenant, [made.number as string])).toEqual([]);
    });

    it('refuses a second document with the same seller, buyer and external reference, and finds it', async () => {
      const tenant = aTenant();
      const { partnership } = await seed(all, tenant);
      const first = aDraft(tenant, partnership, { externalReference: 'ORDER-1' });
      await all.invoices.save(first);
      await expect(all.invoices.save(aDraft(tenant, partnership, { externalReference: 'ORDER-1' }))).rejects.toMatchObject({
        code: 'invoice.duplicate_external_reference',
      });
      expect((await all.invoices.findByExternalReference(tenant, partnership.sellerId, partnership.buyerId, 'ORDER-1'))?.id).toBe(first.id);
      expect(await all.invoices.findByExternalReference(tenant, partnership.buyerId, partnership.sellerId, 'ORDER-1')).toBeUndefined();
      expect(await all.invoices.findByExternalReference(aTenant(), partnership.sellerId, partnership.buyerId, 'ORDER-1')).toBeUndefined();
      // Drafts without a reference never clash with each other.
      await all.invoices.save(aDraft(tenant, partnership));
      await expect(all.invoices.save(aDraft(tenant, partnership))).resolves.toBeUndefined();
    });

    it('finds a possible duplicate by buyer, currency, total and issue-date window, ignoring void ones', async () => {
      const tenant = aTenant();
      const { seller, buyer, partnership } = await seed(all, tenant);
      const issued = issue(aDraft(tenant, partnership, { quantity: '2' }), seller, buyer, 1, '2026-03-10');
      await all.invoices.save(issued);
      const probe: DuplicateProbe = { buyerId: buyer.id, currency: 'EUR', total: eur('240.00'), from: date('2026-03-07'), to: date('2026-03-13') };
      expect(await all.invoices.findPossibleDuplicate(tenant, probe)).toBe(issued.id);
      expect(await all.invoices.findPossibleDuplicate(tenant, { ...probe, total: eur('240.01') })).toBeUndefined();
      expect(await all.invoices.findPossibleDuplicate(tenant, { ...probe, from: date('2026-03-11'), to: date('2026-03-17') })).toBeUndefined();
      expect(await all.invoices.findPossibleDuplicate(tenant, { ...probe, buyerId: seller.id })).toBeUndefined();
      expect(await all.invoices.findPossibleDuplicate(aTenant(), probe)).toBeUndefined();
      issued.void('sent by mistake', AT);
      await all.invoices.save(issued);
      expect(await all.invoices.findPossibleDuplicate(tenant, probe)).toBeUndefined();
    });

    it('stores and finds a look-alike within 3 days of the first or last day of the calendar, its window stopping there (audit D4)', async () => {
      const tenant = aTenant();
      const { buyer, partnership } = await seed(all, tenant);
      const last = aDraft(tenant, partnership, { issueDate: '9999-12-30' });
      const first = aDraft(tenant, partnership, { issueDate: '0100-01-02', quantity: '2' });
      await all.invoices.save(last);
      await all.invoices.save(first);
      const probe = (total: string, from: string, to: string): DuplicateProbe => ({ buyerId: buyer.id, currency: 'EUR', total: eur(total), from: date(from), to: date(to) });

      // The windows of drafts planned for 9999-12-31 and 0100-01-01.
      expect(await all.invoices.findPossibleDuplicate(tenant, probe('120.00', '9999-12-28', '9999-12-31'))).toBe(last.id);
      expect(await all.invoices.findPossibleDuplicate(tenant, probe('240.00', '0100-01-01', '0100-01-04'))).toBe(first.id);
      expect(await all.invoices.findPossibleDuplicate(tenant, probe('120.00', '9999-12-31', '9999-12-31'))).toBeUndefined();
    });

    it("lists a buyer's receivables in a currency, oldest due first, leaving out settled, void and draft ones", async () => {
      const tenant = aTenant();
      const { seller, buyer, partnership } = await seed(all, tenant);
      const late = issue(aDraft(tenant, partnership, { dueDate: '2026-02-01' }), seller, buyer, 1, '2026-01-02');
      const early = issue(aDraft(tenant, partnership, { dueDate: '2026-01-20' }), seller, buyer, 2, '2026-01-05');
      const partial = issue(aDraft(tenant, partnership, { dueDate: '2026-03-01' }), seller, buyer, 3, '2026-01-06');
      partial.applyPayment({ paymentId: aPaymentId(), amount: eur('20.00'), appliedOn: date('2026-01-10') }, AT);
      const paid = issue(aDraft(tenant, partnership), seller, buyer, 4);
      paid.applyPayment({ paymentId: aPaymentId(), amount: eur('120.00'), appliedOn: date('2026-01-10') }, AT);
      const voided = issue(aDraft(tenant, partnership), seller, buyer, 5);
      voided.void(undefined, AT);
      const usd = aPartnership(tenant, seller, buyer, { currency: 'USD' });
      await all.partnerships.save(usd);
      const dollars = issue(aDraft(tenant, usd), seller, buyer, 6);
      for (const invoice of [late, early, partial, paid, voided, dollars, aDraft(tenant, partnership)]) await all.invoices.save(invoice);
      expect((await all.invoices.findReceivables(tenant, buyer.id, 'EUR')).map((invoice) => invoice.number)).toEqual([early.number, late.number, partial.number]);
      expect((await all.invoices.findReceivables(tenant, buyer.id, 'USD')).map((invoice) => invoice.id)).toEqual([dollars.id]);
      expect(await all.invoices.findReceivables(tenant, seller.id, 'EUR')).toEqual([]);
      expect(await all.invoices.findReceivables(aTenant(), buyer.id, 'EUR')).toEqual([]);
    });
  });

  describeAggregateRepository<Payment, Payment['id']>('PaymentRepository', adapters, {
    repository: (all) => all.payments,
    create: async (all, tenant) => {
      const partner = aPartner(tenant);
      await all.partners.save(partner);
      return aPayment(tenant, partner, '1234.56');
    },
    change: (payment) => payment.refund({ refundId: 'r-1' as RefundId, amount: Money.of('34.56', 'EUR'), refundedOn: date('2026-02-02') }, AT),
    restore: (state: PaymentState) => Payment.restore(state),
  });

  describe('PaymentRepository', () => {
    it("lists a partner's payments newest first and finds those with unapplied credit in id order", async () => {
      const all = adapters();
      const tenant = aTenant();
      const partner = aPartner(tenant);
      const other = aPartner(tenant);
      const first = aPayment(tenant, partner, '10.00');
      const second = aPayment(tenant, partner, '20.00');
      const used = aPayment(tenant, partner, '30.00');
      used.refund({ refundId: 'r-2' as RefundId, amount: eur('30.00'), refundedOn: date('2026-02-02') }, AT);
      const dollars = aPayment(tenant, partner, '40.00', 'USD');
      for (const payment of [first, second, used, dollars, aPayment(tenant, other, '50.00')]) await all.payments.save(payment);
      const page = await all.payments.listByPartner(tenant, partner.id, { limit: 3 });
      expect(page.items.map((item) => item.id)).toEqual([dollars.id, used.id, second.id]);
      const rest = await all.payments.listByPartner(tenant, partner.id, { limit: 3, cursor: page.nextCursor ?? undefined });
      expect(rest.items.map((item) => item.id)).toEqual([first.id]);
      expect((await all.payments.findWithUnappliedCredit(tenant, partner.id, 'EUR')).map((payment) => payment.id)).toEqual([first.id, second.id]);
      expect((await all.payments.listByPartner(aTenant(), partner.id, {})).items).toEqual([]);
    });
  });
}
