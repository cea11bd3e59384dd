import {
  Decimal,
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
  requiredList,
  requiredObject,
  type CurrencyCode,
  type DecimalInput,
} from '@invoicing/core';
import { UNTDID_5189, UNTDID_7161 } from '../en16931/rules/code-list-values';
import { isListed } from '../en16931/rules/code-lists';
import type { MarketableId } from '../shared/ids';
import { optionalText, requiredText } from '../shared/text';
import { invoicePeriod, periodInput, type InvoicePeriod, type InvoicePeriodInput } from './invoice-period';
import { invoicedVatCategory, isVatexCode, vatCategoryToInput, type VatCategory, type VatCategoryInput } from './vat';

/**
 * An allowance (discount) or a charge (fee) on a line or on the whole document.
 * Either a fixed amount, or a percent of a base amount; the amount is always known once parsed.
 */
export interface AllowanceCharge {
  /** BT-92 / BT-99 / BT-136 / BT-141: the amount, rounded to the currency. */
  readonly amount: Money;
  /** BT-94 / BT-101 / BT-138 / BT-143 */
  readonly percent?: Decimal;
  /** BT-93 / BT-100 / BT-137 / BT-142 */
  readonly baseAmount?: Money;
  readonly reason?: string;
  /** UNTDID 5189 (allowances) or 7161 (charges) code. */
  readonly reasonCode?: string;
}

/** A document-level allowance or charge also says which VAT category it falls in (BT-95 / BT-102). */
export interface DocumentAllowanceCharge extends AllowanceCharge {
  readonly vat: VatCategory;
}

/** Input for an allowance or charge: `amount`, or `percent` (of `baseAmount`, or of the line's gross amount). Amounts are decimal strings. */
export interface AllowanceChargeInput {
  readonly amount?: string;
  readonly percent?: DecimalInput;
  readonly baseAmount?: string;
  readonly reason?: string;
  readonly reasonCode?: string;
}

export interface DocumentAllowanceChargeInput extends AllowanceChargeInput {
  readonly vat: VatCategoryInput;
}

/** One line of an invoice or credit note (BG-25). */
export interface InvoiceLine {
  /** BT-126: unique within the document, "1", "2" … unless given. */
  readonly id: string;
  readonly marketableId?: MarketableId;
  /** BT-153 */
  readonly name: string;
  /** BT-154 */
  readonly description?: string;
  /** BT-155, e.g. the SKU. */
  readonly sellerItemId?: string;
  /** BG-26: the days the line is for, both included. */
  readonly period?: InvoicePeriod;
  /** BT-129; may be negative (returns); at most `QUANTITY_MAX` (10^9) either way, with at most 6 decimals. */
  readonly quantity: Decimal;
  /** BT-130, UN/ECE Recommendation 20 (or 21) code, e.g. `C62` (one), `HUR` (hour), `DAY`. */
  readonly unitCode: string;
  /** BT-146: net price per `priceBaseQuantity` units, never negative (BR-27); at most `UNIT_PRICE_MAX` (10^12), with at most 10 decimals. */
  readonly netPrice: Decimal;
  /** BT-149: number of units the price is for; 1 unless given; above 0 and at most `QUANTITY_MAX`, with at most 6 decimals. */
  readonly priceBaseQuantity: Decimal;
  readonly allowances: readonly AllowanceCharge[];
  readonly charges: readonly AllowanceCharge[];
  readonly vat: VatCategory;
  /** BT-131: quantity × price ÷ base quantity + charges − allowances, rounded half-up to the currency. */
  readonly netAmount: Money;
}

/** Input for one line; decimals as strings. */
export interface InvoiceLineInput {
  readonly id?: string;
  readonly marketableId?: MarketableId;
  readonly name: string;
  readonly description?: string;
  readonly sellerItemId?: string;
  readonly period?: InvoicePeriodInput;
  readonly quantity: DecimalInput;
  readonly unitCode: string;
  readonly netPrice: DecimalInput;
  readonly priceBaseQuantity?: DecimalInput;
  readonly allowances?: readonly AllowanceChargeInput[];
  readonly charges?: readonly AllowanceChargeInput[];
  readonly vat: VatCategoryInput;
}

