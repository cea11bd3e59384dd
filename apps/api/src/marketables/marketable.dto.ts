import { Type } from 'class-transformer';
import { IsArray, IsIn, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
// One VAT category schema in the API reference, shared with invoice lines.
import { VatCategoryDto } from '../invoices/invoice.dto';
import { PageQueryDto } from '../http/paging.dto';

/** A list price in one currency: net, per unit of the marketable's `unitCode`. */
export class PriceDto {
  /**
   * ISO 4217 code; at most one price per currency.
   * @example "EUR"
   */
  @IsString()
  currency!: string;

  /**
   * Net unit price as a decimal string, not negative; it may have more decimals than the currency (BT-146).
   * @example "0.0125"
   */
  @IsString()
  unitPrice!: string;
}

/** A new product or service of the catalogue. */
export class CreateMarketableDto {
  /**
   * Stock keeping unit, unique in the tenant and case-sensitive: 1–64 letters, digits or `. _ - /`.
   * @example "CONSULT-DAY"
   */
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
  @IsOptional()
  @IsString()
  description?: string;

  /**
   * UN/ECE Recommendation 20 unit (BT-130), e.g. `C62` (piece), `HUR` (hour), `DAY`, `KWH`.
   * @example "DAY"
   */
  @IsString()
  unitCode!: string;

  /** List prices, at most one per currency; none when left out. */
  @IsOptional()
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
  @IsOptional()
  @IsString()
  sku?: string;

  @IsOptional()
  @IsIn(['product', 'service'])
  kind?: 'product' | 'service';

  /** @example "Consulting day (senior)" */
  @IsOptional()
  @IsString()
  name?: string;

  /** `null` removes the description. */
  @IsOptional()
  @IsString()
  description?: string | null;

  /** @example "HUR" */
  @IsOptional()
  @IsString()
  unitCode?: string;

  /** The new list prices, replacing all current ones. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PriceDto)
  prices?: PriceDto[];

  @IsOptional()
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
