import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString } from 'class-validator';

/**
 * A whole number in a query string is plain decimal digits: `Number()` would also take `1e2`, `0x10`, ` 7` or `+7`,
 * which stay text here and fail `@IsInt()`.
 */
export const DecimalDigits = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value));

/**
 * The paging parameters of every list: `limit` and the `cursor` of the previous page. The range of `limit` is the
 * domain's rule (`pagination.invalid_limit`, the same code for every list); the bounds are declared here for the
 * reference only.
 */
export class PageQueryDto {
  /** Page size. */
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @DecimalDigits()
  @IsInt()
  limit?: number;

  /** `nextCursor` of the previous page, with the same filters. */
  @IsOptional()
  @IsString()
  cursor?: string;
}
