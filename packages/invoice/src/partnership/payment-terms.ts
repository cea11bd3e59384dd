import {
  Money,
  ValidationError,
  addDays,
  atPath,
  decimal,
  endOfMonth,
  formatDecimal,
  requiredObject,
  type CalendarDate,
  type Decimal,
  type DecimalInput,
} from '@invoicing/core';

/** One part of a payment schedule: a percent of the amount due, due some days after the issue date. */
export interface Instalment {
  readonly percent: Decimal;
  readonly days: number;
}

/**
 * When an invoice must be paid.
 * - `due_on_receipt`: on the issue date
 * - `net`: `days` after the issue date ("net 30")
 * - `end_of_month`: `days` after the end of the issue date's month ("30 days end of month")
 * - `instalments`: several parts, each a percent due `days` after the issue date; the percents add up to 100
 */
export type PaymentTerms =
  | { readonly kind: 'due_on_receipt' }
  | { readonly kind: 'net'; readonly days: number }
  | { readonly kind: 'end_of_month'; readonly days: number }
  | { readonly kind: 'instalments'; readonly instalments: readonly Instalment[] };

/** Input form of {@link PaymentTerms}: percents as decimal strings. */
export type PaymentTermsInput =
  | { readonly kind: 'due_on_receipt' }
  | { readonly kind: 'net'; readonly days: number }
  | { readonly kind: 'end_of_month'; readonly days: number }
  | { readonly kind: 'instalments'; readonly instalments: readonly { readonly percent: DecimalInput; readonly days: number }[] };

/** One due date of a schedule and the amount due then. */
export interface ScheduledPayment {
  readonly dueDate: CalendarDate;
  readonly amount: Money;
}

const MAX_DAYS = 3650;

function days(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_DAYS) {
    throw ValidationError.of(path, 'payment_terms.invalid_days', `days must be a whole number from 0 to ${MAX_DAYS}`);
  }
  return value;
}

/** The most instalments payment terms have. */
export const MAX_INSTALMENTS = 60;

/**
 * Checks payment terms. `copied`: terms a partnership already holds, copied onto a draft; they may predate the limit on
 * instalments (60 since 6 December 2026), which bounds what a partnership takes, not what its invoices may state.
 * @throws ValidationError `payment_terms.unknown_kind` | `payment_terms.invalid_days` | `request.is_object` (an instalment) | `payment_terms.instalments_must_total_100` | `payment_terms.no_instalments` | `payment_terms.too_many_instalments`
 */
export function paymentTerms(input: PaymentTermsInput, options: { readonly copied?: boolean } = {}): PaymentTerms {
  switch (input?.kind) {
    case 'due_on_receipt':
      return { kind: 'due_on_receipt' };
    case 'net':
    case 'end_of_month':
      return { kind: input.kind, days: days(input.days, 'days') };
    case 'instalments': {
      if (!Array.isArray(input.instalments) || input.instalments.length === 0) {
        throw ValidationError.of('instalments', 'payment_terms.no_instalments', 'give at least one instalment');
      }
      // Every draft copies them and every document states them (BT-20): 10,000 made a 170,000-character text.
      if (input.instalments.length > MAX_INSTALMENTS && !options.copied) {
        throw ValidationError.of('instalments', 'payment_terms.too_many_instalments', `at most ${MAX_INSTALMENTS} instalments (five years of monthly ones)`);
      }
      const instalments = input.instalments.map((given, index) => {
        const part = requiredObject(given, `instalments.${index}`);
        const percent = atPath(`instalments.${index}.percent`, () => decimal(part.percent));
        // Compared with 0: decimal.js counts 0 as positive.
        if (!percent.greaterThan(0)) throw ValidationError.of(`instalments.${index}.percent`, 'payment_terms.invalid_percent', 'must be above 0');
        return { percent, days: days(part.days, `instalments.${index}.days`) };
      });
      const total = instalments.reduce((sum, part) => sum.plus(part.percent), decimal(0));
      if (!total.equals(100)) {
        throw ValidationError.of('instalments', 'payment_terms.instalments_must_total_100', `percents add up to ${formatDecimal(total)}, not 100`);
      }
      const sorted = [...instalments].sort((left, right) => left.days - right.days);
      return { kind: 'instalments', instalments: sorted };
    }
    default:
      throw ValidationError.of('kind', 'payment_terms.unknown_kind', 'kind is one of due_on_receipt, net, end_of_month, instalments');
  }
}

/**
 * The payment schedule of `amountDue` for an invoice issued on `issueDate`: one entry for simple terms,
 * one per instalment otherwise, split by allocation so the parts add up to the amount due exactly.
 */
export function paymentSchedule(terms: PaymentTerms, issueDate: CalendarDate, amountDue: Money): ScheduledPayment[] {
  if (terms.kind !== 'instalments') return [{ dueDate: dueDate(terms, issueDate), amount: amountDue }];
  const parts = amountDue.allocate(terms.instalments.map((part) => part.percent));
  return terms.instalments.map((part, index) => ({ dueDate: addDays(issueDate, part.days), amount: parts[index] ?? Money.zero(amountDue.currency) }));
}

/** The final due date (BT-9): when the whole amount must have been paid. */
export function dueDate(terms: PaymentTerms, issueDate: CalendarDate): CalendarDate {
  switch (terms.kind) {
    case 'due_on_receipt':
      return issueDate;
    case 'net':
      return addDays(issueDate, terms.days);
    case 'end_of_month':
      return addDays(endOfMonth(issueDate), terms.days);
    case 'instalments':
      return addDays(issueDate, Math.max(...terms.instalments.map((part) => part.days)));
  }
}

/** Plain-language terms for the document (BT-20), e.g. "Net 30 days". */
export function describePaymentTerms(terms: PaymentTerms): string {
  switch (terms.kind) {
    case 'due_on_receipt':
      return 'Due on receipt';
    case 'net':
      return `Net ${terms.days} days`;
    case 'end_of_month':
      return `${terms.days} days end of month`;
    case 'instalments':
      return terms.instalments.map((part) => `${formatDecimal(part.percent)}% at ${part.days} days`).join(', ');
  }
}

/** The JSON-safe form of payment terms (percents as strings). */
export function paymentTermsToInput(terms: PaymentTerms): PaymentTermsInput {
  return terms.kind === 'instalments'
    ? { kind: 'instalments', instalments: terms.instalments.map((part) => ({ percent: formatDecimal(part.percent), days: part.days })) }
    : terms;
}
