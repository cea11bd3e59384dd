import { PageDto } from '../http/responses';
import { VatCategoryDto } from '../invoices/invoice.dto';
import { PriceDto } from './marketable.dto';

/** A product or service of the catalogue, with its list prices and default VAT. */
export class MarketableDto {
  /** @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  id!: string;
  /** Increases with every change; the ETag. */
  version!: number;
  /** @example "CONSULT-DAY" */
  sku!: string;
  kind!: 'product' | 'service';
  /** @example "Consulting day" */
  name!: string;
  description?: string;
  /** @example "DAY" */
  unitCode!: string;
  prices!: PriceDto[];
  defaultVat!: VatCategoryDto;
  /** Inactive marketables cannot be used on new invoice lines. */
  active!: boolean;
  createdAt!: Date;
  updatedAt!: Date;
}

export class MarketablePageDto extends PageDto {
  items!: MarketableDto[];
}
