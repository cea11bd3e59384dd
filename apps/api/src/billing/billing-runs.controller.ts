import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { GetBillingRun, ListBillingRuns, ListRunBills, StartBillingRun } from '@invoicing/billing';
import { decodeCursor, definedFields, encodeCursor, pageLimit, type Cursor, type TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Tenant } from '../auth/auth.guard';
import { Requires } from '../auth/permissions';
import { Idempotent } from '../http/idempotency.interceptor';
import { IdempotentRequestId } from '../http/idempotent-id';
import { ApiIdempotent, ApiProblems } from '../http/openapi';
import { PageQueryDto } from '../http/paging.dto';
import { toPageResponse } from '../http/responses';
import { StartBillingRunDto } from './billing.dto';
import { toBillingRunResponse, toRunBillResponse } from './billing.mapper';
import { BillingRunDto, BillingRunPageDto, RunBillPageDto } from './billing.response.dto';
import { BillingRunner } from './billing-runner';

/**
 * Billing runs: every partnership with a billing plan billed for each date due, in the background, each bill recorded
 * once. See Billing runs (/docs/guide/billing#billing-runs).
 */
@ApiTags('Billing runs')
@Controller('v1/billing-runs')
export class BillingRunsController {
  constructor(
    private readonly startBillingRun: StartBillingRun,
    private readonly getBillingRun: GetBillingRun,
    private readonly listBillingRuns: ListBillingRuns,
    private readonly runBills: ListRunBills,
    private readonly runner: BillingRunner,
  ) {}

  /**
   * Start a billing run
   *
   * Starts billing every partnership with a plan (or those of `partnershipIds`) for each date due by `asOf` (today
   * when left out; only a dry run may look ahead, a year at most) and answers 202 at once with the run, `running`,
   * and its `Location`; the run goes on in the background, and `GET` on it shows its progress, then its counts and
   * failures. A dry run writes nothing but its record, with a preview of each bill. Runs never bill a partnership's
   * date twice, whether repeated or at the same time. With an `Idempotency-Key`, the run's id derives from the key and
   * the request: a retry answers the same run, and never starts a second one.
   */
  @Post()
  @HttpCode(202)
  @Idempotent()
  @Requires('billing:run')
  @ApiIdempotent()
  @ApiProblems()
  async start(
    @Tenant() tenantId: TenantId,
    @Body() body: StartBillingRunDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IdempotentRequestId('BillingRun') id: string | undefined,
  ): Promise<BillingRunDto> {
    const started = await this.startBillingRun.start({
      tenantId,
      ...definedFields({ id, asOf: body.asOf, dryRun: body.dryRun, partnershipIds: body.partnershipIds as PartnershipId[] | undefined }),
    });
    // A run an earlier attempt started (its key's record lost) may be going on in another process: taken over only once stalled.
    const run = started.created ? started.run : await this.runner.resumeIfStalled(started.run, request.log);
    if (started.created) this.runner.carryOut(run, request.log);
    void reply.header('location', `/v1/billing-runs/${run.id}`);
    return toBillingRunResponse(run);
  }

  /**
   * List billing runs
   *
   * The tenant's runs, newest first, page by page: pass `nextCursor` back as `cursor`. A dry run's previews are left
   * out here; get the run for them.
   */
  @Get()
  @ApiProblems()
  async list(@Tenant() tenantId: TenantId, @Query() query: PageQueryDto): Promise<BillingRunPageDto> {
    const page = await this.listBillingRuns.execute({ tenantId, ...definedFields({ limit: query.limit, cursor: query.cursor as Cursor | undefined }) });
    return toPageResponse(page, (run) => toBillingRunResponse(run, { previews: false }));
  }

  /**
   * Get a billing run
   *
   * The run's progress while it is `running` (partnerships processed of the total, updated as it goes), then what it
   * did: bills recorded, invoices issued and drafted, bills with nothing due, and the partnerships it could not bill
   * with the error's code (`failures`, the first 100). A dry run shows each bill it would have recorded (`previews`).
   * A run whose progress has not moved for 5 minutes (the process carrying it out stopped) is taken up again by the
   * process that answers: it bills what is left, nothing twice.
   */
  @Get(':billingRunId')
  @ApiProblems(404)
  async get(@Tenant() tenantId: TenantId, @Param('billingRunId') billingRunId: string, @Req() request: FastifyRequest): Promise<BillingRunDto> {
    const run = await this.getBillingRun.execute({ tenantId, runId: billingRunId });
    return toBillingRunResponse(await this.runner.resumeIfStalled(run, request.log));
  }

  /**
   * List the bills of a billing run
   *
   * The bills the run recorded, by partnership and date, each with the invoice it made (none for a bill with nothing
   * due) and its net total, page by page: pass `nextCursor` back as `cursor`. A page shorter than `limit` is the last;
   * how each line was computed is on the invoice's billing (`GET /v1/invoices/{invoiceId}/billing`).
   */
  @Get(':billingRunId/bills')
  @ApiProblems(404)
  async listRunBills(@Tenant() tenantId: TenantId, @Param('billingRunId') billingRunId: string, @Query() query: PageQueryDto): Promise<RunBillPageDto> {
    const limit = pageLimit(query.limit);
    const after = query.cursor === undefined ? undefined : String(decodeCursor(query.cursor, 1)[0]);
    const bills = await this.runBills.execute({ tenantId, runId: billingRunId, limit, ...definedFields({ after }) });
    const last = bills.at(-1);
    return { items: bills.map(toRunBillResponse), nextCursor: bills.length === limit && last !== undefined ? encodeCursor([last.key]) : null };
  }
}
