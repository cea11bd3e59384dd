import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';
import { Optional } from '../http/validation';
import { FORMATS, Format } from '../docs/request-strictness';
import { DECIMAL_MAX_LENGTH } from '@invoicing/core';
import { PageQueryDto } from '../http/paging.dto';

/** The most invoices one request may name: a payment settling more is applied in several requests. */
const MAX_NAMED_INVOICES = 100;

/** Money received from a partner. */
export class RecordPaymentDto {
  /**
   * Above zero and at most the largest amount of the currency (`Money.largest`, e.g. 9999999999999.99 EUR), as a
   * decimal string in the currency's precision; at most `DECIMAL_MAX_LENGTH` characters.
   * @example "1500.00"
   */
  @Format(FORMATS.positiveDecimal)
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  amount!: string;

  /**
   * ISO 4217 code.
   * @example "EUR"
   */
  @Format(FORMATS.currency)
  @IsString()
  currency!: string;

  /**
   * The day the money arrived; applications are dated with it.
   * @example "2026-04-20"
   */
  @Format(FORMATS.date)
  @IsString()
  receivedOn!: string;

  /**
   * Bank reference, cheque number …
   * @example "SEPA 2026-04-20 NORDWIND"
   */
  @Optional()
  @IsString()
  @MaxLength(100)
  reference?: string;

  /**
   * Invoices to pay, in this order; without it the payment goes to the partner's oldest receivables in its currency.
   * An empty list applies nothing: the whole payment stays unapplied credit.
   * @example ["0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"]
   */
  @Format(FORMATS.id, { each: true })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_NAMED_INVOICES)
  @IsString({ each: true })
  applyTo?: string[];
}

/** Where a payment's unapplied credit goes. */
export class ApplyPaymentDto {
  /**
   * Invoices to pay, in this order; without it the credit goes to the partner's oldest receivables in the payment's currency.
   * @example ["0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"]
   */
  @Format(FORMATS.id, { each: true })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_NAMED_INVOICES)
  @IsString({ each: true })
  applyTo?: string[];
}

/** Unapplied credit paid back to a partner. */
export class RefundCreditDto {
  /**
   * Above zero and at most the partner's unapplied credit in the currency.
   * @example "244.00"
   */
  @Format(FORMATS.positiveDecimal)
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  amount!: string;

  /** @example "EUR" */
  @Format(FORMATS.currency)
  @IsString()
  currency!: string;

  /** @example "2026-05-02" */
  @Format(FORMATS.date)
  @IsString()
  refundedOn!: string;

  /**
   * The transfer's reference.
   * @example "REFUND 2026-05-02"
   */
  @Optional()
  @IsString()
  @MaxLength(100)
  reference?: string;
}

/** A partner's payments, newest first, page by page. */
export class ListPaymentsQueryDto extends PageQueryDto {}
