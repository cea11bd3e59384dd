import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, ValidateIf, ValidateNested } from 'class-validator';
import { AGGREGATIONS, BILLING_INTERVALS, FEE_TIMINGS, INVOICE_MODES, MAX_CHARGES, MAX_DISCOUNTS, MAX_TIERS, MAX_USAGE_BATCH, PERIOD_ALIGNMENTS } from '@invoicing/billing';
import type { Aggregation, BillingInterval, FeeTiming, InvoiceMode, PeriodAlignment } from '@invoicing/billing';
import { FORMATS, Format, SchemaRule } from '../docs/request-strictness';
import { FreeFormMaps, Optional } from '../http/validation';
import { VatCategoryDto } from '../invoices/invoice.dto';

/**
 * The values billing checks, as JSON Schema: what the domain refuses with its own codes (`plan.*`, `price_model.*`,
 * `metric.*`, `one_off.*`), stated here for the reference (docs/billing.md, docs/billing-pricing.md).
 */
export const BILLING_FORMATS = {
  /** A charge, discount or metric code: 1 to 63 lower-case letters, digits or `_`, starting with a letter. */
  code: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' },
  /** A name on an invoice line: 1 to 200 characters, no control character at all (`plan.invalid_text`). */
  lineName: { type: 'string', maxLength: 200, pattern: '^[^\\x00-\\x1F\\x7F]*[^\\x00-\\x20\\x7F][^\\x00-\\x1F\\x7F]*$' },
  /** A discount's reason: as a name, up to 500 characters. */
  reason: { type: 'string', maxLength: 500, pattern: '^[^\\x00-\\x1F\\x7F]*[^\\x00-\\x20\\x7F][^\\x00-\\x1F\\x7F]*$' },
  /** A quantity a line carries: 0 to 1 000 000 000, at most 6 decimals (`plan.out_of_range`). */
  quantity: { type: 'string', pattern: '^(?:(?:0|[1-9][0-9]{0,8})(?:\\.[0-9]{1,6})?|1000000000(?:\\.0{1,6})?)$' },
  /** A one-off quantity: the same, either way (a negative one is a credit). */
  signedQuantity: { type: 'string', pattern: '^-?(?:(?:0|[1-9][0-9]{0,8})(?:\\.[0-9]{1,6})?|1000000000(?:\\.0{1,6})?)$' },
  /** A unit price, fee or per-event limit: 0 to 1 000 000 000 000, at most 10 decimals (`plan.out_of_range`, `price_model.out_of_range`). */
  unitPrice: { type: 'string', pattern: '^(?:(?:0|[1-9][0-9]{0,11})(?:\\.[0-9]{1,10})?|1000000000000(?:\\.0{1,10})?)$' },
  /** A percentage rate: 0 to 100 with at most 8 decimals (`price_model.rate_above_100`, `price_model.out_of_range`). */
  rate: { type: 'string', pattern: '^(?:100(?:\\.0{1,8})?|[1-9]?[0-9](?:\\.[0-9]{1,8})?)$' },
  /** A discount percent: above 0, at most 100, at most 4 decimals (`plan.invalid_discount_percent`). */
  discountPercent: { type: 'string', pattern: '^(?:100(?:\\.0{1,4})?|[1-9][0-9]?(?:\\.[0-9]{1,4})?|0\\.(?:[1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9]))$' },
} as const;

/** What a usage charge measures: a metric's events over each period, made one figure. */
@SchemaRule({ if: { properties: { aggregation: { enum: ['sum', 'max', 'unique_count', 'latest'] } }, required: ['aggregation'] }, then: { required: ['property'] } })
export class MetricDto {
  /**
   * The code usage events name (`metricCode`).
   * @example "api_calls"
   */
  @Format(BILLING_FORMATS.code)
  @IsString()
  code!: string;

  /**
   * `count` events; `sum`, `max` or `latest` of a decimal property; `unique_count` of a property's values.
   * @example "count"
   */
  @IsIn(AGGREGATIONS)
  aggregation!: Aggregation;

  /**
   * The event property aggregated: required for every aggregation but `count`.
   * @example "bytes"
   */
  @Format({ type: 'string', minLength: 1, maxLength: 64 })
  @Optional()
  @IsString()
  property?: string;

