import { UuidV7IdGenerator, parseCalendarDate, parseYearMonth, type Cursor, type TenantId } from '@invoicing/core';
import { jestGlobals } from './jest-globals';
import { Invoice } from '../../invoice/invoice';
import type { Partner } from '../../partner/partner';
import type { AgingRow } from '../../queries/invoice-queries.port';
import type { InvoiceId } from '../../shared/ids';
import { aDraft, aPartner, aPartnership, aPayment, aTenant, eur, issue } from '../builders';
import type { InvoiceAdapters } from '../in-memory/in-memory-adapters';

const AT = new Date('2026-03-01T10:00:00Z');
const ids = new UuidV7IdGenerator();
const date = parseCalendarDate;

/**
 * The dataset every adapter's reports are checked on (one line at 100.00 + 20% VAT = 120.00 per unit, net 30):
 * - inv1 B1 EUR 120.00, issued 2026-01-05, due 02-04, unpaid, names contact c1
 * - inv2 B1 EUR 240.00, issued 2026-02-10, due 03-12, 40.00 paid, names contact c1
 * - inv3 B2 EUR 360.00, issued 2026-02-15, due 03-17, paid
 * - inv4 B1 USD 120.00, issued 2026-01-20, due 02-19, unpaid
 * - inv5 B2 EUR 120.00, issued 2026-02-20, void
 * - inv6 B2 EUR 600.00, issued 2025-11-01, due 12-01, credited 120.00 by cn1 (issued 2026-02-25)
 * - a draft for B1; payment P1 of 50.00 EUR from B1, 40.00 applied to inv2, 10.00 unapplied
 */
interface Dataset {
  readonly tenant: TenantId;
  readonly b1: Partner;
  readonly b2: Partner;
  readonly invoices: Record<'inv1' | 'inv2' | 'inv3' | 'inv4' | 'inv5' | 'inv6' | 'cn1' | 'draft', Invoice>;
}

async function seedDataset(all: InvoiceAdapters): Promise<Dataset> {
  const tenant = aTenant();
  const seller = aPartner(tenant, { legalName: 'Seller' });
  const b1 = aPartner(tenant, { legalName: 'Buyer One', contacts: [{ name: 'Carla One' }, { name: 'Dan Two' }] });
  const b2 = aPartner(tenant, { legalName: 'Buyer Two' });
  const eurB1 = aPartnership(tenant, seller, b1);
  const eurB2 = aPartnership(tenant, seller, b2);
  const usdB1 = aPartnership(tenant, seller, b1, { currency: 'USD' });
  for (const partner of [seller, b1, b2]) await all.partners.save(partner);
  for (const partnership of [eurB1, eurB2, usdB1]) await all.partnerships.save(partnership);
  const c1 = b1.contacts[0]?.id;
  const inv1 = issue(aDraft(tenant, eurB1, { buyerContactId: c1 }), seller, b1, 1, '2026-01-05');
  const inv2 = issue(aDraft(tenant, eurB1, { quantity: '2', buyerContactId: c1 }), seller, b1, 2, '2026-02-10');
  const inv3 = issue(aDraft(tenant, eurB2, { quantity: '3' }), seller, b2, 3, '2026-02-15');
  const inv4 = issue(aDraft(tenant, usdB1), seller, b1, 4, '2026-01-20');
  const inv5 = issue(aDraft(tenant, eurB2), seller, b2, 5, '2026-02-20');
  const inv6 = issue(aDraft(tenant, eurB2, { quantity: '5' }), seller, b2, 6, '2025-11-01');
  const payment = aPayment(tenant, b1, '50.00', 'EUR', '2026-02-20');
  inv2.applyPayment({ paymentId: payment.id, amount: eur('40.00'), appliedOn: date('2026-02-20') }, AT);
  payment.apply({ invoiceId: inv2.id, amount: eur('40.00'), appliedOn: date('2026-02-20') }, AT);
  inv3.applyPayment({ paymentId: ids.next<'Payment'>(), amount: eur('360.00'), appliedOn: date('2026-03-01') }, AT);
  inv5.void('duplicate', AT);
  const cn1 = Invoice.draft(
    {
      kind: 'credit_note',
      partnershipId: eurB2.id,
      sellerId: seller.id,
      buyerId: b2.id,
      currency: 'EUR',
      paymentTerms: { kind: 'due_on_receipt' },
      series: 'CN',
      precedingInvoice: { id: inv6.id, number: inv6.number as string, issueDate: date('2025-11-01') },
      lines: [{ name: 'Consulting', quantity: '1', unitCode: 'HUR', netPrice: '100.00', vat: { code: 'S', rate: '20' } }],
    },
    { tenantId: tenant, id: ids.next<'Invoice'>(), at: AT },
  );
  issue(cn1, seller, b2, 1, '2026-02-25');
  inv6.applyCredit({ creditNoteId: cn1.id, creditNoteNumber: cn1.number as string, amount: eur('120.00'), appliedOn: date('2026-02-25') }, AT);
  const draft = aDraft(tenant, eurB1);
  const invoices = { inv1, inv2, inv3, inv4, inv5, inv6, cn1, draft };
  for (const invoice of Object.values(invoices)) await all.invoices.save(invoice);
  await all.payments.save(payment);
  // Another tenant's documents must never show up.
  const other = aTenant();
  const otherSeller = aPartner(other);
  const otherBuyer = aPartner(other);
  await all.invoices.save(issue(aDraft(other, aPartnership(other, otherSeller, otherBuyer)), otherSeller, otherBuyer, 1, '2026-02-10'));
  return { tenant, b1, b2, invoices };
}