const UNIT_CODE = /^[A-Z0-9]{2,3}$/;

/** Whether `value` is a unit code lines take ({@link unitCode} refuses any other). */
export function isUnitCode(value: unknown): value is string {
  return typeof value === 'string' && UNIT_CODE.test(value);
}

/**
 * Works out quantity × price ÷ base quantity with far more digits than the 34 of `Decimal`, so that the product is exact
 * and the only rounding that matters is the one to the currency (ARCHITECTURE.md: round once, on the exact value).
 */
const WideDecimal = Decimal.clone({ precision: 1000 });

/** True when `value` is at most `max` either way and has at most `decimals` decimals (trailing zeros do not count). */
function within(value: Decimal, max: number, decimals: number): boolean {
  return value.abs().lessThanOrEqualTo(max) && value.decimalPlaces() <= decimals;
}

/**
 * A price a line may later take (a list or negotiated price): not negative, and within a line's bounds, checked where
 * it is set rather than on every line that would use it (ADR 0011).
 * @throws ValidationError `<scope>.negative_price` | `<scope>.price_out_of_range`
 */
export function storedUnitPrice(value: DecimalInput, scope: 'marketable' | 'partnership'): Decimal {
  const price = decimal(value);
  if (price.lessThan(0)) throw ValidationError.of('', `${scope}.negative_price`, 'a price is not negative');
  if (!within(price, UNIT_PRICE_MAX, UNIT_PRICE_MAX_DECIMALS)) {
    throw ValidationError.of('', `${scope}.price_out_of_range`, `a price is at most ${UNIT_PRICE_MAX}, with at most ${UNIT_PRICE_MAX_DECIMALS} decimals`);
  }
  return price;
}

/**
 * Checks a UN/ECE Recommendation 20/21 unit code's form (two or three upper-case letters or digits).
 * @throws ValidationError `unit_code.malformed`
 */
export function unitCode(value: unknown, path = 'unitCode'): string {
  if (!isUnitCode(value)) {
    throw ValidationError.of(path, 'unit_code.malformed', 'must be a UN/ECE Recommendation 20 code such as "C62", "HUR" or "DAY"');
  }
  return value;
}

/** Which an allowance or charge is: its reason code comes from UNTDID 5189 (allowances) or 7161 (charges). */
export type AllowanceChargeSide = 'allowance' | 'charge';

/** The lists of the EN 16931 validator (BR-CL-19, BR-CL-20): a code a draft takes, its e-invoice takes. */
const REASON_CODES = {
  allowance: { codes: UNTDID_5189, name: 'a UNTDID 5189 allowance reason code (BR-CL-19)' },
  charge: { codes: UNTDID_7161, name: 'a UNTDID 7161 charge reason code (BR-CL-20)' },
} as const;

/** Whether `code` is a reason code of `side`'s list; of either list when the side is not known. */
export function isReasonCode(code: string, side?: AllowanceChargeSide): boolean {
  return side === undefined ? isListed(UNTDID_5189, code) || isListed(UNTDID_7161, code) : isListed(REASON_CODES[side].codes, code);
}

/**
 * Parses an allowance or charge; `defaultBase` is the base a percent applies to when no `baseAmount` is given (a line's
 * gross): a `baseAmount` equal to it is taken even when negative (a return line's). `side` says which list its reason
 * code comes from; without it, a code of neither list is refused.
 * @throws ValidationError `request.is_object` | `allowance_charge.amount_or_percent` | `allowance_charge.base_required` | `allowance_charge.reason_required` | `allowance_charge.unknown_reason_code` | `allowance_charge.negative` | `allowance_charge.amount_mismatch`
 */
