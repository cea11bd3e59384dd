import type { CalendarDate, CurrencyCode, Page, PageRequest, RunningTotal, TenantId, YearMonth } from '@invoicing/core';
import type { DocumentKind } from '../invoice/invoice';
import type { InvoiceStatus } from '../invoice/invoice-lifecycle';
import type { Contact } from '../partner/partner';
import type { InvoiceId, PartnerId } from '../shared/ids';
import type { AgingBucket, InvoiceSummary } from './invoice-summary';

/** Filters for listing invoices; all given filters must match. */
export interface InvoiceFilter {
  readonly status?: readonly InvoiceStatus[];
  readonly kind?: DocumentKind;
  /** Matches the seller or the buyer. */
  readonly partnerId?: PartnerId;
  /** Issue date range, both ends included; drafts without an issue date never match a date filter. */
  readonly issuedFrom?: CalendarDate;
  readonly issuedTo?: CalendarDate;
  /** Only invoices past due on this date (the API's list filter keeps its wire name `overdue_as_of`). */
  readonly pastDueAsOf?: CalendarDate;
}

/** A past-due invoice and how late it is. */
export interface PastDueInvoice extends InvoiceSummary {
  readonly dueDate: CalendarDate;
  readonly daysPastDue: number;
}

export interface PastDueRequest extends PageRequest {
  readonly asOf: CalendarDate;
  /** Only invoices to this buyer. */
  readonly partnerId?: PartnerId;
  /** By due date, oldest first unless `desc`; ties by id. */
  readonly sort?: 'due_date.asc' | 'due_date.desc';
}

/**
 * Documents issued in a month in one currency (void ones excluded). Its figures are sums of amounts, not amounts: exact
 * `RunningTotal`s that may pass the largest amount (ADR 0011), as those of {@link AgingRow} and {@link PartnerTotals}.
 */
export interface MonthlySummary {
  readonly currency: CurrencyCode;
  readonly invoiceCount: number;
  /** Sum of invoices' totals with VAT. */
  readonly invoiceTotal: RunningTotal;
  readonly creditNoteCount: number;
  readonly creditNoteTotal: RunningTotal;
  /** Invoices minus credit notes. */
  readonly net: RunningTotal;
}

/** What one buyer owes in one currency, by how late it is. */
export type AgingRow = { readonly partnerId: PartnerId; readonly currency: CurrencyCode } & Readonly<Record<AgingBucket | 'total', RunningTotal>>;

/** What one buyer was invoiced in one currency over a period. */
export interface PartnerTotals {
  readonly partnerId: PartnerId;
  readonly currency: CurrencyCode;
  readonly invoiceCount: number;
  readonly total: RunningTotal;
}

/** A contact and the last invoice that named it. */
export interface ContactLastSeen {
  readonly contact: Contact;
  readonly lastInvoiceDate: CalendarDate | null;
  readonly lastInvoiceId: InvoiceId | null;
}

/** A partner's position in one currency. */
/**
 * A partner's balance in one currency. Its figures are sums, exact to the minor unit and possibly past the largest
 * amount (ADR 0011), as a report's (`reportTotal`): refused only past 64 bits (`report.total_out_of_range`).
 */
export interface AccountBalance {
  readonly currency: CurrencyCode;
  /** Outstanding on the partner's receivable invoices. */
  readonly outstanding: RunningTotal;
  /** Payments not applied nor refunded; what credit notes took back of their applications counts as not applied. */
  readonly unappliedCredit: RunningTotal;
  /** outstanding − unappliedCredit: positive when the partner owes, negative when the tenant does. */
  readonly balance: RunningTotal;
}

/**
 * Port: the reports over invoices and payments. Adapters compute them with indexes; the in-memory adapter
 * is the reference every adapter's results are compared with.
 */
export interface InvoiceQueries {
  /** Newest first (by id). */
  list(tenantId: TenantId, filter: InvoiceFilter, page: PageRequest): Promise<Page<InvoiceSummary>>;
  /** Invoices the buyer still owes whose due date is before `asOf`. */
  pastDue(tenantId: TenantId, request: PastDueRequest): Promise<Page<PastDueInvoice>>;
  /**
   * Per currency, ordered by currency code; only currencies with documents. Documents counted by issue date, credit notes apart.
   * The sums of this and the next two reports are exact at any size up to ±(2^63 − 1) minor units;
   * @throws ReportTotalOutOfRangeError `report.total_out_of_range` for a figure beyond, naming its row
   */
  monthlySummary(tenantId: TenantId, request: { readonly month: YearMonth; readonly partnerId?: PartnerId }): Promise<MonthlySummary[]>;
  /** Receivables per buyer and currency on `asOf`, ordered by partner id then currency. */
  aging(tenantId: TenantId, request: { readonly asOf: CalendarDate; readonly partnerId?: PartnerId }): Promise<AgingRow[]>;
  /**
   * Invoices (not credit notes, not void) per buyer and currency issued in the last `months` calendar months
   * up to `asOf`: from the first day of the month `months − 1` before `asOf`'s, to `asOf`. Ordered by partner id, currency.
   */
  totalsPerPartner(tenantId: TenantId, request: { readonly months: number; readonly asOf: CalendarDate }): Promise<PartnerTotals[]>;
  /** The partner's contacts, in the partner's order, each with the last issued document naming it as buyer or seller contact. */
  contactsLastSeen(tenantId: TenantId, partnerId: PartnerId): Promise<ContactLastSeen[] | undefined>;
  /** Balances per currency, ordered by currency code; currencies with neither outstanding nor credit are left out. */
  balances(tenantId: TenantId, partnerId: PartnerId): Promise<AccountBalance[]>;
}
/** Injection token of {@link InvoiceQueries}. */
export const INVOICE_QUERIES = Symbol.for('@invoicing/invoice/InvoiceQueries');
