import { parseCalendarDate, parseYearMonth } from '@invoicing/core';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { FORMATS, Format, ID_PATTERN } from '../docs/request-strictness';
import { DecimalDigits, PageQueryDto } from '../http/paging.dto';

/** True when `parse` accepts the value: the domain's own parser decides, so the API never disagrees with it. */
function parses(value: unknown, parse: (text: string) => unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
}

/** A day of the calendar as `YYYY-MM-DD` that exists (no 2026-02-30). */
function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isCalendarDate', validator: { validate: (value) => parses(value, parseCalendarDate), defaultMessage: () => '$property must be a date such as 2026-04-15' } },
    options,
  );
}

/** A month as `YYYY-MM`. */
function IsYearMonth(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isYearMonth', validator: { validate: (value) => parses(value, parseYearMonth), defaultMessage: () => '$property must be a month such as 2026-04' } }, options);
}

export const PAST_DUE_SORTS = ['due_date.asc', 'due_date.desc'] as const;

export class PastDueQueryDto extends PageQueryDto {
  /**
   * The day to judge lateness on; today (in the platform's time zone) when absent.
   * @example "2026-04-15"
   */
  @IsOptional()
  @IsCalendarDate()
  as_of?: string;

  /** Only invoices to this buyer. */
  @Format(FORMATS.id)
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  partner_id?: string;

  /** By due date, oldest first (`due_date.asc`, the default) or newest first; ties in creation order. */
  @IsOptional()
  @IsIn(PAST_DUE_SORTS)
  sort?: (typeof PAST_DUE_SORTS)[number];

}

export class MonthlySummaryQueryDto {
  /**
   * The calendar month, by issue date.
   * @example "2026-03"
   */
  @IsYearMonth()
  month!: string;

  /** Only documents where this partner is the seller or the buyer. */
  @Format(FORMATS.id)
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  partner_id?: string;
}

export class AgingQueryDto {
  /**
   * The day to age receivables on; today (in the platform's time zone) when absent.
   * @example "2026-06-01"
   */
  @IsOptional()
  @IsCalendarDate()
  as_of?: string;

  /** Only this buyer. */
  @Format(FORMATS.id)
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  partner_id?: string;
}

export class PartnerTotalsQueryDto {
  /**
   * How many calendar months, the as-of date's included: 1–36.
   * @example 3
   */
  @DecimalDigits()
  @IsInt()
  @Min(1)
  @Max(36)
  months!: number;

  /**
   * The last day counted; today (in the platform's time zone) when absent.
   * @example "2026-03-10"
   */
  @IsOptional()
  @IsCalendarDate()
  as_of?: string;
}
