import {
  Money,
  ValidationError,
  collectIssues,
  daysBetween,
  definedFields,
  parseCalendarDate,
  parseCurrencyCode,
  requiredObject,
  type CalendarDate,
  type CurrencyCode,
} from '@invoicing/core';
import { contactDetails, type Contact } from '../partner/partner';
import { dueDate as dueDateFor, paymentTerms, type PaymentTerms } from '../partnership/payment-terms';
import { optionalText, requiredText } from '../shared/text';

/**
 * One invoice of an accounts-receivable export, as text: what a file row holds once its columns are named. Dates are
 * ISO 8601 (`YYYY-MM-DD`) and amounts plain decimals with a dot: the file reader converts the forms its mapping allows.
 */
export interface ReceivableInput {
  readonly invoiceNumber?: string;
  readonly customerName?: string;
  readonly contactName?: string;
  readonly contactPhone?: string;
  readonly contactEmail?: string;
  readonly invoiceDate?: string;
  readonly dueDate?: string;
  readonly purchaseOrder?: string;
  /** The customer's terms as the other system wrote them: "Net 30", "Due on receipt", "2% 10 Net 30". */
  readonly terms?: string;
  readonly termsDays?: string;
  readonly total?: string;
  readonly applied?: string;
  /** `Closed` (settled) or `Pending` (still owed). */
  readonly status?: string;
  readonly currency?: string;
}

/** The fields of {@link ReceivableInput}: what a row error names. */
export type ReceivableField = keyof ReceivableInput;

/** A receivable once checked: what the import records. */
export interface Receivable {
  readonly invoiceNumber: string;
  readonly customerName: string;
  readonly contact?: Omit<Contact, 'id'>;
  readonly invoiceDate: CalendarDate;
  /** As given, else from the terms. */
  readonly dueDate: CalendarDate;
  readonly paymentTerms: PaymentTerms;
  /** The terms' text as given, kept on the invoice as a note when it says more than {@link paymentTerms} can (a discount). */
  readonly termsText?: string;
  readonly purchaseOrder?: string;
  readonly total: Money;
  readonly applied: Money;
  readonly status: 'closed' | 'pending';
}

/** The terms a text names, and the early-payment discount it offers, if any (kept as text: terms have no discount). */
export interface ParsedTermsText {
  readonly terms: PaymentTerms;
  readonly discount?: { readonly percent: string; readonly days: number };
}

const NET = /^(?:net|n)\s*\/?\s*(\d{1,4})(?:\s*days?)?(\s*(?:eom|end of month))?$/;
const DISCOUNT = /^(\d{1,2}(?:\.\d{1,2})?)\s*%?\s*(?:\/|\s)\s*(\d{1,3})(?:\s*days?)?\s*,?\s*(.+)$/;
const ON_RECEIPT = /^(?:due\s+(?:on|upon)\s+receipt|on\s+receipt|cod|cash\s+on\s+delivery|immediate(?:ly)?|due\s+immediately)$/;

/**
 * Reads payment terms as accounts-receivable systems write them: `Net 30`, `N30`, `Net 30 EOM`, `Due on receipt`,
 * `COD`, and early-payment discounts `2% 10 Net 30` or `2/10 Net 30` (2 % off when paid within 10 days).
 * @returns undefined for a text it does not know
 * @throws ValidationError `text.required` when `text` is not a string
 */
export function parseTermsText(text: string): ParsedTermsText | undefined {
  if (typeof text !== 'string') throw ValidationError.of('', 'text.required', 'must be a text');
  const normalized = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (ON_RECEIPT.test(normalized)) return { terms: { kind: 'due_on_receipt' } };
  const net = NET.exec(normalized);
  if (net) {
    const days = Number(net[1]);
    if (days > 3650) return undefined;
    if (net[2] !== undefined) return { terms: { kind: 'end_of_month', days } };
    return { terms: days === 0 ? { kind: 'due_on_receipt' } : { kind: 'net', days } };
  }
  const discount = DISCOUNT.exec(normalized);
  if (discount) {
    const rest = parseTermsText(discount[3] as string);
    if (rest === undefined || rest.discount !== undefined) return undefined;
    return { terms: rest.terms, discount: { percent: discount[1] as string, days: Number(discount[2]) } };
  }
  return undefined;
}

