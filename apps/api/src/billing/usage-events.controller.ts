import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RecordUsage } from '@invoicing/billing';
import type { TenantId } from '@invoicing/core';
import { Tenant } from '../auth/auth.guard';
import { Requires } from '../auth/permissions';
import { ApiProblems } from '../http/openapi';
import { RecordUsageDto } from './billing.dto';
import { toUsageBatchResponse } from './billing.mapper';
import { UsageBatchResultDto } from './billing.response.dto';

/** Usage events: what partnerships used, sent by integrators for the usage charges of their billing plans. */
@ApiTags('Billing')
@Controller('v1/usage-events')
export class UsageEventsController {
  constructor(private readonly recordUsage: RecordUsage) {}

  /**
   * Send usage events
   *
   * Records a batch of 1 to 1,000 usage events. Each event is checked on its own: the answer is 200 with one result
   * per event, in the order sent (`stored`; `duplicate`, an event id stored before, counted once; `rejected`, with the
   * error and the faulty members of the event) and the counts, so one bad event never refuses the others. The batch
   * as a whole is refused (400) only when it is empty (`usage.batch_empty`), too large (`usage.batch_too_large`) or
   * malformed (`request.invalid`: not a list of objects, or a member of the wrong JSON type). Sending a batch again is
   * safe: each event id is its own idempotency key.
   */
  @Post()
  @HttpCode(200)
  @Requires('usage:write')
  @ApiProblems()
  async recordUsageEvents(@Tenant() tenantId: TenantId, @Body() body: RecordUsageDto): Promise<UsageBatchResultDto> {
    return toUsageBatchResponse(await this.recordUsage.execute({ tenantId, events: body.events }));
  }
}
