import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { FORMATS, Format } from '../docs/request-strictness';

/** Where a file's invoices go and how its columns and values are read (the mapping of docs/imports.md). */
export class StartReceivablesImportQueryDto {
  /** The tenant's own company: the partner that issued the file's invoices. @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  @Format(FORMATS.id)
  @IsString()
  seller_id!: string;

  /** How the file writes dates; ISO 8601 dates are always read. */
  @ApiPropertyOptional({ enum: ['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY'] })
  @IsOptional()
  @IsIn(['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY'])
  date_format?: string;

  /** `.` for 1,234.56 (the default), `,` for 1.234,56. */
  @ApiPropertyOptional({ enum: ['.', ','] })
  @IsOptional()
  @IsIn(['.', ','])
  decimal_separator?: string;

  /** `,`, `;` or `tab`; found from the header line when left out. */
  @ApiPropertyOptional({ enum: [',', ';', 'tab'] })
  @IsOptional()
  @IsIn([',', ';', 'tab'])
  delimiter?: string;

  /** The currency of rows without one (ISO 4217). @example "USD" */
  @IsOptional()
  @IsString()
  currency?: string;

  /** File column → field, as a JSON object, for exports whose column names the import does not know. @example "{\"Ref\":\"invoiceNumber\",\"Client\":\"customerName\"}" */
  @IsOptional()
  @IsString()
  columns?: string;
}
