import {
  Money,
  QUANTITY_MAX,
  QUANTITY_MAX_DECIMALS,
  UNIT_PRICE_MAX,
  UNIT_PRICE_MAX_DECIMALS,
  ValidationError,
  collectIssues,
  decimal,
  definedFields,
  formatDecimal,
  parseCalendarDate,
  type CalendarDate,
  type CurrencyCode,
  type Decimal,
  type DecimalInput,
  type TenantId,
} from '@invoicing/core';
import { computeTotals, invoiceLine, unitCode as parseUnitCode, vatBreakdown, vatCategory, vatCategoryToInput, type MarketableId, type PartnershipId, type VatCategory, type VatCategoryInput } from '@invoicing/invoice';
import type { LineComputation } from '../runs/bill';

/** A charge billed once, on the first bill of its partnership on or after its date: a setup fee, an ad-hoc service. */
export interface OneOffCharge {
  readonly tenantId: TenantId;
  /** Chosen by the caller or derived from its idempotency key: the same id is the same charge, never a second one. */
  readonly id: string;
  readonly partnershipId: PartnershipId;
  readonly date: CalendarDate;
  readonly name: string;
  readonly marketableId?: MarketableId;
  readonly unitCode: string;
  /** May be negative: an ad-hoc credit. */
  readonly quantity: Decimal;
  readonly unitPrice: Decimal;
  readonly vat: VatCategory;
  readonly createdAt: Date;
  /** When it was cancelled, before any bill took it: no run bills it. */
  readonly cancelledAt?: Date;
  /** Who added it, as the caller was named: an author of the invoice that bills it (ADR 0031). */
  readonly addedBy?: string;
}

/** A one-off charge as a caller writes it. */
export interface OneOffChargeInput {
  readonly date: string;
  readonly name: string;
  readonly marketableId?: MarketableId;
  readonly unitCode?: string;
  readonly quantity?: DecimalInput;
  readonly unitPrice: DecimalInput;
  readonly vat: VatCategoryInput;
}

/**
 * Checks a one-off charge: a quantity and a price an invoice line can carry (the price never negative), and an amount
 * (quantity × unit price, rounded as its line is), with its VAT, within the largest amount of `currency`, the partnership's.
 * @throws ValidationError `one_off.out_of_range` | `one_off.invalid_name`, and `vat.*`, `unit_code.*`, `decimal.*`, `date.*`
 */
export function oneOffCharge(
  input: OneOffChargeInput,
  context: { readonly tenantId: TenantId; readonly id: string; readonly partnershipId: PartnershipId; readonly currency: CurrencyCode; readonly at: Date; readonly by?: string | undefined },
): OneOffCharge {
  return collectIssues((attempt) => {
    const date = attempt('date', () => parseCalendarDate(input.date));
    const name = attempt('name', () => {
      // eslint-disable-next-line no-control-regex -- control characters never belong on an invoice line
      if (typeof input.name !== 'string' || input.name.trim() === '' || [...input.name.trim()].length > 200 || /[\u0000-\u001F\u007F]/.test(input.name)) {
        throw ValidationError.of('', 'one_off.invalid_name', 'a name of 1 to 200 characters without control characters');
      }
      return input.name.trim();
    });
    const unitCode = attempt('unitCode', () => parseUnitCode(input.unitCode ?? 'C62', ''));
    const quantity = attempt('quantity', () => bounded(input.quantity ?? '1', QUANTITY_MAX, QUANTITY_MAX_DECIMALS, true));
    const unitPrice = attempt('unitPrice', () => bounded(input.unitPrice, UNIT_PRICE_MAX, UNIT_PRICE_MAX_DECIMALS, false));
    const vat = attempt('vat', () => vatCategory(input.vat));
    // Each figure may be at its largest, not their product with its VAT: an invoice beyond the currency's largest amount
    // could never be made, and a charge is never deleted. Reported under the charge, as a line's is.
    if (quantity !== undefined && unitPrice !== undefined && vat !== undefined) attempt('', () => amountFits(quantity, unitPrice, vat, context.currency));
    return {
      tenantId: context.tenantId,
      id: context.id,
      partnershipId: context.partnershipId,
      date: date as CalendarDate,
      name: name as string,
      ...definedFields({ marketableId: input.marketableId }),
      unitCode: unitCode as string,
      quantity: quantity as Decimal,
      unitPrice: unitPrice as Decimal,
      vat: vat as VatCategory,
      createdAt: context.at,
      ...definedFields({ addedBy: context.by }),
    };
  });
}

