import { addYearMonths, pageOf, yearMonthOf, type CalendarDate, type CurrencyCode, type Page, type PageRequest, type TenantId, type YearMonth } from '@invoicing/core';
import { Invoice, type InvoiceState } from '../../invoice/invoice';
import { RECEIVABLE_STATUSES } from '../../invoice/invoice-lifecycle';
import { rankContacts, type ContactMatch } from '../../partner/contact-search';
import type { PartnerState } from '../../partner/partner';
import type { PartnerFilter, PartnerQueries } from '../../partner/partner-repository.port';
import type { PaymentState } from '../../payment/payment';
import { Payment } from '../../payment/payment';
import { AGING_BUCKETS, agingBucket, daysPastDue, isOwingAsOf, isPastDue, summarize, type AgingBucket, type InvoiceSummary } from '../../queries/invoice-summary';
import { agingRow, balanceRow, reportTotal } from '../../queries/report-total';
import type {
  AccountBalance,
  AgingRow,
  ContactLastSeen,
  InvoiceFilter,
  InvoiceQueries,
  MonthlySummary,
  PartnerTotals,
  PastDueInvoice,
  PastDueRequest,
} from '../../queries/invoice-queries.port';
import type { PartnerId } from '../../shared/ids';
import type { InMemoryCollection } from './in-memory-database';
import { compareKeys, pageById } from './in-memory-repositories';

/** Groups values by a string key, keeping first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The documents' totals in minor units, exact in any order: only the sum is bounded, by `reportTotal`. */
function sumMinor(items: readonly InvoiceSummary[]): bigint {
  return items.reduce((sum, item) => sum + item.total.minor, 0n);
}

/** The summaries grouped per buyer and currency, ordered by partner id then currency (a refused sum names the first row). */
function perBuyerAndCurrency(summaries: readonly InvoiceSummary[]): { partnerId: PartnerId; currency: CurrencyCode; items: InvoiceSummary[] }[] {
  return [...groupBy(summaries, (summary) => `${summary.buyerId}\u0000${summary.currency}`).values()]
    .map((items) => ({ partnerId: (items[0] as InvoiceSummary).buyerId, currency: (items[0] as InvoiceSummary).currency, items }))
    .sort((left, right) => compareKeys([left.partnerId, left.currency], [right.partnerId, right.currency]));
}

/** The reference implementation of the reports: plain scans over the in-memory collections. */
export class InMemoryInvoiceQueries implements InvoiceQueries {
  constructor(
    private readonly invoices: InMemoryCollection<InvoiceState>,
    private readonly partners: InMemoryCollection<PartnerState>,
    private readonly payments: InMemoryCollection<PaymentState>,
  ) {}

  private summaries(tenantId: TenantId): InvoiceSummary[] {
    return this.invoices.all(tenantId).map((state) => summarize(Invoice.restore(state)));
  }

  async list(tenantId: TenantId, filter: InvoiceFilter, page: PageRequest): Promise<Page<InvoiceSummary>> {
    const matches = this.summaries(tenantId).filter(
      (summary) =>
        (filter.status === undefined || filter.status.includes(summary.status)) &&
        (filter.kind === undefined || summary.kind === filter.kind) &&
        (filter.partnerId === undefined || summary.sellerId === filter.partnerId || summary.buyerId === filter.partnerId) &&
        (filter.issuedFrom === undefined || (summary.issueDate !== undefined && summary.issueDate >= filter.issuedFrom)) &&
        (filter.issuedTo === undefined || (summary.issueDate !== undefined && summary.issueDate <= filter.issuedTo)) &&
        (filter.pastDueAsOf === undefined || isPastDue(summary, filter.pastDueAsOf)),
    );
    return pageById(matches, page, true);
  }

  async pastDue(tenantId: TenantId, request: PastDueRequest): Promise<Page<PastDueInvoice>> {
    const descending = request.sort === 'due_date.desc';
    const rows = this.summaries(tenantId)
      .filter((summary) => isPastDue(summary, request.asOf) && (request.partnerId === undefined || summary.buyerId === request.partnerId))
      .map((summary) => ({ ...summary, dueDate: summary.dueDate as CalendarDate, daysPastDue: daysPastDue(summary.dueDate as CalendarDate, request.asOf) }));
    const compare = descending ? (left: readonly (string | number)[], right: readonly (string | number)[]) => compareKeys(right, left) : compareKeys;
    const sorted = rows.sort((left, right) => compare([left.dueDate, left.id], [right.dueDate, right.id]));
    return pageOf(sorted, request, (row) => [row.dueDate, row.id], compare);
  }

  async monthlySummary(tenantId: TenantId, request: { readonly month: YearMonth; readonly partnerId?: PartnerId }): Promise<MonthlySummary[]> {
    const documents = this.summaries(tenantId).filter(
      (summary) =>
        summary.status !== 'draft' &&
        summary.status !== 'void' &&
        summary.issueDate !== undefined &&
        yearMonthOf(summary.issueDate) === request.month &&
        (request.partnerId === undefined || summary.sellerId === request.partnerId || summary.buyerId === request.partnerId),
    );
    return [...groupBy(documents, (summary) => summary.currency).entries()]
      .sort(([left], [right]) => compareKeys([left], [right]))
      .map(([code, items]) => {
        const currency = code as CurrencyCode;
        const invoices = items.filter((item) => item.kind === 'invoice');
        const creditNotes = items.filter((item) => item.kind === 'credit_note');
        const invoiceTotal = reportTotal(sumMinor(invoices), { currency, figure: 'invoiceTotal' });
        const creditNoteTotal = reportTotal(sumMinor(creditNotes), { currency, figure: 'creditNoteTotal' });
        const net = reportTotal(invoiceTotal.minor - creditNoteTotal.minor, { currency, figure: 'net' });
        return { currency, invoiceCount: invoices.length, invoiceTotal, creditNoteCount: creditNotes.length, creditNoteTotal, net };
      });
  }