export function allowanceCharge(input: AllowanceChargeInput, currency: CurrencyCode, defaultBase?: Money, side?: AllowanceChargeSide): AllowanceCharge {
  requiredObject(input);
  return collectIssues((attempt) => {
    const reason = attempt('reason', () => optionalText(input.reason, '', 500));
    const reasonCode = attempt('reasonCode', () => optionalText(input.reasonCode, '', 10));
    if (reason === undefined && reasonCode === undefined) {
      attempt('reason', () => {
        // BR-33 / BR-38 / BR-42 / BR-44
        throw ValidationError.of('', 'allowance_charge.reason_required', 'give a reason or a reason code');
      });
    }
    if (reasonCode !== undefined && !isReasonCode(reasonCode, side)) {
      attempt('reasonCode', () => {
        // Issued, the document's e-invoice would be refused for ever (BR-CL-19 / BR-CL-20).
        const list = side === undefined ? 'a UNTDID 5189 or 7161 reason code' : REASON_CODES[side].name;
        throw ValidationError.of('', 'allowance_charge.unknown_reason_code', `${JSON.stringify(reasonCode)} is not ${list}`);
      });
    }
    // A negative base or percent would make an allowance a charge (and a charge an allowance) behind its indicator. A
    // return line's own negative gross is the base its percent is taken of anyway, and what the export writes (BT-137).
    const baseAmount =
      input.baseAmount === undefined
        ? undefined
        : attempt('baseAmount', () => {
            const base = Money.of(input.baseAmount as string, currency);
            return defaultBase !== undefined && base.equals(defaultBase) ? base : notNegative(base);
          });
    const percent =
      input.percent === undefined
        ? undefined
        : attempt('percent', () => {
            const parsed = decimal(input.percent as DecimalInput);
            if (parsed.lessThan(0)) throw ValidationError.of('', 'allowance_charge.negative', 'must not be negative');
            return parsed;
          });
    const amount = attempt('amount', () => {
      if (input.amount !== undefined) {
        const stated = Money.of(input.amount, currency);
        const base = baseAmount ?? defaultBase;
        if (percent === undefined || base === undefined) return notNegative(stated);
        // An amount stated with its percent and base is that percent of it, rounded either way to the currency, sign
        // included: on a return line the base is the negative gross, so 10 % of −20.00 is −2.00 (what was computed).
        const share = percent.dividedBy(100);
        const [towardZero, awayFromZero] = [base.multiply(share, 'down'), base.multiply(share, 'up')];
        if (stated.lessThan(towardZero.min(awayFromZero)) || stated.greaterThan(towardZero.max(awayFromZero))) {
          throw ValidationError.of('', 'allowance_charge.amount_mismatch', `${stated.toString()} is not ${formatDecimal(percent)} % of ${base.toString()}`);
        }
        return stated;
      }
      if (input.percent === undefined) throw ValidationError.of('', 'allowance_charge.amount_or_percent', 'give an amount or a percent');
      const base = baseAmount ?? defaultBase;
      // A base given and refused is reported under its own path.
      if (base === undefined && input.baseAmount !== undefined) return undefined;
      if (base === undefined) throw ValidationError.of('', 'allowance_charge.base_required', 'a percent needs a base amount');
      return percent === undefined ? undefined : base.multiply(percent.dividedBy(100));
    });
    return {
      amount: amount ?? Money.zero(currency),
      ...definedFields({ percent, baseAmount, reason, reasonCode }),
    };
  });
}

function notNegative(value: Money): Money {
  if (value.isNegative()) throw ValidationError.of('', 'allowance_charge.negative', 'must not be negative');
  return value;
}

