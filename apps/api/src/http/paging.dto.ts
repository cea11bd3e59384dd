import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString } from 'class-validator';

/**
 * The paging parameters of every list: `limit` and the `cursor` of the previous page. The range of `limit` is the
 * domain's rule (`pagination.invalid_limit`, the same code for every list); the bounds are declared here for the
 * reference only.
 */
export class PageQueryDto {
  /** Page size. */
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  limit?: number;

  /** `nextCursor` of the previous page, with the same filters. */
  @IsOptional()
  @IsString()
  cursor?: string;
}