  /**
   * Only events whose property holds one of the values listed count, e.g. `{ "region": ["eu", "us"] }`; all, without.
   */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, example: { region: ['eu'] } })
  @Optional()
  @IsObject()
  filters?: Record<string, string[]>;
}

/** A tier of a graduated or volume price: units up to `upTo` (none on the last tier) at `unitPrice`, plus `flatFee` once. */
export class PriceTierDto {
  /**
   * The tier's last unit, above the tier before's; left out on the last tier only.
   * @example "100"
   */
  @Format(FORMATS.positiveDecimal)
  @Optional()
  @IsString()
  upTo?: string;

  /**
   * The price of each unit in the tier.
   * @example "0.10"
   */
  @Format(BILLING_FORMATS.unitPrice)
  @IsString()
  unitPrice!: string;

  /**
   * Charged once when any unit falls in the tier; 0 when left out.
   * @example "0"
   */
  @Format(BILLING_FORMATS.unitPrice)
  @Optional()
  @IsString()
  flatFee?: string;
}

/**
 * How a usage charge prices what it measured (docs: pricing usage): `per_unit` (`unitPrice`), `graduated` or `volume`
 * (`tiers`), `package` (`size`, `price`, `freeUnits`), `percentage` (`rate`, and per event `fixedFeePerEvent`,
 * `minPerEvent`, `maxPerEvent`, on a `sum` metric only).
 */
@SchemaRule({
  allOf: [
    { if: { properties: { kind: { const: 'per_unit' } }, required: ['kind'] }, then: { required: ['unitPrice'] } },
    { if: { properties: { kind: { enum: ['graduated', 'volume'] } }, required: ['kind'] }, then: { required: ['tiers'] } },
    { if: { properties: { kind: { const: 'package' } }, required: ['kind'] }, then: { required: ['size', 'price'] } },
    { if: { properties: { kind: { const: 'percentage' } }, required: ['kind'] }, then: { required: ['rate'] } },
  ],
})
export class PriceModelDto {
  /** @example "graduated" */
  @IsIn(['per_unit', 'graduated', 'volume', 'package', 'percentage'])
  kind!: 'per_unit' | 'graduated' | 'volume' | 'package' | 'percentage';

  /**
   * For `per_unit`: the price of each unit.
   * @example "0.05"
   */
  @Format(BILLING_FORMATS.unitPrice)
  @Optional()
  @IsString()
  unitPrice?: string;

  /** For `graduated` and `volume`: 1 to 50 tiers, rising, the last one without `upTo`. */
  @Format({ type: 'array', minItems: 1, maxItems: MAX_TIERS })
  @Optional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PriceTierDto)
  tiers?: PriceTierDto[];

  /**
   * For `package`: units per package, above 0.
   * @example "1000"
   */
  @Format(FORMATS.positiveDecimal)
  @Optional()
  @IsString()
  size?: string;

  /**
   * For `package`: the price of each package begun.
   * @example "25.00"
   */
  @Format(BILLING_FORMATS.unitPrice)
  @Optional()
  @IsString()
  price?: string;

  /**
   * For `package`: units free each period before packages count.
   * @example "0"
   */
  @Format(FORMATS.nonNegativeDecimal)
  @Optional()
  @IsString()
  freeUnits?: string;

  /**
   * For `percentage`: the percent of each event's amount (a `sum` metric).
   * @example "1.5"
   */
  @Format(BILLING_FORMATS.rate)
  @Optional()
  @IsString()
  rate?: string;

  /**
   * For `percentage`: a fee added per event.
   * @example "0.25"
   */
  @Format(BILLING_FORMATS.unitPrice)
  @Optional()
  @IsString()
  fixedFeePerEvent?: string;

  /**
   * For `percentage`: the least each event's fee comes to; not above `maxPerEvent`.
   * @example "0.50"
   */
  @Format(BILLING_FORMATS.unitPrice)
  @Optional()
  @IsString()
  minPerEvent?: string;

  /**
   * For `percentage`: the most each event's fee comes to.
   * @example "5.00"
   */
  @Format(BILLING_FORMATS.unitPrice)
  @Optional()
  @IsString()
  maxPerEvent?: string;
}

