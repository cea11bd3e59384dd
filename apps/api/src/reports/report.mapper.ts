import type { AgingReport, ContactLastSeen, MonthlySummary, PartnerTotalsReport, PastDueInvoice } from '@invoicing/invoice';
import { toTotalResponse } from '../http/responses';
import { toInvoiceSummaryResponse } from '../invoices/invoice.mapper';
import { toContactResponse } from '../partners/partner.mapper';
import type { AgingReportDto, ContactsLastSeenDto, MonthlySummaryReportDto, PartnerTotalsReportDto, PastDueInvoiceDto } from './report.response.dto';

/** A past-due invoice: its list row, its due date and how late it is. */
export function toPastDueInvoiceResponse(row: PastDueInvoice): PastDueInvoiceDto {
  return { ...toInvoiceSummaryResponse(row), dueDate: row.dueDate, daysPastDue: row.daysPastDue };
}

/** What was issued in `month`, per currency. */
export function toMonthlySummaryReportResponse(month: string, rows: readonly MonthlySummary[]): MonthlySummaryReportDto {
  return {
    month,
    rows: rows.map((row) => ({
      currency: row.currency,
      invoiceCount: row.invoiceCount,
      invoiceTotal: toTotalResponse(row.invoiceTotal),
      creditNoteCount: row.creditNoteCount,
      creditNoteTotal: toTotalResponse(row.creditNoteTotal),
      net: toTotalResponse(row.net),
    })),
  };
}

/** The aging of receivables on its as-of date, per buyer and currency. */
export function toAgingReportResponse(report: Awaited<ReturnType<AgingReport['execute']>>): AgingReportDto {
  return {
    asOf: report.asOf,
    rows: report.rows.map((row) => ({
      partnerId: row.partnerId,
      currency: row.currency,
      current: toTotalResponse(row.current),
      days1To30: toTotalResponse(row.days1To30),
      days31To60: toTotalResponse(row.days31To60),
      days61To90: toTotalResponse(row.days61To90),
      over90: toTotalResponse(row.over90),
      total: toTotalResponse(row.total),
    })),
  };
}

/** What each buyer was invoiced over the period, per currency. */
export function toPartnerTotalsReportResponse(report: Awaited<ReturnType<PartnerTotalsReport['execute']>>): PartnerTotalsReportDto {
  return {
    asOf: report.asOf,
    months: report.months,
    rows: report.rows.map((row) => ({ partnerId: row.partnerId, currency: row.currency, invoiceCount: row.invoiceCount, total: toTotalResponse(row.total) })),
  };
}

/** A partner's contacts, each with the last issued document that named it. */
export function toContactsLastSeenResponse(rows: readonly ContactLastSeen[]): ContactsLastSeenDto {
  return { rows: rows.map((row) => ({ contact: toContactResponse(row.contact), lastInvoiceDate: row.lastInvoiceDate, lastInvoiceId: row.lastInvoiceId })) };
}
