import { ValidationError, collectIssues, definedFields, parseCalendarDate, type CalendarDate } from '@invoicing/core';

/**
 * A period of days, both included: the invoicing period of a document (BG-14: BT-73 start, BT-74 end) or of a line
 * (BG-26: BT-134, BT-135). Either date may be absent, not both (BR-CO-19, BR-CO-20). The document's is what lets a
 * partnership that has ended be invoiced for supplies made while it was valid (`Partnership.canInvoice`).
 */
export interface InvoicePeriod {
  readonly start?: CalendarDate;
  readonly end?: CalendarDate;
}

/** A period as given, dates as `YYYY-MM-DD`. */
export interface InvoicePeriodInput {
  readonly start?: string;
  readonly end?: string;
}

/**
 * Parses a period.
 * @throws ValidationError `invoice.invalid_period` (no date, or an end before the start: BR-CO-19/20, BR-29/30), or per bad date
 */
export function invoicePeriod(input: InvoicePeriodInput): InvoicePeriod {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw ValidationError.of('', 'invoice.invalid_period', 'a period is an object with a start date, an end date or both');
  }
  const { start, end } = collectIssues((attempt) => ({
    start: input.start === undefined ? undefined : attempt('start', () => parseCalendarDate(input.start as string)),
    end: input.end === undefined ? undefined : attempt('end', () => parseCalendarDate(input.end as string)),
  }));
  if (start === undefined && end === undefined) {
    throw ValidationError.of('', 'invoice.invalid_period', 'a period has a start date, an end date or both (BR-CO-19, BR-CO-20)');
  }
  if (start !== undefined && end !== undefined && end < start) {
    throw ValidationError.of('end', 'invoice.invalid_period', `a period ends on or after its start (BR-29, BR-30): ${end} is before ${start}`);
  }
  return definedFields({ start, end });
}

/** A period as input text (or as a document states it), its absent date left out: what {@link invoicePeriod} parses back. */
export function periodInput(period: InvoicePeriod): InvoicePeriodInput {
  return definedFields({ start: period.start, end: period.end });
}
