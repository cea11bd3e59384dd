import {
  Decimal,
  Money,
  QUANTITY_MAX,
  QUANTITY_MAX_DECIMALS,
  UNIT_PRICE_MAX,
  UNIT_PRICE_MAX_DECIMALS,
  ValidationError,
  atPath,
  collectIssues,
  decimal,
  definedFields,
  parseCalendarDate,
  type CalendarDate,
  type CurrencyCode,
  type DecimalInput,
} from '@invoicing/core';
import {
  computeTotals,
  invoiceLine,
  invoicedVatCategory,
  unitCode as parseUnitCode,
  vatBreakdown,
  vatCategoryToInput,
  type MarketableId,
  type VatCategory,
  type VatCategoryInput,
} from '@invoicing/invoice';
import { BILLING_INTERVALS, PERIOD_ALIGNMENTS, type BillingCycle, type BillingInterval, type PeriodAlignment } from '../periods/billing-period';
import { priceModel, pricesEachEvent, type PriceModel, type PriceModelInput } from '../pricing/price-model';
import { billableMetric, type Aggregation, type BillableMetric } from '../usage/billable-metric';

/** When a recurring fee is invoiced: on the first day of the period it pays for, or once the period is over. */
export type FeeTiming = 'advance' | 'arrears';
export const FEE_TIMINGS: readonly FeeTiming[] = ['advance', 'arrears'];

/** What a run does with the invoices it makes: leave them as drafts, or issue them (approval rules still apply). */
export type InvoiceMode = 'draft' | 'issue';
export const INVOICE_MODES: readonly InvoiceMode[] = ['draft', 'issue'];

/** What every charge puts on its invoice lines. */
interface ChargeLine {
  /** Unique within the plan (`seats`, `api_calls`): how lines, explanations and late usage refer to the charge. */
  readonly code: string;
  readonly name: string;
  readonly marketableId?: MarketableId;
  /** UN/ECE Recommendation 20 code of the line's quantity. */
  readonly unitCode: string;
  readonly vat: VatCategory;
}

/** A fee for each period: `quantity` (seats, licences…) × `unitPrice`, in advance or in arrears. */
export interface RecurringCharge extends ChargeLine {
  readonly kind: 'recurring';
  readonly quantity: Decimal;
  readonly unitPrice: Decimal;
  readonly timing: FeeTiming;
}

/** A charge for what a billable metric measured over each period, priced by a price model; always in arrears. */
export interface UsageCharge extends ChargeLine {
  readonly kind: 'usage';
  readonly metric: BillableMetric;
  readonly price: PriceModel;
}

export type Charge = RecurringCharge | UsageCharge;

/**
 * A discount on the invoices of a plan: `percentage` off every invoice, or a `fixed` amount off once per period; for
 * `periods` periods from the plan version's first day, or for as long as the version lasts.
 */
export type Discount =
  | { readonly code: string; readonly kind: 'percentage'; readonly percent: Decimal; readonly periods?: number; readonly reason: string }
  | { readonly code: string; readonly kind: 'fixed'; readonly amount: Money; readonly periods?: number; readonly reason: string };

/**
 * The least a partnership pays per period for its usage: when its usage charges come to less, a true-up line adds the
 * difference (prorated when the plan covers part of the period).
 */
export interface MinimumCommitment {
  readonly amount: Money;
  readonly name: string;
  readonly vat: VatCategory;
}

/** Everything a version of a billing plan says: when periods fall, what is charged, and what becomes of invoices. */
export interface PlanTerms {
  readonly cycle: BillingCycle;
  readonly charges: readonly Charge[];
  readonly minimum?: MinimumCommitment;
  readonly discounts: readonly Discount[];
  readonly invoiceMode: InvoiceMode;
}

/** A charge as a caller writes it: decimals as strings. */
export type ChargeInput =
  | (ChargeLineInput & { readonly kind: 'recurring'; readonly quantity?: DecimalInput; readonly unitPrice: DecimalInput; readonly timing?: FeeTiming })
  | (ChargeLineInput & {
      readonly kind: 'usage';
      readonly metric: { readonly code: string; readonly aggregation: Aggregation; readonly property?: string; readonly filters?: Readonly<Record<string, readonly string[]>> };
      readonly price: PriceModelInput;
    });

interface ChargeLineInput {
  readonly code: string;
  readonly name: string;
  readonly marketableId?: MarketableId;
  readonly unitCode?: string;
  readonly vat: VatCategoryInput;
}

