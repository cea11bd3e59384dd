import { Type } from 'class-transformer';
import { IsArray, IsIn, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Optional } from '../http/validation';
import { FORMATS, Format, TextLength } from '../docs/request-strictness';
// One VAT category schema in the API reference, shared with invoice lines.
import { VatCategoryDto } from '../invoices/invoice.dto';
import { PageQueryDto } from '../http/paging.dto';

/** A list price in one currency: net, per unit of the marketable's `unitCode`. */
export class PriceDto {
  /**
   * ISO 4217 code; at most one price per currency.
   * @example "EUR"
   */
  @Format(FORMATS.currency)
  @IsString()
  currency!: string;

  /**
   * Net unit price as a decimal string, not negative, at most 10^12 with at most 10 decimals; it may have more decimals
   * than the currency (BT-146).
   * @example "0.0125"
   */
  @Format(FORMATS.unitPrice)
  @IsString()
  unitPrice!: string;
}

/** A new product or service of the catalogue. */
export class CreateMarketableDto {
  /**
   * Stock keeping unit, unique in the tenant and case-sensitive: 1–64 letters, digits or `. _ - /`.
   * @example "CONSULT-DAY"
   */
  @Format(FORMATS.sku)
  @IsString()
  sku!: string;

  /** @example "service" */
  @IsIn(['product', 'service'])
  kind!: 'product' | 'service';

  /**
   * Item name on invoice lines (BT-153).
   * @example "Consulting day"
   */
  @IsString()
  name!: string;

  /**
   * Item description on invoice lines (BT-154), at most 2000 characters.
   * @example "One day of on-site consulting, travel included"
   */
  @TextLength(2000)
  @Optional()
  @IsString()
  description?: string;

  /**
   * UN/ECE Recommendation 20 unit (BT-130), e.g. `C62` (piece), `HUR` (hour), `DAY`, `KWH`.
   * @example "DAY"
   */
  @Format(FORMATS.unitCode)
  @IsString()
  unitCode!: string;

  /** List prices, at most one per currency; none when left out. */
  @Optional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PriceDto)
  prices?: PriceDto[];

  /** The VAT treatment new invoice lines take unless they give their own. */
  @IsObject()
  @ValidateNested()
  @Type(() => VatCategoryDto)
  defaultVat!: VatCategoryDto;
}

/** Changes to a marketable: only the fields given change; `prices` replaces the whole list. */
export class UpdateMarketableDto {
  /** @example "CONSULT-DAY-2" */
  @Format(FORMATS.sku)
  @Optional()
  @IsString()
  sku?: string;

  @Optional()
  @IsIn(['product', 'service'])
  kind?: 'product' | 'service';

  /** @example "Consulting day (senior)" */
  @Optional()
  @IsString()
  name?: string;

  /** `null` removes the description. */
  @TextLength(2000)
  @IsOptional()
  @IsString()
  description?: string | null;

  /** @example "HUR" */
  @Format(FORMATS.unitCode)
  @Optional()
  @IsString()
  unitCode?: string;

  /** The new list prices, replacing all current ones. */
  @Optional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PriceDto)
  prices?: PriceDto[];

  @Optional()
  @ValidateNested()
  @Type(() => VatCategoryDto)
  defaultVat?: VatCategoryDto;
}

export class ListMarketablesQueryDto extends PageQueryDto {
  /** `true`: only marketables on offer; `false`: only deactivated ones; left out: all. */
  @IsOptional()
  @IsIn(['true', 'false'])
  active?: 'true' | 'false';

}
