import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MaxLength } from 'class-validator';
import { FORMATS, Format } from '../docs/request-strictness';
import { DecimalDigits } from '../http/paging.dto';

/** A cursor in the tenant's event log and a page size: what the change feed and the audit trail are read by. */
export class LogPageQueryDto {
  /** The cursor: events with a greater sequence (0, the default, reads from the start). */
  @ApiPropertyOptional({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 })
  @IsOptional()
  @DecimalDigits()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  /** Page size. */
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @DecimalDigits()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

/** Where to read the change feed from, and what. */
export class EventFeedQueryDto extends LogPageQueryDto {
  /** Comma-separated event types to keep, e.g. `invoice.issued,invoice.paid` (all when absent). */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[a-z_]+\.[a-z_]+(,[a-z_]+\.[a-z_]+)*$/, { message: 'types is a comma-separated list of event types' })
  types?: string;

  /** Long poll: when nothing is after the cursor, wait up to this many seconds for an event before answering. */
  @ApiPropertyOptional({ minimum: 0, maximum: 10, default: 0 })
  @IsOptional()
  @DecimalDigits()
  @IsInt()
  @Min(0)
  @Max(10)
  wait?: number;
}

/** Whose trail to read. */
export class AuditQueryDto extends LogPageQueryDto {
  /** The aggregate's id: a partner, marketable, partnership, invoice, credit note, payment, billing plan or webhook endpoint. */
  @Format(FORMATS.id)
  @IsString()
  @Matches(new RegExp(FORMATS.id.pattern), { message: 'aggregate is the id of a record' })
  aggregate!: string;
}
