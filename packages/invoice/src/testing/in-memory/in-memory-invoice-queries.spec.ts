import { beforeAll, describe, expect, it } from '@jest/globals';
import { MONEY_MAX_MINOR, parseCalendarDate, parseYearMonth } from '@invoicing/core';
import { Invoice, type InvoiceState } from '../../invoice/invoice';
import type { PartnerState } from '../../partner/partner';
import type { PaymentState } from '../../payment/payment';
import { aDraft, aPartner, aPartnership, aTenant, issue } from '../builders';
import { InMemoryCollection } from './in-memory-database';
import { InMemoryInvoiceQueries } from './in-memory-invoice-queries';

const date = parseCalendarDate;
const month = parseYearMonth;
// Each report restores and summarises every one of the 9 225 invoices: about 3 s on two busy cores.
const SLOW = 120_000;

/*
 * The database sums a report's figures exactly in 64 bits: 9 223 invoices at the largest amount (10^15 − 1 minor units)
 * fit, 9 224 do not. The same data as the MongoDB adapter's spec (packages/integration, invoice-queries.spec.ts), which
 * must refuse the same sums with the same error (the contract suite cannot hold 9 224 invoices on FerretDB).
 */
describe('InMemoryInvoiceQueries', () => {
  describe('sums past 64 bits', () => {
    const tenant = aTenant();
    const seller = aPartner(tenant, { legalName: 'Seller' });
    const a = aPartner(tenant, { legalName: 'Buyer A' });
    const b = aPartner(tenant, { legalName: 'Buyer B' });
    let queries: InMemoryInvoiceQueries;

    beforeAll(() => {
      const invoices = new InMemoryCollection<InvoiceState>([]);
      queries = new InMemoryInvoiceQueries(invoices, new InMemoryCollection<PartnerState>([]), new InMemoryCollection<PaymentState>([]));
      // 10 × 999 999 999 999.999 at 0 % VAT: 9 999 999 999 999.99 EUR, the largest amount.
      const lines = [{ name: 'Asset', quantity: '10', unitCode: 'C62', netPrice: '999999999999.999', vat: { code: 'Z', rate: '0' } }];
      const largest = (buyer: typeof a, issueDate: string) => issue(aDraft(tenant, aPartnership(tenant, seller, buyer), { lines }), seller, buyer, 1, issueDate).toState();
      const november = largest(a, '2026-11-10');
      const october = largest(a, '2026-10-10');
      expect(november.totals.taxInclusive.minor).toBe(MONEY_MAX_MINOR);
      const states = [
        ...Array.from({ length: 9_223 }, (_, index) => ({ ...november, id: `a-${index}`, number: `INV-A${index}` })),
        { ...october, id: 'a-october', number: 'INV-A-OCT' },
        { ...largest(b, '2026-11-12'), id: 'b-0', number: 'INV-B0' },
      ] as InvoiceState[];
      for (const state of states) invoices.save(Invoice.restore(state), state);
    }, SLOW);

    it('answers a figure of 9 223 invoices at the largest amount exactly', async () => {
      const [row] = await queries.monthlySummary(tenant, { month: month('2026-11'), partnerId: a.id });

      expect([row?.invoiceCount, row?.invoiceTotal.minor, row?.invoiceTotal.toString(), row?.net.toString()]).toEqual([
        9_223,
        9_223n * MONEY_MAX_MINOR,
        '92229999999999907.77',
        '92229999999999907.77',
      ]);
    }, SLOW);

    it('refuses a figure of 9 224 with report.total_out_of_range naming its row, in every report', async () => {
      const refused = (figure: string, partnerId?: string) =>
        expect.objectContaining({ name: 'ReportTotalOutOfRangeError', code: 'report.total_out_of_range', details: { currency: 'EUR', figure, ...(partnerId ? { partnerId } : {}) } });

      await expect(queries.monthlySummary(tenant, { month: month('2026-11') })).rejects.toEqual(refused('invoiceTotal'));
      // Each bucket fits (9 223 and 1 invoices); their total does not.
      await expect(queries.aging(tenant, { asOf: date('2026-12-15') })).rejects.toEqual(refused('total', a.id));
      await expect(queries.totalsPerPartner(tenant, { months: 2, asOf: date('2026-11-30') })).rejects.toEqual(refused('total', a.id));
      await expect(queries.balances(tenant, a.id)).rejects.toEqual(refused('outstanding', a.id));
    }, SLOW);
  });
});
