import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_TYPES } from '../events/event-catalogue';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DecimalDigits } from '../http/paging.dto';
import { Optional } from '../http/validation';

/** What `eventTypes` may list: every catalogued type, or `*` alone for all. */
const EVENT_TYPE_CHOICES = ['*', ...EVENT_TYPES.map((entry) => entry.type)];

/** A webhook endpoint to register. */
export class CreateWebhookEndpointDto {
  /**
   * Where deliveries are POSTed: an `https` URL of a public address (no credentials in it).
   * @example "https://erp.example.com/hooks/invoicing"
   */
  @IsString()
  @MaxLength(2048)
  url!: string;

  /** What it is for, for people. @example "ERP sync" */
  @Optional()
  @IsString()
  @MaxLength(200)
  description?: string;

  /**
   * The event types to deliver (see Events in the guide), or `["*"]` for all, including types added later.
   * @example ["invoice.issued", "invoice.paid"]
   */
  @ApiProperty({ isArray: true, enum: EVENT_TYPE_CHOICES, minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  eventTypes!: string[];

  /** Whether deliveries start at once (default true). @example true */
  @Optional()
  @IsBoolean()
  enabled?: boolean;
}

/** Changes to an endpoint: what is given changes, the rest stays. */
export class UpdateWebhookEndpointDto {
  /** @example "https://erp.example.com/hooks/invoicing-v2" */
  @Optional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  /** null removes it. @example "ERP sync (v2)" */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string | null;

  /** @example ["*"] */
  @ApiPropertyOptional({ isArray: true, enum: EVENT_TYPE_CHOICES, minItems: 1, maxItems: 100 })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  eventTypes?: string[];

  /** false stops deliveries (they wait, and resume when true again, within their retry window). @example true */
  @Optional()
  @IsBoolean()
  enabled?: boolean;
}

/** How a secret rotation overlaps. */
export class RotateSecretDto {
  /** Hours the previous secret keeps signing beside the new one; earlier ones in their overlap keep theirs (0 ends them all now; at most 168, a week). @example 24 */
  @ApiPropertyOptional({ minimum: 0, maximum: 168, default: 24 })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(168)
  overlapHours?: number;
}

/** Which deliveries to list. */
export class ListDeliveriesQueryDto {
  /** Page size. */
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @DecimalDigits()
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  /** `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  cursor?: string;

  /** Only deliveries in this state. */
  @IsOptional()
  @IsIn(['pending', 'delivered', 'failed'])
  status?: 'pending' | 'delivered' | 'failed';
}
