/**
 * Whether a stored credit note is the one a request asks for: how a retry under the same id (the API's
 * `Idempotency-Key`) is told apart from another request that reuses it. Each field the request gives must match;
 * fields it leaves to the catalogue or to defaults are not compared, and decimals compare by value (`1.0` is `1`).
 */
import { decimal, type DecimalInput, type Money } from '@invoicing/core';
import type { AllowanceCharge, AllowanceChargeInput, DocumentAllowanceCharge, DocumentAllowanceChargeInput, InvoiceLine } from './invoice-line';
import type { InvoiceState } from './invoice';
import type { DraftLineInput } from './invoice.use-cases';
import type { VatCategory, VatCategoryInput } from './vat';

/**
 * What a credit note request asks to credit: its lines and document allowances and charges, as given or implied, and
 * the prepaid and rounding amounts it takes (a full credit mirrors the invoice's; one by lines has none).
 */
export interface RequestedCredit {
  readonly lines: readonly DraftLineInput[];
  readonly allowances: readonly DocumentAllowanceChargeInput[];
  readonly charges: readonly DocumentAllowanceChargeInput[];
  readonly prepaidAmount: string;
  readonly roundingAmount: string;
}

export function creditsWhatWasRequested(stored: InvoiceState, requested: RequestedCredit): boolean {
  const currency = stored.currency;
  return (
    sameList(requested.lines, stored.lines, sameLine(currency)) &&
    sameList(requested.allowances, stored.allowances, sameDocumentAllowance(currency)) &&
    sameList(requested.charges, stored.charges, sameDocumentAllowance(currency)) &&
    sameMoney(requested.prepaidAmount, stored.totals.prepaid, currency) &&
    sameMoney(requested.roundingAmount, stored.totals.rounding, currency)
  );
}

function sameList<Given, Stored>(given: readonly Given[], stored: readonly Stored[], same: (given: Given, stored: Stored) => boolean): boolean {
  return given.length === stored.length && given.every((each, index) => same(each, stored[index] as Stored));
}

const sameLine =
  (currency: string) =>
  (given: DraftLineInput, line: InvoiceLine): boolean =>
    sameDecimal(given.quantity, line.quantity) &&
    (given.netPrice === undefined || sameDecimal(given.netPrice, line.netPrice)) &&
    (given.priceBaseQuantity === undefined || sameDecimal(given.priceBaseQuantity, line.priceBaseQuantity)) &&
    (given.name === undefined || sameText(given.name, line.name)) &&
    (given.description === undefined || sameText(given.description, line.description)) &&
    (given.sellerItemId === undefined || sameText(given.sellerItemId, line.sellerItemId)) &&
    // Only the request gives a credit line its period: a retry gives the same one, or none when the first gave none.
    given.period?.start === line.period?.start &&
    given.period?.end === line.period?.end &&
    (given.marketableId === undefined || given.marketableId === line.marketableId) &&
    (given.unitCode === undefined || given.unitCode === line.unitCode) &&
    (given.vat === undefined || sameVat(given.vat, line.vat)) &&
    (given.allowances === undefined || sameList(given.allowances, line.allowances, sameAllowance(currency))) &&
    (given.charges === undefined || sameList(given.charges, line.charges, sameAllowance(currency)));

const sameAllowance =
  (currency: string) =>
  (given: AllowanceChargeInput, stored: AllowanceCharge): boolean =>
    (given.amount === undefined || sameMoney(given.amount, stored.amount, currency)) &&
    (given.percent === undefined || (stored.percent !== undefined && sameDecimal(given.percent, stored.percent))) &&
    (given.baseAmount === undefined || (stored.baseAmount !== undefined && sameMoney(given.baseAmount, stored.baseAmount, currency))) &&
    (given.reason === undefined || sameText(given.reason, stored.reason)) &&
    (given.reasonCode === undefined || sameText(given.reasonCode, stored.reasonCode));

const sameDocumentAllowance =
  (currency: string) =>
  (given: DocumentAllowanceChargeInput, stored: DocumentAllowanceCharge): boolean =>
    sameAllowance(currency)(given, stored) && sameVat(given.vat, stored.vat);

function sameVat(given: VatCategoryInput, stored: VatCategory): boolean {
  if (given.code !== stored.code) return false;
  if (given.rate === undefined || given.rate === null) return true;
  return stored.rate !== null && sameDecimal(given.rate, stored.rate);
}

/** Equal as stored: the domain trims text and drops blank optional text. */
function sameText(given: string, stored: string | undefined): boolean {
  return (given.trim() || undefined) === stored;
}

/** Equal by value; a value that does not parse is not the stored one (the request would have been refused). */
function sameDecimal(given: DecimalInput, stored: DecimalInput): boolean {
  try {
    return decimal(given).equals(decimal(stored));
  } catch {
    return false;
  }
}

function sameMoney(given: string, stored: Money, currency: string): boolean {
  return sameDecimal(given, stored.toString()) && stored.currency === currency;
}