/** Parses a document-level allowance or charge, which carries its own VAT category (its exemption code a VATEX code). */
export function documentAllowanceCharge(input: DocumentAllowanceChargeInput, currency: CurrencyCode, side?: AllowanceChargeSide): DocumentAllowanceCharge {
  requiredObject(input);
  return collectIssues((attempt) => {
    const parsed = attempt('', () => allowanceCharge(input, currency, undefined, side));
    const vat = attempt('vat', () => invoicedVatCategory(input.vat ?? ({} as VatCategoryInput)));
    return { ...(parsed as AllowanceCharge), vat: vat as VatCategory };
  });
}

/**
 * Parses one line and computes its net amount (BT-131) the way EN 16931 defines it:
 * quantity × net price ÷ price base quantity, plus line charges, minus line allowances, rounded half-up.
 * A percent allowance or charge without a base applies to the line's gross amount (quantity × price), sign included:
 * on a return line its amount is negative, so the net amount is the mirror image of the sale's.
 * Quantities and prices are bounded (`QUANTITY_MAX`, `UNIT_PRICE_MAX` and their decimals); an amount they come to
 * beyond the range of `Money` is refused too (`money.out_of_range`), so a line never holds an amount that would wrap.
 * @throws ValidationError with one issue per bad field: `request.is_object` | `request.is_array` | `line.quantity_out_of_range` | `line.price_out_of_range` | `line.negative_price` | `line.invalid_base_quantity` | `money.out_of_range` | …
 */
export function invoiceLine(input: InvoiceLineInput, currency: CurrencyCode, position: number): InvoiceLine {
  requiredObject(input);
  return collectIssues((attempt) => {
    const name = attempt('name', () => requiredText(input.name, ''));
    const description = attempt('description', () => optionalText(input.description, '', 2000));
    const sellerItemId = attempt('sellerItemId', () => optionalText(input.sellerItemId, '', 100));
    const period = input.period === undefined ? undefined : attempt('period', () => invoicePeriod(input.period as InvoicePeriodInput));
    const id = attempt('id', () => optionalText(input.id, '', 50)) ?? String(position + 1);
    const quantity = attempt('quantity', () => {
      const given = decimal(input.quantity);
      if (!within(given, QUANTITY_MAX, QUANTITY_MAX_DECIMALS)) {
        throw ValidationError.of('', 'line.quantity_out_of_range', `a quantity is at most ${QUANTITY_MAX} either way, with at most ${QUANTITY_MAX_DECIMALS} decimals`);
      }
      return given;
    });
    const unit = attempt('unitCode', () => unitCode(input.unitCode, ''));
    const netPrice = attempt('netPrice', () => {
      const price = decimal(input.netPrice);
      // Compared with 0: decimal.js gives zero a sign, so isNegative() is true for -0 and isPositive() for 0.
      if (price.lessThan(0)) throw ValidationError.of('', 'line.negative_price', 'the net price must not be negative (BR-27)');
      if (!within(price, UNIT_PRICE_MAX, UNIT_PRICE_MAX_DECIMALS)) {
        throw ValidationError.of('', 'line.price_out_of_range', `a net price is at most ${UNIT_PRICE_MAX}, with at most ${UNIT_PRICE_MAX_DECIMALS} decimals`);
      }
      return price;
    });
    const priceBaseQuantity = attempt('priceBaseQuantity', () => {
      const base = decimal(input.priceBaseQuantity ?? 1);
      if (!base.greaterThan(0) || !within(base, QUANTITY_MAX, QUANTITY_MAX_DECIMALS)) {
        throw ValidationError.of('', 'line.invalid_base_quantity', `the price base quantity is above 0 and at most ${QUANTITY_MAX}, with at most ${QUANTITY_MAX_DECIMALS} decimals`);
      }
      return base;
    });
    const vat = attempt('vat', () => invoicedVatCategory(input.vat ?? ({} as VatCategoryInput)));
    // Amounts the line comes to are reported under the line itself: no one field is at fault when they leave the range.
    const gross =
      attempt('', () =>
        quantity && netPrice && priceBaseQuantity
          ? Money.fromDecimal(new WideDecimal(quantity).times(netPrice).dividedBy(priceBaseQuantity), currency)
          : undefined,
      ) ?? Money.zero(currency);
    const allowances = (attempt('allowances', () => requiredList(input.allowances ?? [])) ?? []).map((item, index) => attempt(`allowances.${index}`, () => allowanceCharge(item, currency, gross, 'allowance')));
    const charges = (attempt('charges', () => requiredList(input.charges ?? [])) ?? []).map((item, index) => attempt(`charges.${index}`, () => allowanceCharge(item, currency, gross, 'charge')));
    const parsedAllowances = allowances.filter((item): item is AllowanceCharge => item !== undefined);
    const parsedCharges = charges.filter((item): item is AllowanceCharge => item !== undefined);
    const netAmount = attempt('', () =>
      gross.add(Money.sum(currency, parsedCharges.map((item) => item.amount))).subtract(Money.sum(currency, parsedAllowances.map((item) => item.amount))),
    );
    return {
      id,
      ...definedFields({ marketableId: input.marketableId }),
      name: name as string,
      ...definedFields({ description, sellerItemId, period }),
      quantity: quantity as Decimal,
      unitCode: unit as string,
      netPrice: netPrice as Decimal,
      priceBaseQuantity: priceBaseQuantity as Decimal,
      allowances: parsedAllowances,
      charges: parsedCharges,
      vat: vat as VatCategory,
      netAmount: netAmount as Money,
    };
  });
}