/**
 * A charge of a plan: a `recurring` fee (`quantity` × `unitPrice` per period, in `advance` or in `arrears`), or a
 * `usage` charge (a `metric` priced by a `price` model, always in arrears).
 */
@SchemaRule({
  allOf: [
    { if: { properties: { kind: { const: 'recurring' } }, required: ['kind'] }, then: { required: ['unitPrice'] } },
    { if: { properties: { kind: { const: 'usage' } }, required: ['kind'] }, then: { required: ['metric', 'price'] } },
  ],
})
export class ChargeDto {
  /** @example "recurring" */
  @IsIn(['recurring', 'usage'])
  kind!: 'recurring' | 'usage';

  /**
   * Unique in the plan: lines, explanations and corrections refer to the charge by it.
   * @example "platform"
   */
  @Format(BILLING_FORMATS.code)
  @IsString()
  code!: string;

  /**
   * The name of its invoice lines.
   * @example "Platform fee"
   */
  @Format(BILLING_FORMATS.lineName)
  @IsString()
  name!: string;

  /**
   * The marketable it sells, of the tenant and active (`line.marketable_not_found`, `line.marketable_inactive`).
   * @example "0193a2b4-7e8f-7091-9a0b-1c2d3e4f5a6d"
   */
  @Format(FORMATS.id)
  @Optional()
  @IsString()
  marketableId?: string;

  /**
   * UN/ECE Recommendation 20 code of its lines' quantity; `C62` (one) when left out.
   * @example "C62"
   */
  @Format(FORMATS.unitCode)
  @Optional()
  @IsString()
  unitCode?: string;

  @IsObject()
  @ValidateNested()
  @Type(() => VatCategoryDto)
  vat!: VatCategoryDto;

  /**
   * For `recurring`: how many (seats, licences …); 1 when left out.
   * @example "10"
   */
  @Format(BILLING_FORMATS.quantity)
  @Optional()
  @IsString()
  quantity?: string;

  /**
   * For `recurring`: the price of one for a whole period.
   * @example "30.00"
   */
  @Format(BILLING_FORMATS.unitPrice)
  @Optional()
  @IsString()
  unitPrice?: string;

  /**
   * For `recurring`: billed on the first day of the period it pays for (`advance`, the default) or once it is over.
   * @example "advance"
   */
  @Optional()
  @IsIn(FEE_TIMINGS)
  timing?: FeeTiming;

  /** For `usage`: what it measures. */
  @ValidateIf((charge: ChargeDto) => charge.kind === 'usage' || charge.metric !== undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => MetricDto)
  metric?: MetricDto;

  /** For `usage`: how it prices what it measured. */
  @ValidateIf((charge: ChargeDto) => charge.kind === 'usage' || charge.price !== undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => PriceModelDto)
  price?: PriceModelDto;
}

/** The least a partnership pays per period for its usage charges: a true-up line adds what they fall short. */
export class MinimumCommitmentDto {
  /**
   * Per period, in the partnership's currency (prorated for part of a period).
   * @example "20.00"
   */
  @Format(FORMATS.nonNegativeDecimal)
  @IsString()
  amount!: string;

  /**
   * The name of the true-up line; `Minimum commitment` when left out.
   * @example "Minimum commitment"
   */
  @Format(BILLING_FORMATS.lineName)
  @Optional()
  @IsString()
  name?: string;

  @IsObject()
  @ValidateNested()
  @Type(() => VatCategoryDto)
  vat!: VatCategoryDto;
}

/**
 * A discount of the plan version: `percentage` (`percent` off) or `fixed` (`amount` off once per period), for
 * `periods` periods from the version's first day, or as long as the version lasts.
 */
@SchemaRule({
  allOf: [
    { if: { properties: { kind: { const: 'percentage' } }, required: ['kind'] }, then: { required: ['percent'] } },
    { if: { properties: { kind: { const: 'fixed' } }, required: ['kind'] }, then: { required: ['amount'] } },
  ],
})
export class DiscountDto {
  /** @example "launch" */
  @Format(BILLING_FORMATS.code)
  @IsString()
  code!: string;

  /** @example "percentage" */
  @IsIn(['percentage', 'fixed'])
  kind!: 'percentage' | 'fixed';

