import { IsString } from 'class-validator';
import { FORMATS, Format } from '../docs/request-strictness';

/** Where an imported file goes. */
export class ImportEInvoiceQueryDto {
  /** The partnership the file's seller and buyer trade under; it gives the parties, currency, terms and series. @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  @Format(FORMATS.id)
  @IsString()
  partnership_id!: string;
}
