import { performance } from 'node:perf_hooks';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { TenantId } from '@invoicing/core';
import { INTEGRITY_READER, checkIntegrity, type IntegrityReader } from '@invoicing/invoice';
import { Tenant } from '../auth/auth.guard';
import { Requires } from '../auth/permissions';
import { ApiProblems } from '../http/openapi';
import { toIntegrityReportResponse } from './integrity.mapper';
import { IntegrityReportDto } from './integrity.response.dto';

/**
 * Administration of the tenant: the invariant checker of `npm run db:check`, on the caller's tenant only.
 * See Checking the stored data (/docs/guide/payments-and-balances#checking-the-stored-data).
 */
@ApiTags('Administration')
@Controller('v1/admin')
export class AdminController {
  /**
   * The check running for each tenant. A request that comes while one runs answers its report instead of reading the
   * tenant again: a retry after the deadline's 503 would otherwise add a whole-tenant read beside one still going.
   */
  private readonly running = new Map<TenantId, Promise<IntegrityReportDto>>();

  constructor(@Inject(INTEGRITY_READER) private readonly reader: IntegrityReader) {}

  /**
   * Check the stored data
   *
   * Runs the invariant checker on the tenant's stored data, as it is now, and answers what it found: per partner and
   * currency, received = applied + unapplied + refunded; no invoice paid or credited above its amount due; both sides
   * of every application agree; numbers unique and series gapless; every reference exists; ledger totals are the fold
   * of their postings. Each finding has a stable `integrity.` code, the ids and the amounts concerned. It repairs
   * nothing, and reads only the caller's tenant. It reads everything the tenant stores: on a large tenant it can
   * exceed the request deadline (503 `request.deadline_exceeded`), where `npm run db:check -- --tenant <id>` runs
   * without one. A check asked while one of the tenant's runs is answered that run's report.
   */
  @Get('integrity')
  @Requires('integrity:check')
  @ApiProblems()
  integrityReport(@Tenant() tenantId: TenantId): Promise<IntegrityReportDto> {
    const running = this.running.get(tenantId);
    if (running) return running;
    const check = this.check(tenantId).finally(() => this.running.delete(tenantId));
    this.running.set(tenantId, check);
    return check;
  }

  private async check(tenantId: TenantId): Promise<IntegrityReportDto> {
    const checkedAt = new Date();
    const started = performance.now();
    const report = await checkIntegrity(this.reader, { tenantId });
    return toIntegrityReportResponse(report, { checkedAt, durationMs: performance.now() - started });
  }
}