  async aging(tenantId: TenantId, request: { readonly asOf: CalendarDate; readonly partnerId?: PartnerId }): Promise<AgingRow[]> {
    const receivables = this.summaries(tenantId).filter(
      (summary) => isOwingAsOf(summary, request.asOf) && (request.partnerId === undefined || summary.buyerId === request.partnerId),
    );
    return perBuyerAndCurrency(receivables).map(({ partnerId, currency, items }) => {
      const sums = Object.fromEntries(AGING_BUCKETS.map((bucket) => [bucket, 0n])) as Record<AgingBucket, bigint>;
      for (const item of items) sums[agingBucket(item.dueDate === undefined ? 0 : daysPastDue(item.dueDate, request.asOf))] += item.outstanding.minor;
      return agingRow(partnerId, currency, sums);
    });
  }

  async totalsPerPartner(tenantId: TenantId, request: { readonly months: number; readonly asOf: CalendarDate }): Promise<PartnerTotals[]> {
    // The window starts in 0100-01 at the earliest, the first month a date can have (audit dates F4).
    const [year, month] = request.asOf.split('-').map(Number) as [number, number];
    const from = `${addYearMonths(yearMonthOf(request.asOf), -Math.min(request.months - 1, (year - 100) * 12 + month - 1))}-01`;
    const invoices = this.summaries(tenantId).filter(
      (summary) =>
        summary.kind === 'invoice' &&
        summary.status !== 'draft' &&
        summary.status !== 'void' &&
        summary.issueDate !== undefined &&
        summary.issueDate >= from &&
        summary.issueDate <= request.asOf,
    );
    return perBuyerAndCurrency(invoices).map(({ partnerId, currency, items }) => ({
      partnerId,
      currency,
      invoiceCount: items.length,
      total: reportTotal(sumMinor(items), { currency, partnerId, figure: 'total' }),
    }));
  }

  async contactsLastSeen(tenantId: TenantId, partnerId: PartnerId): Promise<ContactLastSeen[] | undefined> {
    const partner = this.partners.get(tenantId, partnerId);
    if (!partner) return undefined;
    const issued = this.invoices.all(tenantId, (state) => state.status !== 'draft' && state.issueDate !== undefined);
    return partner.contacts.map((contact) => {
      let last: InvoiceState | undefined;
      for (const state of issued) {
        const named =
          (state.buyerId === partnerId && state.buyerContactId === contact.id) || (state.sellerId === partnerId && state.sellerContactId === contact.id);
        if (named && (!last || compareKeys([state.issueDate ?? '', state.id], [last.issueDate ?? '', last.id]) > 0)) last = state;
      }
      return { contact, lastInvoiceDate: last?.issueDate ?? null, lastInvoiceId: last?.id ?? null };
    });
  }

  async balances(tenantId: TenantId, partnerId: PartnerId): Promise<AccountBalance[]> {
    // Sums in minor units, exact in any order: only the figures are bounded, by `balanceRow`.
    const outstanding = new Map<CurrencyCode, bigint>();
    const credit = new Map<CurrencyCode, bigint>();
    for (const summary of this.summaries(tenantId)) {
      if (summary.kind !== 'invoice' || summary.buyerId !== partnerId || !RECEIVABLE_STATUSES.includes(summary.status)) continue;
      outstanding.set(summary.currency, (outstanding.get(summary.currency) ?? 0n) + summary.outstanding.minor);
    }
    for (const state of this.payments.all(tenantId, (payment) => payment.partnerId === partnerId)) {
      const unapplied = Payment.restore(state).unapplied;
      credit.set(unapplied.currency, (credit.get(unapplied.currency) ?? 0n) + unapplied.minor);
    }
    return [...new Set([...outstanding.keys(), ...credit.keys()])]
      .sort()
      .map((currency) => balanceRow(partnerId, currency, outstanding.get(currency) ?? 0n, credit.get(currency) ?? 0n))
      .filter((row) => row.outstanding.minor !== 0n || row.unappliedCredit.minor !== 0n);
  }
}

/** Partner lists and contact search over the in-memory partners. */
export class InMemoryPartnerQueries implements PartnerQueries {
  constructor(private readonly partners: InMemoryCollection<PartnerState>) {}

  async list(tenantId: TenantId, filter: PartnerFilter, page: PageRequest): Promise<Page<PartnerState>> {
    return pageById(this.partners.all(tenantId, (state) => filter.status === undefined || state.status === filter.status), page);
  }

  async searchContacts(tenantId: TenantId, normalizedQuery: string, limit: number): Promise<ContactMatch[]> {
    return rankContacts(this.partners.all(tenantId), normalizedQuery, limit);
  }
}