export type DiscountInput =
  | { readonly code: string; readonly kind: 'percentage'; readonly percent: DecimalInput; readonly periods?: number; readonly reason?: string }
  | { readonly code: string; readonly kind: 'fixed'; readonly amount: string; readonly periods?: number; readonly reason?: string };

/** Plan terms as a caller writes them; the anchor of anniversary periods defaults to the version's first day. */
export interface PlanTermsInput {
  readonly interval: BillingInterval;
  readonly alignment?: PeriodAlignment;
  readonly anchor?: string;
  readonly charges: readonly ChargeInput[];
  readonly minimum?: { readonly amount: string; readonly name?: string; readonly vat: VatCategoryInput };
  readonly discounts?: readonly DiscountInput[];
  readonly invoiceMode?: InvoiceMode;
}

/** Most charges and discounts a plan version holds: a price list, not a catalogue. */
export const MAX_CHARGES = 50;
export const MAX_DISCOUNTS = 10;
/** Most periods a discount can be limited to (100 years of months). */
export const MAX_DISCOUNT_PERIODS = 1200;

const CODE = /^[a-z][a-z0-9_]{0,62}$/;
/** The code the minimum commitment's true-up is billed under (`propose-bill.ts`). */
export const MINIMUM_CODE = 'minimum';

/**
 * Checks plan terms in the partnership's currency, naming every faulty field: charge codes unique, prices and
 * quantities that an invoice line can carry, a minimum and fixed discounts in the currency, VAT an invoice takes
 * (`vat.unknown_exemption_code` for an exemption code outside the VATEX list: every bill of the plan would be refused).
 * Only terms entered are checked: stored versions are read as they are.
 * @throws ValidationError codes `plan.*`, `price_model.*`, `metric.*`, `vat.*`, `unit_code.*`, `decimal.*`, `money.*`
 */
export function planTerms(input: PlanTermsInput, currency: CurrencyCode, firstDay: CalendarDate): PlanTerms {
  return collectIssues((attempt) => {
    const interval = attempt('interval', () => oneOf(input.interval, BILLING_INTERVALS, 'plan.unknown_interval'));
    const alignment = attempt('alignment', () => oneOf(input.alignment ?? 'calendar', PERIOD_ALIGNMENTS, 'plan.unknown_alignment'));
    const anchor = attempt('anchor', () => (input.anchor === undefined ? firstDay : parseCalendarDate(input.anchor)));
    const charges = attempt('charges', () => feesFit(chargeList(input.charges), currency));
    const minimum = input.minimum === undefined ? undefined : attempt('minimum', () => minimumOf(input.minimum as NonNullable<PlanTermsInput['minimum']>, currency));
    if (charges !== undefined && (input.minimum === undefined || minimum !== undefined)) attempt('charges', () => periodFits(charges, minimum, currency));
    const discounts = attempt('discounts', () => discountList(input.discounts ?? [], currency));
    const invoiceMode = attempt('invoiceMode', () => oneOf(input.invoiceMode ?? 'draft', INVOICE_MODES, 'plan.unknown_invoice_mode'));
    return {
      cycle: { interval, alignment, anchor } as BillingCycle,
      charges: charges as Charge[],
      ...definedFields({ minimum }),
      discounts: discounts as Discount[],
      invoiceMode: invoiceMode as InvoiceMode,
    };
  });
}

function chargeList(input: readonly ChargeInput[]): Charge[] {
  if (!Array.isArray(input)) throw ValidationError.of('', 'plan.charges_required', 'charges is a list');
  if (input.length > MAX_CHARGES) throw ValidationError.of('', 'plan.too_many_charges', `a plan has at most ${MAX_CHARGES} charges`);
  const charges = collectIssues((attempt) => input.map((each, index) => attempt(String(index), () => charge(each)) as Charge));
  const seen = new Set<string>();
  charges.forEach((each, index) => {
    if (seen.has(each.code)) throw ValidationError.of(`${index}.code`, 'plan.duplicate_charge_code', `two charges have the code ${each.code}`);
    // The minimum commitment's true-up is billed under this code: a charge with it would share (and undo) its bills.
    if (each.code === MINIMUM_CODE) throw ValidationError.of(`${index}.code`, 'plan.reserved_charge_code', `"${MINIMUM_CODE}" is the minimum commitment's: give the charge another code`);
    seen.add(each.code);
  });
  return charges;
}

/**
 * A recurring fee is one invoice line of quantity × unit price: each may be at its largest, but not their product with
 * its VAT beyond the largest amount of the currency, or every bill of the plan would fail to become an invoice.
 */