const CONTACT_FIELDS: Readonly<Record<string, ReceivableField>> = { name: 'contactName', email: 'contactEmail', phone: 'contactPhone' };

/** Accepted spellings of the status column. */
const STATUSES: Readonly<Record<string, Receivable['status']>> = { closed: 'closed', paid: 'closed', pending: 'pending', open: 'pending' };

function amount(value: string | undefined, currency: CurrencyCode, code: string): Money {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) throw ValidationError.of('', 'text.required', 'an amount is required');
  // Not a string: Money.of refuses it as `money.malformed`, as any amount given as a number.
  const parsed = Money.of(typeof value === 'string' ? value.trim() : value, currency);
  if (parsed.isNegative()) throw ValidationError.of('', code, `${parsed.toString()} is negative; give credit notes as their own documents`);
  return parsed;
}

/** A format character (Unicode Cf: zero-width spaces and joiners, direction marks, word joiner, BOM, soft hyphen). */
const INVISIBLE = /\p{Cf}/u;
/**
 * The same, less the zero-width non-joiner and joiner (U+200C, U+200D), which Persian and Indic names need to be
 * written right; customers are matched without them (the name key drops every format character).
 */
const INVISIBLE_IN_NAMES = /(?![\u200C\u200D])\p{Cf}/u;

/**
 * Refuses an invisible format character in a text that names a record: `D1` and `D1\u200B`, `Acme` and `Acme\u200B`
 * read the same on screen, in exports and PDFs, and would be two invoices or two customers.
 * @throws ValidationError `text.invisible_character`
 */