/**
 * The input that parses back to this allowance or charge: its amount with the percent and base it came from, so that
 * the percent is kept (BT-138) and a return line's negative percent amount is taken back as that percent. A reason code
 * outside `side`'s list (stored before codes were checked) is left out, its text kept as the reason when there is none:
 * a credit note copying the document is not refused for it.
 */
function allowanceChargeToInput(item: AllowanceCharge, side: AllowanceChargeSide): AllowanceChargeInput {
  const listed = item.reasonCode === undefined || isReasonCode(item.reasonCode, side);
  return {
    amount: item.amount.toString(),
    ...definedFields({
      percent: item.percent === undefined ? undefined : formatDecimal(item.percent),
      baseAmount: item.baseAmount?.toString(),
      reason: listed ? item.reason : (item.reason ?? item.reasonCode),
      reasonCode: listed ? item.reasonCode : undefined,
    }),
  };
}

/** The input that parses back to this VAT category; an exemption code outside VATEX is left out as above. */
function invoicedVatToInput(category: VatCategory): VatCategoryInput {
  const { exemptionReasonCode: code, ...input } = vatCategoryToInput(category);
  if (code === undefined || isVatexCode(code)) return vatCategoryToInput(category);
  return { ...input, exemptionReason: category.exemptionReason ?? code };
}

/** The input that parses back to this document-level allowance or charge. */
export function documentAllowanceChargeToInput(item: DocumentAllowanceCharge, side: AllowanceChargeSide): DocumentAllowanceChargeInput {
  return { ...allowanceChargeToInput(item, side), vat: invoicedVatToInput(item.vat) };
}

/** The input that rebuilds this line exactly (a credit note copies the invoice's lines). */
export function invoiceLineToInput(line: InvoiceLine): InvoiceLineInput {
  return {
    id: line.id,
    ...definedFields({ marketableId: line.marketableId }),
    name: line.name,
    ...definedFields({ description: line.description, sellerItemId: line.sellerItemId, period: line.period && periodInput(line.period) }),
    quantity: formatDecimal(line.quantity),
    unitCode: line.unitCode,
    netPrice: formatDecimal(line.netPrice),
    priceBaseQuantity: formatDecimal(line.priceBaseQuantity),
    allowances: line.allowances.map((item) => allowanceChargeToInput(item, 'allowance')),
    charges: line.charges.map((item) => allowanceChargeToInput(item, 'charge')),
    vat: invoicedVatToInput(line.vat),
  };
}