function feesFit(charges: Charge[], currency: CurrencyCode): Charge[] {
  charges.forEach((each, index) => {
    if (each.kind !== 'recurring') return;
    if (!invoiceFits([[each.quantity, each.unitPrice, each.vat]], currency)) {
      throw ValidationError.of(`${index}`, 'plan.out_of_range', `a fee of ${each.quantity.toString()} × ${each.unitPrice.toString()} with its VAT is more than the largest amount in ${currency}`);
    }
  });
  return charges;
}

/**
 * A period's fees and the minimum's true-up (at most the minimum) come on one bill: with their VAT, they fit one
 * invoice. Usage is not known in advance; a bill it takes beyond the range is not recorded (docs/billing.md#limits).
 */
function periodFits(charges: readonly Charge[], minimum: MinimumCommitment | undefined, currency: CurrencyCode): void {
  const fees = charges.flatMap((each): InvoiceLineFigures[] => (each.kind === 'recurring' ? [[each.quantity, each.unitPrice, each.vat]] : []));
  const lines = minimum === undefined ? fees : [...fees, [new Decimal(1), minimum.amount.toDecimal(), minimum.vat] as const];
  if (lines.length > 1 && !invoiceFits(lines, currency)) {
    throw ValidationError.of('', 'plan.out_of_range', `the fees of a period${minimum === undefined ? '' : ' and the minimum'}, with their VAT, come to more than the largest amount in ${currency}`);
  }
}

/** Quantity, unit price and VAT of an invoice line. */
type InvoiceLineFigures = readonly [Decimal, Decimal, VatCategory];

/** Whether an invoice of these lines can be made: every amount of it, the VAT and the total included, within the currency's range. */
function invoiceFits(lines: readonly InvoiceLineFigures[], currency: CurrencyCode): boolean {
  try {
    const parsed = lines.map(([quantity, netPrice, vat], index) => invoiceLine({ name: 'fee', quantity, unitCode: 'C62', netPrice, vat: vatCategoryToInput(vat) }, currency, index));
    const totals = { currency, lines: parsed, allowances: [], charges: [], prepaid: Money.zero(currency), rounding: Money.zero(currency) };
    computeTotals(totals, vatBreakdown(totals));
    return true;
  } catch (error) {
    if (error instanceof ValidationError && error.issues.some((issue) => issue.code === 'money.out_of_range')) return false;
    throw error;
  }
}

function charge(input: ChargeInput): Charge {
  if (input === null || typeof input !== 'object' || (input.kind !== 'recurring' && input.kind !== 'usage')) {
    throw ValidationError.of('kind', 'plan.unknown_charge_kind', 'a charge is recurring or usage');
  }
  return collectIssues((attempt) => {
    const line = {
      code: attempt('code', () => code(input.code, 'plan.invalid_charge_code')) as string,
      name: attempt('name', () => text(input.name, 200)) as string,
      ...definedFields({ marketableId: input.marketableId }),
      unitCode: attempt('unitCode', () => parseUnitCode(input.unitCode ?? 'C62', '')) as string,
      vat: attempt('vat', () => invoicedVatCategory(input.vat)) as VatCategory,
    };
    if (input.kind === 'recurring') {
      return {
        kind: 'recurring',
        ...line,
        quantity: attempt('quantity', () => bounded(input.quantity ?? '1', QUANTITY_MAX, QUANTITY_MAX_DECIMALS, 'a quantity')) as Decimal,
        unitPrice: attempt('unitPrice', () => bounded(input.unitPrice, UNIT_PRICE_MAX, UNIT_PRICE_MAX_DECIMALS, 'a unit price')) as Decimal,
        timing: attempt('timing', () => oneOf(input.timing ?? 'advance', FEE_TIMINGS, 'plan.unknown_timing')) as FeeTiming,
      };
    }
    const metric = attempt('metric', () => billableMetric({ ...input.metric }));
    const price = attempt('price', () => {
      const model = priceModel(input.price);
      // Only a sum has an amount per event: any other figure would fail every period's bill (usage.events_required).
      if (metric !== undefined && metric.aggregation !== 'sum' && pricesEachEvent(model)) {
        throw ValidationError.of('', 'price_model.per_event_needs_sum', `a fee, minimum or maximum per event is worked out from each event's amount, which only a sum metric has, not a ${metric.aggregation}`);
      }
      return model;
    });
    return { kind: 'usage', ...line, metric: metric as BillableMetric, price: price as PriceModel };
  });
}