function visibleText(value: string, invisible = INVISIBLE): string {
  const found = invisible.exec(value);
  if (found) {
    const code = `U+${(found[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
    throw ValidationError.of('', 'text.invisible_character', `holds an invisible character (${code} at position ${found.index + 1}): take it out, or it is another value that reads the same`);
  }
  return value;
}

/**
 * Checks one receivable: every field at once, each bad one named. Beyond each field's form: the amount applied is at
 * most the total, the status agrees with them (`Closed` exactly when the total was applied), the due date is known
 * (given, or from the terms days, or from terms the text names) and not before the invoice date, and the invoice
 * number and customer name hold no invisible format character (`text.invisible_character`).
 * @param defaultCurrency the currency of rows without one (the import's setting)
 * @throws ValidationError listing every issue, each at its field's name
 */
export function parseReceivable(input: ReceivableInput, defaultCurrency?: string): Receivable {
  requiredObject(input);
  const fields = collectIssues((attempt) => {
    const invoiceNumber = attempt('invoiceNumber', () => {
      const value = requiredText(input.invoiceNumber, '', 100);
      if (/\p{Cc}/u.test(value)) throw ValidationError.of('', 'invoice.invalid_number', 'a number has no control characters');
      return visibleText(value);
    });
    const customerName = attempt('customerName', () => visibleText(requiredText(input.customerName, '', 200), INVISIBLE_IN_NAMES));
    const currency = attempt('currency', () => {
      const currencyText = optionalText(input.currency, '', 100) ?? defaultCurrency;
      if (currencyText === undefined) throw ValidationError.of('', 'text.required', 'the currency is required (or set a default currency)');
      return parseCurrencyCode(currencyText.toUpperCase());
    });
    const invoiceDate = attempt('invoiceDate', () => parseCalendarDate(requiredText(input.invoiceDate, '', 10)));
    const givenDue = attempt('dueDate', () => (optionalText(input.dueDate, '') === undefined ? undefined : parseCalendarDate((input.dueDate as string).trim())));
    const termsDays = attempt('termsDays', () => {
      const value = optionalText(input.termsDays, '', 10);
      if (value === undefined) return undefined;
      if (!/^\d{1,4}$/.test(value) || Number(value) > 3650) throw ValidationError.of('', 'payment_terms.invalid_days', 'terms days are a whole number from 0 to 3650');
      return Number(value);
    });
    const termsText = attempt('terms', () => optionalText(input.terms, '', 100));
    const contact = attempt('', () => {
      const name = optionalText(input.contactName, '') ?? optionalText(input.contactEmail, '') ?? optionalText(input.contactPhone, '');
      if (name === undefined) return undefined;
      try {
        return contactDetails({ name, ...definedFields({ email: optionalText(input.contactEmail, ''), phone: optionalText(input.contactPhone, '') }) });
      } catch (error) {
        // The contact's own paths (`email` …) named as the row's fields (`contactEmail` …).
        if (!(error instanceof ValidationError)) throw error;
        throw new ValidationError(error.issues.map((issue) => ({ ...issue, path: CONTACT_FIELDS[issue.path.split('.')[0] as string] ?? 'contactName' })));
      }
    });
    const purchaseOrder = attempt('purchaseOrder', () => optionalText(input.purchaseOrder, '', 100));
    const status = attempt('status', () => {
      const value = STATUSES[requiredText(input.status, '').toLowerCase()];
      if (value === undefined) throw ValidationError.of('', 'import.invalid_status', 'the status is Closed or Pending');
      return value;
    });
    const total = currency === undefined ? undefined : attempt('total', () => amount(input.total, currency, 'import.negative_amount'));
    const applied = currency === undefined ? undefined : attempt('applied', () => amount(input.applied ?? '0', currency, 'import.negative_amount'));
    return { invoiceNumber, customerName, currency, invoiceDate, givenDue, termsDays, termsText, contact, purchaseOrder, status, total, applied };
  });
  // collectIssues threw if any field was bad: the required ones are all here.
  const { givenDue, termsDays, termsText, contact, purchaseOrder } = fields;
  const { invoiceNumber, customerName, invoiceDate, status, total, applied } = fields as {
    [K in 'invoiceNumber' | 'customerName' | 'invoiceDate' | 'status' | 'total' | 'applied']: NonNullable<(typeof fields)[K]>;
  };
  const named = termsText === undefined ? undefined : parseTermsText(termsText);
  const rules = collectIssues((attempt) => {
    attempt('applied', () => {
      if (applied.greaterThan(total)) throw ValidationError.of('', 'import.applied_exceeds_total', `${applied.toString()} applied is more than the total ${total.toString()}`);
    });
    attempt('status', () => {
      const settled = applied.equals(total);
      if (status === 'closed' && !settled) throw ValidationError.of('', 'import.status_mismatch', `Closed, yet ${total.subtract(applied).toString()} of ${total.toString()} is not applied`);
      if (status === 'pending' && settled) throw ValidationError.of('', 'import.status_mismatch', 'Pending, yet the whole total is applied');
    });
    const terms = attempt('terms', (): PaymentTerms => {
      if (termsDays !== undefined) return paymentTerms(termsDays === 0 ? { kind: 'due_on_receipt' } : { kind: 'net', days: termsDays });
      if (named !== undefined) return named.terms;
      if (givenDue !== undefined) {
        const days = daysBetween(invoiceDate, givenDue);
        return days <= 0 ? { kind: 'due_on_receipt' } : { kind: 'net', days: Math.min(days, 3650) };
      }
      if (termsText !== undefined) throw ValidationError.of('', 'import.unknown_terms', `"${termsText}" is not terms this import reads; give the due date or the terms days`);
      throw ValidationError.of('', 'import.due_date_unknown', 'give the due date, the terms days or the terms');
    });
    const dueDate = attempt('dueDate', () => {
      const due = givenDue ?? (terms === undefined ? invoiceDate : dueDateFor(terms, invoiceDate));
      if (due < invoiceDate) throw ValidationError.of('', 'import.due_before_invoice_date', `the due date ${due} is before the invoice date ${invoiceDate}`);
      return due;
    });
    return { terms: terms as PaymentTerms, dueDate: dueDate as CalendarDate };
  });
  return {
    invoiceNumber,
    customerName,
    ...definedFields({ contact, termsText: named?.discount === undefined && named !== undefined ? undefined : termsText, purchaseOrder }),
    invoiceDate,
    dueDate: rules.dueDate,
    paymentTerms: rules.terms,
    total,
    applied,
    status,
  };
}

