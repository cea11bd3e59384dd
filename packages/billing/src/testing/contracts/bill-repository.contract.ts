import { Money } from '@invoicing/core';
import type { InvoiceId, PartnershipId } from '@invoicing/invoice';
import { aTenant } from '@invoicing/invoice/testing';
import type { BillingAdapters } from '../../billing-adapters';
import { BillPositionTakenError, type BillRepository } from '../../runs/bill-repository.port';
import { aBill, aPartnershipId } from './billing-builders';
import { jestGlobals } from './jest-globals';

/** Contract of `BillRepository`: one bill per tenant and key, invoiced once, found by partnership, invoice and run. */
export function describeBillRepositoryContract(adapters: () => BillingAdapters): void {
  const { describe, expect, it } = jestGlobals();
  const bills = (): BillRepository => adapters().bills;

  describe('BillRepository', () => {
    it('records a bill and reads it back whole: lines, amounts, computations, allowances and dates', async () => {
      const tenant = aTenant();
      const bill = aBill(tenant, aPartnershipId(), '2026-02-01');

      expect(await bills().record(bill)).toEqual({ bill, recorded: true });
      const [read] = await bills().listByPartnership(tenant, bill.partnershipId);

      expect(read).toEqual(bill);
      expect(read?.lines[1]?.amount).toBeInstanceOf(Money);
      expect(read?.lines[1]?.amount.equals(Money.of('-0.30', 'EUR'))).toBe(true);
      expect(read?.usageCutoff).toEqual(new Date('2026-02-01T09:00:00.250Z'));
      expect(read && 'outcome' in read).toBe(false);
    });

    it('records a bill made into credit notes and reads back each one and, once invoiced, what became of it (ADR 0030)', async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      const creditNotes = [
        { invoiceId: 'invoice-1' as InvoiceId, creditNoteId: 'credit-1' as InvoiceId, lines: [{ lineId: '2', amount: Money.of('0.30', 'EUR') }] },
        { invoiceId: 'invoice-2' as InvoiceId, creditNoteId: 'credit-2' as InvoiceId, lines: [{ lineId: '2', amount: Money.of('0.00', 'EUR') }] },
      ];
      const bill = aBill(tenant, partnership, '2026-02-01', { creditNotes });
      const at = new Date('2026-02-01T09:00:01.500Z');
      await bills().record(bill);

      expect(await bills().listByPartnership(tenant, partnership)).toEqual([bill]);
      const outcome = { invoiceStatus: 'none', creditNotes: [{ creditNoteId: 'credit-1' as InvoiceId, status: 'issued' }, { creditNoteId: 'credit-2' as InvoiceId, status: 'skipped', reason: 'invoice.voided' }] } as const;
      await bills().markInvoiced(tenant, bill.key, outcome, at);
      const [read] = await bills().listByPartnership(tenant, partnership);
      expect(read).toEqual({ ...bill, status: 'invoiced', outcome, invoicedAt: at });
      expect(read?.creditNotes?.[0]?.lines[0]?.amount).toBeInstanceOf(Money);
    });

    it('records a key once: a second record answers the first bill, not recorded', async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      // An empty bill recorded outside any run: no lines, no run id.
      const { runId: _none, ...withoutRun } = aBill(tenant, partnership, '2026-02-01', { status: 'empty', lines: [] });
      const second = aBill(tenant, partnership, '2026-02-01', { runId: 'run-2' });

      expect(await bills().record(withoutRun)).toEqual({ bill: withoutRun, recorded: true });
      expect(await bills().record(second)).toEqual({ bill: withoutRun, recorded: false });
      expect(await bills().listByPartnership(tenant, partnership)).toEqual([withoutRun]);
      expect(await bills().findByInvoice(tenant, second.invoiceId)).toBeUndefined();
    });

    it('records one bill when many runs record the same key at once; all get that bill', async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      const attempts = Array.from({ length: 10 }, () => aBill(tenant, partnership, '2026-03-01'));

      const outcomes = await Promise.all(attempts.map((bill) => bills().record(bill)));

      expect(outcomes.filter((outcome) => outcome.recorded)).toHaveLength(1);
      const stored = outcomes.find((outcome) => outcome.recorded)?.bill;
      for (const outcome of outcomes) expect(outcome.bill).toEqual(stored);
      expect(await bills().listByPartnership(tenant, partnership)).toEqual([stored]);
    });

    it('records one bill per position of a partnership: a later one in a taken position is refused, and stores nothing', async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      const first = aBill(tenant, partnership, '2026-02-01', { position: 1 });
      const second = aBill(tenant, partnership, '2026-03-01', { position: 2 });
      expect(await bills().record(first)).toEqual({ bill: first, recorded: true });
      expect(await bills().record(second)).toEqual({ bill: second, recorded: true });

      // Worked out from the first bill only: the second was recorded since.
      const stale = aBill(tenant, partnership, '2026-02-15', { position: 2 });
      await expect(bills().record(stale)).rejects.toBeInstanceOf(BillPositionTakenError);
      await expect(bills().record(stale)).rejects.toMatchObject({ code: 'billing.bills_changed', details: { key: stale.key, position: 2 } });
      // A key taken answers its bill, whatever the position.
      expect(await bills().record(aBill(tenant, partnership, '2026-03-01', { position: 3 }))).toEqual({ bill: second, recorded: false });
      // Positions are the partnership's own, within its tenant; a bill without one is not checked.
      const elsewhere = [aBill(tenant, aPartnershipId(), '2026-02-15', { position: 2 }), aBill(aTenant(), partnership, '2026-02-15', { position: 2 }), aBill(tenant, partnership, '2026-02-20')];
      for (const bill of elsewhere) expect(await bills().record(bill)).toEqual({ bill, recorded: true });
      expect((await bills().listByPartnership(tenant, partnership)).map((bill) => [bill.billingDate, bill.position])).toEqual([
        ['2026-02-01', 1],
        ['2026-02-20', undefined],
        ['2026-03-01', 2],
      ]);
    });

    it('records one of many bills of one partnership recorded in the same position at once', async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      const attempts = ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05'].map((date) => aBill(tenant, partnership, date, { position: 1 }));

      const outcomes = await Promise.allSettled(attempts.map((bill) => bills().record(bill)));

      const recorded = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      expect(recorded).toHaveLength(1);
      expect(recorded[0]?.recorded).toBe(true);
      for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(BillPositionTakenError);
      expect(await bills().listByPartnership(tenant, partnership)).toEqual([recorded[0]?.bill]);
    });

    it('marks a pending bill invoiced once: marking it again, or a bill that is not pending, changes nothing', async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      const pending = aBill(tenant, partnership, '2026-02-01');
      const empty = aBill(tenant, partnership, '2026-03-01', { status: 'empty', lines: [] });
      await bills().record(pending);
      await bills().record(empty);
      const at = new Date('2026-02-01T09:00:01.500Z');

      await bills().markInvoiced(tenant, pending.key, { invoiceStatus: 'draft', notIssued: { code: 'invoice.approval_required', message: 'above 10,000.00 EUR' } }, at);
      await bills().markInvoiced(tenant, pending.key, { invoiceStatus: 'issued' }, new Date('2026-02-02T00:00:00Z'));
      await bills().markInvoiced(tenant, empty.key, { invoiceStatus: 'issued' }, at);
      await bills().markInvoiced(tenant, `${partnership}/2026-04-01`, { invoiceStatus: 'issued' }, at);
      await bills().markInvoiced(aTenant(), pending.key, { invoiceStatus: 'issued' }, at);

      expect(await bills().listByPartnership(tenant, partnership)).toEqual([
        { ...pending, status: 'invoiced', outcome: { invoiceStatus: 'draft', notIssued: { code: 'invoice.approval_required', message: 'above 10,000.00 EUR' } }, invoicedAt: at },
        empty,
      ]);
    });

    it("lists a partnership's bills by billing date, and finds a bill by its invoice, within the tenant only", async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      const dates = ['2026-03-01', '2026-01-01', '2026-02-01'];
      const recorded = dates.map((date) => aBill(tenant, partnership, date));
      for (const bill of recorded) await bills().record(bill);
      await bills().record(aBill(tenant, aPartnershipId(), '2026-01-15'));
      const foreign = aBill(aTenant(), partnership, '2026-01-20');
      await bills().record(foreign);

      expect((await bills().listByPartnership(tenant, partnership)).map((bill) => bill.billingDate)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
      expect(await bills().findByInvoice(tenant, recorded[1]?.invoiceId as InvoiceId)).toEqual(recorded[1]);
      expect(await bills().findByInvoice(tenant, foreign.invoiceId)).toBeUndefined();
      expect(await bills().listByPartnership(aTenant(), partnership)).toEqual([]);
    });

    it('lists the bills of a run by key, a page after a key', async () => {
      const tenant = aTenant();
      const [p1, p2, p3] = Array.from({ length: 3 }, () => aPartnershipId()).sort() as [PartnershipId, PartnershipId, PartnershipId];
      const run = (runId: string, partnership: PartnershipId, date: string) => aBill(tenant, partnership, date, { runId });
      const ofRun = [run('run-a', p3, '2026-01-01'), run('run-a', p1, '2026-02-01'), run('run-a', p1, '2026-01-01'), run('run-a', p2, '2026-01-01')];
      for (const bill of [...ofRun, run('run-b', p1, '2026-03-01'), aBill(aTenant(), p1, '2026-04-01', { runId: 'run-a' })]) await bills().record(bill);
      const keys = ofRun.map((bill) => bill.key).sort();

      const first = await bills().listByRun(tenant, 'run-a', { limit: 3 });
      const second = await bills().listByRun(tenant, 'run-a', { after: first.at(-1)?.key, limit: 3 });

      expect(first.map((bill) => bill.key)).toEqual(keys.slice(0, 3));
      expect(second.map((bill) => bill.key)).toEqual(keys.slice(3));
      expect(second[0]).toEqual(ofRun.find((bill) => bill.key === keys[3]));
      expect(await bills().listByRun(tenant, 'run-a', { after: keys[3], limit: 3 })).toEqual([]);
      expect(await bills().listByRun(tenant, 'run-c', { limit: 3 })).toEqual([]);
    });
  });
}