function minimumOf(input: NonNullable<PlanTermsInput['minimum']>, currency: CurrencyCode): MinimumCommitment {
  return collectIssues((attempt) => ({
    // Its true-up is one invoice line of quantity 1 at up to this price: no larger than a line's unit price may be, or
    // the bill of every period short of it could never be made.
    amount: attempt('amount', () => {
      const amount = notNegativeMoney(input.amount, currency);
      if (amount.toDecimal().greaterThan(UNIT_PRICE_MAX)) throw ValidationError.of('', 'plan.out_of_range', `a minimum commitment is 0 to ${UNIT_PRICE_MAX}, as a line's unit price`);
      return amount;
    }) as Money,
    name: attempt('name', () => text(input.name ?? 'Minimum commitment', 200)) as string,
    vat: attempt('vat', () => invoicedVatCategory(input.vat)) as VatCategory,
  }));
}

function discountList(input: readonly DiscountInput[], currency: CurrencyCode): Discount[] {
  if (!Array.isArray(input)) throw ValidationError.of('', 'plan.discounts_not_list', 'discounts is a list');
  if (input.length > MAX_DISCOUNTS) throw ValidationError.of('', 'plan.too_many_discounts', `a plan has at most ${MAX_DISCOUNTS} discounts`);
  const discounts = collectIssues((attempt) => input.map((each, index) => attempt(String(index), () => discount(each, currency)) as Discount));
  const seen = new Set<string>();
  discounts.forEach((each, index) => {
    if (seen.has(each.code)) throw ValidationError.of(`${index}.code`, 'plan.duplicate_discount_code', `two discounts have the code ${each.code}`);
    seen.add(each.code);
  });
  return discounts;
}

function discount(input: DiscountInput, currency: CurrencyCode): Discount {
  if (input === null || typeof input !== 'object' || (input.kind !== 'percentage' && input.kind !== 'fixed')) {
    throw ValidationError.of('kind', 'plan.unknown_discount_kind', 'a discount is percentage or fixed');
  }
  return collectIssues((attempt) => {
    const common = {
      code: attempt('code', () => code(input.code, 'plan.invalid_discount_code')) as string,
      reason: attempt('reason', () => text(input.reason ?? 'Discount', 500)) as string,
      ...definedFields({ periods: attempt('periods', () => periods(input.periods)) }),
    };
    if (input.kind === 'percentage') {
      const percent = attempt('percent', () => {
        const value = decimal(input.percent);
        if (value.lessThanOrEqualTo(0) || value.greaterThan(100) || value.decimalPlaces() > 4) {
          throw ValidationError.of('', 'plan.invalid_discount_percent', 'a discount is above 0 and at most 100 percent, with at most 4 decimals');
        }
        return value;
      }) as Decimal;
      return { kind: 'percentage', ...common, percent };
    }
    const amount = attempt('amount', () => {
      const value = notNegativeMoney(input.amount, currency);
      if (value.isZero()) throw ValidationError.of('', 'plan.invalid_discount_amount', 'a fixed discount is above 0');
      return value;
    }) as Money;
    return { kind: 'fixed', ...common, amount };
  });
}

function periods(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_DISCOUNT_PERIODS) {
    throw ValidationError.of('', 'plan.invalid_discount_periods', `a discount lasts 1 to ${MAX_DISCOUNT_PERIODS} periods, or leave periods out for as long as the plan`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], errorCode: string): T {
  if (!allowed.includes(value as T)) throw ValidationError.of('', errorCode, `one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

function code(value: unknown, errorCode: string): string {
  if (typeof value !== 'string' || !CODE.test(value)) throw ValidationError.of('', errorCode, 'a code is 1 to 63 lower-case letters, digits or "_", starting with a letter');
  return value;
}

function text(value: unknown, maxLength: number): string {
  // eslint-disable-next-line no-control-regex -- control characters never belong on an invoice line
  if (typeof value !== 'string' || value.trim() === '' || [...value.trim()].length > maxLength || /[\u0000-\u001F\u007F]/.test(value)) {
    throw ValidationError.of('', 'plan.invalid_text', `a text of 1 to ${maxLength} characters without control characters`);
  }
  return value.trim();
}

function bounded(value: DecimalInput, max: number, decimals: number, what: string): Decimal {
  const parsed = decimal(value);
  if (parsed.isNegative() || parsed.greaterThan(max) || parsed.decimalPlaces() > decimals) {
    throw ValidationError.of('', 'plan.out_of_range', `${what} is 0 to ${max} with at most ${decimals} decimals`);
  }
  return parsed;
}

function notNegativeMoney(value: string, currency: CurrencyCode): Money {
  const amount = atPath('', () => Money.of(value, currency));
  if (amount.isNegative()) throw ValidationError.of('', 'plan.negative_amount', 'an amount here is 0 or more');
  return amount;
}
