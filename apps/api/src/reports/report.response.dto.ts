import { MoneyDto, PageDto } from '../http/responses';
import { InvoiceSummaryDto } from '../invoices/invoice.response.dto';
import { ContactDto } from '../partners/partner.response.dto';

/** A past-due invoice: its list row, its due date and how late it is. */
export class PastDueInvoiceDto extends InvoiceSummaryDto {
  /** @example "2026-03-16" */
  declare dueDate: string;
  /** As-of date − due date, in calendar days. @example 30 */
  daysPastDue!: number;
}

export class PastDuePageDto extends PageDto {
  /** The date lateness was judged on (today when `as_of` was not given). @example "2026-04-15" */
  asOf!: string;
  items!: PastDueInvoiceDto[];
}

/** What was issued in the month in one currency (void documents left out). */
export class MonthlySummaryDto {
  /** @example "EUR" */
  currency!: string;
  invoiceCount!: number;
  /** Sum of the invoices' totals with VAT. Sums are exact and may pass the largest amount (`"19999999999999.98"`). */
  invoiceTotal!: MoneyDto;
  creditNoteCount!: number;
  creditNoteTotal!: MoneyDto;
  /** Invoice total − credit note total. */
  net!: MoneyDto;
}

export class MonthlySummaryReportDto {
  /** @example "2026-03" */
  month!: string;
  /** One per currency with documents in the month, by currency code. */
  rows!: MonthlySummaryDto[];
}

/** What one buyer owes in one currency, by days past due on the as-of date. */
export class AgingRowDto {
  partnerId!: string;
  /** @example "EUR" */
  currency!: string;
  /** Not yet due, or due that very day. */
  current!: MoneyDto;
  days1To30!: MoneyDto;
  days31To60!: MoneyDto;
  days61To90!: MoneyDto;
  /** 91 days and more. */
  over90!: MoneyDto;
  /** The buckets' sum: exact, it may pass the largest amount. */
  total!: MoneyDto;
}

export class AgingReportDto {
  /** @example "2026-06-01" */
  asOf!: string;
  /** By partner id, then currency code. */
  rows!: AgingRowDto[];
}

/** What one buyer was invoiced in one currency over the window. */
export class PartnerTotalsDto {
  partnerId!: string;
  /** @example "EUR" */
  currency!: string;
  invoiceCount!: number;
  /** Sum of the invoices' totals with VAT; credit notes are not subtracted. Exact, it may pass the largest amount. */
  total!: MoneyDto;
}

export class PartnerTotalsReportDto {
  /** The day the period ends: `as_of`, or today in the platform's time zone. @example "2026-09-01" */
  asOf!: string;
  /** @example 3 */
  months!: number;
  /** By partner id, then currency code. */
  rows!: PartnerTotalsDto[];
}

/** A contact and the last issued document that named it. */
export class ContactLastSeenDto {
  contact!: ContactDto;
  /** Issue date of that document; null when no issued document named the contact. @example "2026-03-01" */
  lastInvoiceDate!: string | null;
  lastInvoiceId!: string | null;
}

export class ContactsLastSeenDto {
  /** In the partner's order of contacts. */
  rows!: ContactLastSeenDto[];
}
