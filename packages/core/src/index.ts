/**
 * The shared kernel of the invoicing platform: exact money, decimals, calendar dates, ids, errors, events and paging.
 * Framework-free; safe to use in any Node service or browser.
 * @packageDocumentation
 */
export { DomainError, ValidationError, NotFoundError, ConflictError, InvalidStateError, atPath, collectIssues } from './errors/domain-error';
export type { ErrorDetails, ValidationIssue } from './errors/domain-error';
export { ISO_4217_CODES, NON_MONEY_CODES } from './money/iso-4217';
export { currencyOf, isCurrencyCode, parseCurrencyCode } from './money/currency';
export type { Currency, CurrencyCode } from './money/currency';
export { Decimal, decimal, formatDecimal } from './money/decimal';
export type { DecimalInput } from './money/decimal';
export { DEFAULT_ROUNDING } from './money/rounding';
export type { RoundingMode } from './money/rounding';
export { Money, CurrencyMismatchError } from './money/money';
export { RunningTotal } from './money/running-total';
export {
  DECIMAL_MAX_DIGITS,
  DECIMAL_MAX_LENGTH,
  MONEY_MAX_MINOR,
  RUNNING_TOTAL_MAX_MINOR,
  QUANTITY_MAX,
  QUANTITY_MAX_DECIMALS,
  UNIT_PRICE_MAX,
  UNIT_PRICE_MAX_DECIMALS,
} from './money/limits';
export {
  addDays,
  addMonths,
  addYearMonths,
  calendarDateAt,
  daysBetween,
  endOfMonth,
  parseCalendarDate,
  parseTimeZone,
  parseYearMonth,
  startOfDay,
  today,
  yearMonthOf,
} from './time/calendar-date';
export type { CalendarDate, YearMonth } from './time/calendar-date';
export { CLOCK, SystemClock } from './time/clock.port';
export type { Clock } from './time/clock.port';
export { ID_GENERATOR, UuidV7IdGenerator, parseId, tenantId } from './ids/id';
export type { Id, IdGenerator, TenantId } from './ids/id';
export { EVENT_PUBLISHER } from './events/domain-event';
export type { DomainEvent, EventActor, EventPublisher } from './events/domain-event';
export { AggregateRoot } from './events/aggregate-root';
export { requireExpectedVersion, type ExpectedVersion } from './events/expected-version';
export { definedFields } from './objects/defined-fields';
export { requiredList, requiredObject } from './objects/required-shape';
export type { DefinedFields } from './objects/defined-fields';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, decodeCursor, encodeCursor, pageLimit, pageOf, pageRequest } from './pagination/page';
export type { Cursor, Page, PageRequest } from './pagination/page';
export { coreModule } from './core.module';
export type { CorePorts } from './core.module';
export { frozenState, handedOut, isPlainData } from './objects/frozen-state';
