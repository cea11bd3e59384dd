import { formatDecimal, type Decimal, type Money, type Page, type RunningTotal } from '@invoicing/core';

/** An amount of money: a decimal string in the currency's minor unit precision, never a JSON number. */
export class MoneyDto {
  /** @example "1234.50" */
  amount!: string;
  /** ISO 4217 code. @example "EUR" */
  currency!: string;
}

/** One page of a list; follow `nextCursor` (null on the last page) for the next. */
export abstract class PageDto {
  /** Pass as `cursor` to get the next page; null when this is the last. */
  nextCursor!: string | null;
}

/** Money as the API answers it: the amount with exactly the currency's decimals (`"1234.50"`, `"-3"` in JPY). */
export function toMoneyResponse(money: Money): MoneyDto {
  return { amount: money.toString(), currency: money.currency };
}

/**
 * A sum of amounts (a report's, a balance's), written as money is (`"1234.50"`, `"-3"` in JPY): exact, and possibly past
 * the largest amount, since a sum of amounts is not one (ADR 0011).
 */
export function toTotalResponse(total: RunningTotal): MoneyDto {
  return { amount: total.toString(), currency: total.currency };
}

/**
 * A quantity, price, rate or percent as the API answers it: plain decimal text without trailing zeros (`"0.0125"`,
 * `"20"`). Not decimal.js's `toJSON`, which writes a computed negative zero `"-0"`.
 */
export function toDecimalResponse(value: Decimal): string {
  return formatDecimal(value);
}

/** One page of a list as the API answers it, each item through its resource's mapper. */
export function toPageResponse<Item, Dto>(page: Page<Item>, toItem: (item: Item) => Dto): { items: Dto[]; nextCursor: string | null } {
  return { items: page.items.map((item) => toItem(item)), nextCursor: page.nextCursor };
}