/**
 * The charge's line as billing makes it (the invoice's own line) and its VAT, refused when the currency cannot hold
 * them: an invoice of the charge alone could never be made.
 */
function amountFits(quantity: Decimal, unitPrice: Decimal, vat: VatCategory, currency: CurrencyCode): void {
  try {
    const line = invoiceLine({ name: 'amount', quantity, unitCode: 'C62', netPrice: unitPrice, vat: vatCategoryToInput(vat) }, currency, 0);
    const totals = { currency, lines: [line], allowances: [], charges: [], prepaid: Money.zero(currency), rounding: Money.zero(currency) };
    computeTotals(totals, vatBreakdown(totals));
  } catch (error) {
    if (!(error instanceof ValidationError) || !error.issues.some((issue) => issue.code === 'money.out_of_range')) throw error;
    const largest = Money.largest(currency);
    throw ValidationError.of('', 'one_off.out_of_range', `${formatDecimal(quantity)} × ${formatDecimal(unitPrice)} with its VAT is more than the largest amount, ${largest.toString()} ${currency}, either way`);
  }
}

function bounded(value: DecimalInput, max: number, decimals: number, signed: boolean): Decimal {
  const parsed = decimal(value);
  if ((!signed && parsed.isNegative()) || parsed.abs().greaterThan(max) || parsed.decimalPlaces() > decimals) {
    throw ValidationError.of('', 'one_off.out_of_range', `${signed ? 'from -' : '0 to '}${max} with at most ${decimals} decimals, as an invoice line carries it`);
  }
  return parsed;
}

/** The ids of the one-off charges a bill charged, or settled at 0: its items `one_off:<id>`. */
export function oneOffIdsOf(bill: { readonly lines: readonly { readonly computation: LineComputation }[]; readonly settled?: readonly LineComputation[] }): string[] {
  const items = [...bill.lines.map((line) => line.computation), ...(bill.settled ?? [])].map((computation) => computation.item);
  return [...new Set(items.filter((item) => item.startsWith(ONE_OFF_ITEM)).map((item) => item.slice(ONE_OFF_ITEM.length)))];
}

/** How a bill names a one-off charge's item: `one_off:<id>` (propose-bill.ts). */
const ONE_OFF_ITEM = 'one_off:';

/** True when two one-off charges say the same thing (a retry), whenever each was received, and cancelled or not. */
export function sameOneOff(left: OneOffCharge, right: OneOffCharge): boolean {
  // Who added it is not a detail of the charge: a retry by someone else is the same charge.
  const { createdAt: leftAt, cancelledAt: leftCancelled, addedBy: leftBy, ...leftRest } = left;
  const { createdAt: rightAt, cancelledAt: rightCancelled, addedBy: rightBy, ...rightRest } = right;
  void [leftAt, rightAt, leftCancelled, rightCancelled, leftBy, rightBy];
  return JSON.stringify(canonical(leftRest)) === JSON.stringify(canonical(rightRest));
}

function canonical(value: object): unknown {
  return Object.fromEntries(
    Object.entries(value)
      .sort(([left], [right]) => (left < right ? -1 : 1))
      .map(([key, each]) => [key, typeof each === 'object' && each !== null && !('toFixed' in each) ? canonical(each as object) : String(each)]),
  );
}