  /**
   * For `percentage`: above 0, at most 100.
   * @example "10"
   */
  @Format(BILLING_FORMATS.discountPercent)
  @Optional()
  @IsString()
  percent?: string;

  /**
   * For `fixed`: above 0, in the partnership's currency.
   * @example "15.00"
   */
  @Format(FORMATS.positiveDecimal)
  @Optional()
  @IsString()
  amount?: string;

  /**
   * How many periods it lasts (1 to 1,200); as long as the version when left out.
   * @example 3
   */
  @Format({ type: 'integer', minimum: 1, maximum: 1200 })
  @Optional()
  @IsInt()
  periods?: number;

  /**
   * Shown on the invoice's allowance; `Discount` when left out.
   * @example "Launch offer"
   */
  @Format(BILLING_FORMATS.reason)
  @Optional()
  @IsString()
  reason?: string;
}

/** The terms of a plan version: its billing cycle, charges, minimum, discounts, and what runs do with invoices. */
export class PlanTermsDto {
  /**
   * The length of a period.
   * @example "monthly"
   */
  @IsIn(BILLING_INTERVALS)
  interval!: BillingInterval;

  /**
   * Periods on the `calendar` (the default) or on the plan's `anniversary`.
   * @example "calendar"
   */
  @Optional()
  @IsIn(PERIOD_ALIGNMENTS)
  alignment?: PeriodAlignment;

  /**
   * For anniversary periods, a day they start on; the version's first day (or the anniversary of the version before,
   * with the same interval) when left out.
   * @example "2026-03-15"
   */
  @Format(FORMATS.date)
  @Optional()
  @IsString()
  anchor?: string;

  /** At most 50, each with its own code (an empty list charges nothing). */
  @Format({ type: 'array', maxItems: MAX_CHARGES })
  @IsArray()
  @ArrayMaxSize(MAX_CHARGES)
  @ValidateNested({ each: true })
  @Type(() => ChargeDto)
  charges!: ChargeDto[];

  @Optional()
  @ValidateNested()
  @Type(() => MinimumCommitmentDto)
  minimum?: MinimumCommitmentDto;

  /** At most 10, each with its own code. */
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_DISCOUNTS)
  @ValidateNested({ each: true })
  @Type(() => DiscountDto)
  discounts?: DiscountDto[];

  /**
   * Whether runs leave the invoices they make as drafts (the default) or issue them.
   * @example "draft"
   */
  @Optional()
  @IsIn(INVOICE_MODES)
  invoiceMode?: InvoiceMode;
}

/** New terms for a partnership's billing from a day, or `terms: null` to stop billing from that day. */
export class SetBillingPlanDto {
  /**
   * The first day of the new terms (`YYYY-MM-DD`), past or future: versions from that day on are replaced, and days
   * already invoiced are corrected by the next run.
   * @example "2026-09-01"
   */
  @Format(FORMATS.date)
  @IsString()
  effectiveFrom!: string;

  /** The terms from that day; null ends billing on that day. */
  @ValidateIf((body: SetBillingPlanDto) => body.terms !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => PlanTermsDto)
  terms!: PlanTermsDto | null;
}

/**
 * One usage event. Only its members' JSON types are checked with the batch (a wrong type refuses the whole batch as
 * malformed); what their values must be is checked event by event, and an event that breaks it is answered
 * `rejected` with the reason while the others are stored (docs: usage events).
 */
export class UsageEventDto {
  /**
   * Your id of the event: 1 to 200 visible ASCII characters. Sending it again never counts it twice.
   * @example "evt_01J9ZK7M2Q"
   */
  // Values are checked per event (the answer's `results`), never for the batch: no format is stated here.
  @Format({ type: 'string' })
  @IsString()
  eventId!: string;

  /**
   * The metric it counts for: a code of the partnership's plan, e.g. `api_calls`.
   * @example "api_calls"
   */
  @Format({ type: 'string' })
  @IsString()
  metricCode!: string;

  /**
   * When it happened: ISO 8601 with a time zone, at most 5 minutes ahead of its receipt.
   * @example "2026-10-14T09:30:00Z"
   */
  @Format({ type: 'string' })
  @IsString()
  timestamp!: string;

  /**
   * The partnership whose usage it is.
   * @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"
   */
  @Format({ type: 'string' })
  @Optional()
  @IsString()
  partnershipId?: string;