function amounts(row: AgingRow): Record<string, string> {
  return Object.fromEntries(['current', 'days1To30', 'days31To60', 'days61To90', 'over90', 'total'].map((key) => [key, row[key as keyof AgingRow].toString()]));
}

/** Contract of `InvoiceQueries`: every report on one hand-checked dataset. */
export function describeInvoiceQueriesContract(adapters: () => InvoiceAdapters): void {
  const { beforeAll, describe, expect, it } = jestGlobals();
  describe('InvoiceQueries', () => {
    let all: InvoiceAdapters;
    let data: Dataset;
    let number: (id: InvoiceId) => string | undefined;
    beforeAll(async () => {
      all = adapters();
      data = await seedDataset(all);
      number = (id) => Object.entries(data.invoices).find(([, invoice]) => invoice.id === id)?.[0];
    });

    it('lists newest first with filters on status, kind, partner, issue dates and past due', async () => {
      const { tenant, b1 } = data;
      const names = async (filter: Parameters<InvoiceAdapters['queries']['list']>[1]) =>
        (await all.queries.list(tenant, filter, { limit: 200 })).items.map((item) => number(item.id));
      expect(await names({})).toEqual(['draft', 'cn1', 'inv6', 'inv5', 'inv4', 'inv3', 'inv2', 'inv1']);
      expect(await names({ status: ['issued'] })).toEqual(['cn1', 'inv6', 'inv4', 'inv1']);
      expect(await names({ status: ['partially_paid', 'paid'] })).toEqual(['inv3', 'inv2']);
      expect(await names({ kind: 'credit_note' })).toEqual(['cn1']);
      expect(await names({ partnerId: b1.id })).toEqual(['draft', 'inv4', 'inv2', 'inv1']);
      expect(await names({ issuedFrom: date('2026-02-10'), issuedTo: date('2026-02-20') })).toEqual(['inv5', 'inv3', 'inv2']);
      expect(await names({ pastDueAsOf: date('2026-03-13') })).toEqual(['inv6', 'inv4', 'inv2', 'inv1']);
      const summary = (await all.queries.list(tenant, { kind: 'invoice', status: ['partially_paid'] }, {})).items[0];
      expect([summary?.total.toString(), summary?.paid.toString(), summary?.outstanding.toString(), summary?.dueDate]).toEqual(['240.00', '40.00', '200.00', '2026-03-12']);
    });

    it('walks all pages of a list without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: Cursor | undefined;
      do {
        const page = await all.queries.list(data.tenant, {}, { limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((item) => number(item.id) as string));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(['draft', 'cn1', 'inv6', 'inv5', 'inv4', 'inv3', 'inv2', 'inv1']);
    });

    it('lists past-due invoices with days past due, by due date both ways, page by page', async () => {
      const asc = await all.queries.pastDue(data.tenant, { asOf: date('2026-03-31'), sort: 'due_date.asc', limit: 3 });
      expect(asc.items.map((row) => [number(row.id), row.dueDate, row.daysPastDue, row.outstanding.toString()])).toEqual([
        ['inv6', '2025-12-01', 120, '480.00'],
        ['inv1', '2026-02-04', 55, '120.00'],
        ['inv4', '2026-02-19', 40, '120.00'],
      ]);
      const next = await all.queries.pastDue(data.tenant, { asOf: date('2026-03-31'), sort: 'due_date.asc', limit: 3, cursor: asc.nextCursor ?? undefined });
      expect(next.items.map((row) => [number(row.id), row.daysPastDue])).toEqual([['inv2', 19]]);
      expect(next.nextCursor).toBeNull();
      const desc = await all.queries.pastDue(data.tenant, { asOf: date('2026-03-31'), sort: 'due_date.desc' });
      expect(desc.items.map((row) => number(row.id))).toEqual(['inv2', 'inv4', 'inv1', 'inv6']);
      const onDueDate = await all.queries.pastDue(data.tenant, { asOf: date('2026-02-04'), partnerId: data.b1.id });
      expect(onDueDate.items).toEqual([]);
      const dayAfter = await all.queries.pastDue(data.tenant, { asOf: date('2026-02-05'), partnerId: data.b1.id });
      expect(dayAfter.items.map((row) => [number(row.id), row.daysPastDue])).toEqual([['inv1', 1]]);
    });

    it('sums the documents issued in a month per currency, credit notes apart, void and drafts left out', async () => {
      const rows = await all.queries.monthlySummary(data.tenant, { month: parseYearMonth('2026-02') });
      expect(rows.map((row) => [row.currency, row.invoiceCount, row.invoiceTotal.toString(), row.creditNoteCount, row.creditNoteTotal.toString(), row.net.toString()])).toEqual([
        ['EUR', 2, '600.00', 1, '120.00', '480.00'],
      ]);
      const january = await all.queries.monthlySummary(data.tenant, { month: parseYearMonth('2026-01') });
      expect(january.map((row) => [row.currency, row.invoiceCount, row.invoiceTotal.toString()])).toEqual([
        ['EUR', 1, '120.00'],
        ['USD', 1, '120.00'],
      ]);
      const b2 = await all.queries.monthlySummary(data.tenant, { month: parseYearMonth('2026-02'), partnerId: data.b2.id });
      expect(b2.map((row) => [row.invoiceCount, row.invoiceTotal.toString(), row.creditNoteCount, row.net.toString()])).toEqual([[1, '360.00', 1, '240.00']]);
      expect(await all.queries.monthlySummary(data.tenant, { month: parseYearMonth('2024-02') })).toEqual([]);
    });

    it('puts each buyer’s receivables in aging buckets per currency', async () => {
      const rows = await all.queries.aging(data.tenant, { asOf: date('2026-03-31') });
      expect(rows.map((row) => [row.partnerId, row.currency, amounts(row)])).toEqual([
        [data.b1.id, 'EUR', { current: '0.00', days1To30: '200.00', days31To60: '120.00', days61To90: '0.00', over90: '0.00', total: '320.00' }],
        [data.b1.id, 'USD', { current: '0.00', days1To30: '0.00', days31To60: '120.00', days61To90: '0.00', over90: '0.00', total: '120.00' }],
        [data.b2.id, 'EUR', { current: '0.00', days1To30: '0.00', days31To60: '0.00', days61To90: '0.00', over90: '480.00', total: '480.00' }],
      ]);
      // As of 4 February, inv2 (issued on the 10th) was not owed: only what was issued by then counts.
      const early = await all.queries.aging(data.tenant, { asOf: date('2026-02-04'), partnerId: data.b1.id });
      expect(early.map((row) => [row.currency, row.current.toString(), row.total.toString()])).toEqual([
        ['EUR', '120.00', '120.00'],
        ['USD', '120.00', '120.00'],
      ]);
    });

    it('totals what each buyer was invoiced over the last n months', async () => {
      const rows = await all.queries.totalsPerPartner(data.tenant, { months: 3, asOf: date('2026-03-31') });
      expect(rows.map((row) => [row.partnerId, row.currency, row.invoiceCount, row.total.toString()])).toEqual([
        [data.b1.id, 'EUR', 2, '360.00'],
        [data.b1.id, 'USD', 1, '120.00'],
        [data.b2.id, 'EUR', 1, '360.00'],
      ]);
      expect(await all.queries.totalsPerPartner(data.tenant, { months: 1, asOf: date('2026-03-31') })).toEqual([]);
      const five = await all.queries.totalsPerPartner(data.tenant, { months: 5, asOf: date('2026-03-31') });
      expect(five.find((row) => row.partnerId === data.b2.id)?.total.toString()).toBe('960.00');
    });

    // Audit dates F4: a window reaching before 0100-01 was refused (`date.out_of_range`) instead of starting there.
    it('starts the window of totals per partner at 0100-01-01 at the earliest, for an as-of date near it', async () => {
      const tenant = aTenant();
      const seller = aPartner(tenant, { legalName: 'Seller' });
      const buyer = aPartner(tenant, { legalName: 'Buyer' });
      const partnership = aPartnership(tenant, seller, buyer, { validFrom: '0100-01-01' });
      for (const partner of [seller, buyer]) await all.partners.save(partner);
      await all.partnerships.save(partnership);
      await all.invoices.save(issue(aDraft(tenant, partnership), seller, buyer, 1, '0100-01-01'));
      await all.invoices.save(issue(aDraft(tenant, partnership, { quantity: '2' }), seller, buyer, 2, '0102-11-30'));

      const totals = async (months: number, asOf: string) =>
        (await all.queries.totalsPerPartner(tenant, { months, asOf: date(asOf) })).map((row) => [row.invoiceCount, row.total.toString()]);
      expect(await totals(36, '0100-01-01')).toEqual([[1, '120.00']]);
      expect(await totals(36, '0102-11-30')).toEqual([[2, '360.00']]);
      // From 0102-12 on, the 36 months fit: as of 0103-01-01 they start in 0100-02, as for any date.
      expect(await totals(36, '0102-12-31')).toEqual([[2, '360.00']]);
      expect(await totals(36, '0103-01-01')).toEqual([[1, '240.00']]);
      expect(await totals(2, '0100-01-31')).toEqual([[1, '120.00']]);
    });

    it("gives each of a partner's contacts the last invoice date it was named on", async () => {
      const rows = await all.queries.contactsLastSeen(data.tenant, data.b1.id);
      expect(rows?.map((row) => [row.contact.name, row.lastInvoiceDate, row.lastInvoiceId && number(row.lastInvoiceId)])).toEqual([
        ['Carla One', '2026-02-10', 'inv2'],
        ['Dan Two', null, null],
      ]);
      expect(await all.queries.contactsLastSeen(aTenant(), data.b1.id)).toBeUndefined();
    });

    // Audit recon F3: the month of two buyers' invoices at the largest amount was refused whole (money.out_of_range).
    it('sums past the largest amount to the minor unit: a month, an aging and totals of invoices at the limit', async () => {
      const tenant = aTenant();
      const seller = aPartner(tenant, { legalName: 'Seller' });
      const b1 = aPartner(tenant, { legalName: 'Buyer One' });
      const b2 = aPartner(tenant, { legalName: 'Buyer Two' });
      const eurB1 = aPartnership(tenant, seller, b1);
      const eurB2 = aPartnership(tenant, seller, b2);
      const jpyB1 = aPartnership(tenant, seller, b1, { currency: 'JPY' });
      for (const partner of [seller, b1, b2]) await all.partners.save(partner);
      for (const partnership of [eurB1, eurB2, jpyB1]) await all.partnerships.save(partnership);
      // 10 × 999 999 999 999.999 at 0 % VAT: 9 999 999 999 999.99 EUR, the largest amount.
      const line = { name: 'Asset', quantity: '10', unitCode: 'C62', netPrice: '999999999999.999', vat: { code: 'Z', rate: '0' } };
      const largest = [line];
      const atLimit = [
        issue(aDraft(tenant, eurB1, { lines: largest }), seller, b1, 1, '2026-11-05'),
        issue(aDraft(tenant, eurB1, { lines: largest }), seller, b1, 2, '2026-11-20'),
        issue(aDraft(tenant, eurB2, { lines: largest }), seller, b2, 3, '2026-11-10'),
      ];
      const yen = issue(aDraft(tenant, jpyB1, { lines: [{ ...line, quantity: '1', netPrice: '500' }] }), seller, b1, 4, '2026-11-12');
      const cn = Invoice.draft(
        {
          kind: 'credit_note',
          partnershipId: eurB2.id,
          sellerId: seller.id,
          buyerId: b2.id,
          currency: 'EUR',
          paymentTerms: { kind: 'due_on_receipt' },
          series: 'CN',
          precedingInvoice: { id: atLimit[2]?.id as InvoiceId, number: atLimit[2]?.number as string, issueDate: date('2026-11-10') },
          lines: [{ ...line, quantity: '1', netPrice: '100.00' }],
        },
        { tenantId: tenant, id: ids.next<'Invoice'>(), at: AT },
      );
      issue(cn, seller, b2, 1, '2026-11-25');
      atLimit[2]?.applyCredit({ creditNoteId: cn.id, creditNoteNumber: cn.number as string, amount: eur('100.00'), appliedOn: date('2026-11-25') }, AT);
      for (const invoice of [...atLimit, yen, cn]) await all.invoices.save(invoice);

      const month = await all.queries.monthlySummary(tenant, { month: parseYearMonth('2026-11') });
      expect(month.map((row) => [row.currency, row.invoiceCount, row.invoiceTotal.toString(), row.creditNoteCount, row.creditNoteTotal.toString(), row.net.toString()])).toEqual([
        ['EUR', 3, '29999999999999.97', 1, '100.00', '29999999999899.97'],
        ['JPY', 1, '500', 0, '0', '500'],
      ]);
      expect(month[0]?.invoiceTotal.minor).toBe(2_999_999_999_999_997n);
      const ofB1 = await all.queries.monthlySummary(tenant, { month: parseYearMonth('2026-11'), partnerId: b1.id });
      expect(ofB1.map((row) => [row.currency, row.invoiceCount, row.invoiceTotal.toString(), row.net.toString()])).toEqual([
        ['EUR', 2, '19999999999999.98', '19999999999999.98'],
        ['JPY', 1, '500', '500'],
      ]);

      const aging = await all.queries.aging(tenant, { asOf: date('2026-12-15') });
      expect(aging.map((row) => [row.partnerId, row.currency, amounts(row)])).toEqual([
        [b1.id, 'EUR', { current: '9999999999999.99', days1To30: '9999999999999.99', days31To60: '0.00', days61To90: '0.00', over90: '0.00', total: '19999999999999.98' }],
        [b1.id, 'JPY', { current: '0', days1To30: '500', days31To60: '0', days61To90: '0', over90: '0', total: '500' }],
        [b2.id, 'EUR', { current: '0.00', days1To30: '9999999999899.99', days31To60: '0.00', days61To90: '0.00', over90: '0.00', total: '9999999999899.99' }],
      ]);

      const totals = await all.queries.totalsPerPartner(tenant, { months: 1, asOf: date('2026-11-30') });
      expect(totals.map((row) => [row.partnerId, row.currency, row.invoiceCount, row.total.toString()])).toEqual([
        [b1.id, 'EUR', 2, '19999999999999.98'],
        [b1.id, 'JPY', 1, '500'],
        [b2.id, 'EUR', 1, '9999999999999.99'],
      ]);

      // A balance is a sum too (it was refused past the largest amount, money.out_of_range, while aging showed it).
      const balances = await all.queries.balances(tenant, b1.id);
      expect(balances.map((row) => [row.currency, row.outstanding.toString(), row.unappliedCredit.toString(), row.balance.toString()])).toEqual([
        ['EUR', '19999999999999.98', '0.00', '19999999999999.98'],
        ['JPY', '500', '0', '500'],
      ]);
    });

    it('balances a partner per currency: outstanding minus unapplied credit', async () => {
      const rows = await all.queries.balances(data.tenant, data.b1.id);
      expect(rows.map((row) => [row.currency, row.outstanding.toString(), row.unappliedCredit.toString(), row.balance.toString()])).toEqual([
        ['EUR', '320.00', '10.00', '310.00'],
        ['USD', '120.00', '0.00', '120.00'],
      ]);
      expect(await all.queries.balances(aTenant(), data.b1.id)).toEqual([]);
    });
  });
}