  /**
   * Instead of `partnershipId`: the buyer's external id (the partner's id in your systems). The event counts for the one
   * partnership that buyer buys under whose billing plan is in force around the event's day (`usage.subject_unresolved`,
   * `usage.subject_ambiguous`).
   * @example "CRM-42"
   */
  @Format({ type: 'string' })
  @Optional()
  @IsString()
  buyerExternalId?: string;

  /**
   * At most 50: names of letters, digits, `_`, `.` or `-` (`constructor` as any other; not `__proto__`); values text
   * (decimals as strings, e.g. `"12.50"`), whole numbers or booleans. Checked event by event.
   */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { region: 'eu', bytes: '2048' } })
  @Optional()
  @IsObject()
  properties?: Record<string, string | number | boolean>;
}

/** A batch of usage events. Each event's `properties` are names the integrator chooses, `constructor` as much as `region`. */
@FreeFormMaps('events.*.properties')
export class RecordUsageDto {
  /** 1 to 1,000 events (`usage.batch_empty`, `usage.batch_too_large`). */
  @Format({ type: 'array', minItems: 1, maxItems: MAX_USAGE_BATCH })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => UsageEventDto)
  events!: UsageEventDto[];
}

/** A charge billed once, on the partnership's first bill on or after its date; a negative quantity is a credit. */
export class AddOneOffChargeDto {
  /**
   * The day it is due (`YYYY-MM-DD`): the partnership's first bill on or after it charges it.
   * @example "2026-10-15"
   */
  @Format(FORMATS.date)
  @IsString()
  date!: string;

  /**
   * The name of its invoice line.
   * @example "Onboarding workshop"
   */
  @Format(BILLING_FORMATS.lineName)
  @IsString()
  name!: string;

  /**
   * The marketable it sells.
   * @example "0193a2b4-7e8f-7091-9a0b-1c2d3e4f5a6d"
   */
  @Format(FORMATS.id)
  @Optional()
  @IsString()
  marketableId?: string;

  /**
   * UN/ECE Recommendation 20 code; `C62` when left out.
   * @example "HUR"
   */
  @Format(FORMATS.unitCode)
  @Optional()
  @IsString()
  unitCode?: string;

  /**
   * 1 when left out; negative for an ad-hoc credit (permission `invoices:write`: not an integrator).
   * @example "6"
   */
  @Format(BILLING_FORMATS.signedQuantity)
  @Optional()
  @IsString()
  quantity?: string;

  /**
   * Not negative.
   * @example "110.00"
   */
  @Format(BILLING_FORMATS.unitPrice)
  @IsString()
  unitPrice!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => VatCategoryDto)
  vat!: VatCategoryDto;
}

/** A billing run: up to which day, for real or dry, and for which partnerships. */
export class StartBillingRunDto {
  /**
   * Bills every date due up to this day (`YYYY-MM-DD`); today when left out. A real run cannot look ahead
   * (`billing_run.as_of_in_future`); a dry run may, a year at most (`billing_run.as_of_too_far`).
   * @example "2026-11-01"
   */
  @Format(FORMATS.date)
  @Optional()
  @IsString()
  asOf?: string;

  /**
   * Works everything out and writes nothing but the run's own record, with a preview of each bill.
   * @example false
   */
  @Optional()
  @IsBoolean()
  dryRun?: boolean;

  /**
   * Only these partnerships (1 to 1,000); every partnership with a billing plan when left out.
   * @example ["0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"]
   */
  @Format({ type: 'array', minItems: 1, maxItems: 1000 })
  @Format(FORMATS.id, { each: true })
  @Optional()
  @IsArray()
  @IsString({ each: true })
  partnershipIds?: string[];
}

/** The day an upcoming invoice looks up to. */
export class UpcomingInvoiceQueryDto {
  /**
   * The last day to look at (`YYYY-MM-DD`, up to 9999-12-31); a year from today when left out. The preview is the bill
   * a run today (or as of this day, when earlier) would record first, else the partnership's next bill due by this day:
   * however far this day is, only that bill is worked out.
   * @example "2026-12-01"
   */
  @Format(FORMATS.date)
  @IsOptional()
  @IsString()
  through?: string;
}
