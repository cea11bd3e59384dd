import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Cursor, TenantId } from '@invoicing/core';
import { AgingReport, MonthlySummaryReport, PartnerContactsReport, PartnerTotalsReport, PastDueReport, type PartnerId } from '@invoicing/invoice';
import { Tenant } from '../auth/auth.guard';
import { ApiProblems } from '../http/openapi';
import { toPageResponse } from '../http/responses';
import { AgingQueryDto, MonthlySummaryQueryDto, PartnerTotalsQueryDto, PastDueQueryDto } from './report.dto';
import { toAgingReportResponse, toContactsLastSeenResponse, toMonthlySummaryReportResponse, toPartnerTotalsReportResponse, toPastDueInvoiceResponse } from './report.mapper';
import { AgingReportDto, ContactsLastSeenDto, MonthlySummaryReportDto, PartnerTotalsReportDto, PastDuePageDto } from './report.response.dto';

const partner = (id: string | undefined): PartnerId | undefined => id as PartnerId | undefined;

/**
 * Reports over the tenant's invoices: amounts are per currency, never added across currencies.
 * See Reports (/docs/guide/reports).
 */
@ApiTags('Reports')
@Controller('v1/reports')
export class ReportsController {
  constructor(
    private readonly pastDueReport: PastDueReport,
    private readonly monthlySummaryReport: MonthlySummaryReport,
    private readonly agingReport: AgingReport,
    private readonly partnerTotalsReport: PartnerTotalsReport,
  ) {}

  /**
   * Past-due invoices
   *
   * Invoices the buyer still owes whose due date is before `as_of`, with the days past due of each, by due date,
   * page by page: pass `nextCursor` back as `cursor` with the same other parameters.
   */
  @Get('past-due')
  @ApiProblems()
  async pastDue(@Tenant() tenantId: TenantId, @Query() query: PastDueQueryDto): Promise<PastDuePageDto> {
    const page = await this.pastDueReport.execute({
      tenantId,
      asOf: query.as_of,
      partnerId: partner(query.partner_id),
      sort: query.sort,
      limit: query.limit,
      cursor: query.cursor as Cursor | undefined,
    });
    return { asOf: page.asOf, ...toPageResponse(page, toPastDueInvoiceResponse) };
  }

  /**
   * Monthly summary
   *
   * What was issued in a calendar month, per currency: invoices and credit notes counted apart, with their totals
   * with VAT and the net. Drafts and void documents are left out.
   */
  @Get('monthly-summary')
  @ApiProblems(409)
  async monthlySummary(@Tenant() tenantId: TenantId, @Query() query: MonthlySummaryQueryDto): Promise<MonthlySummaryReportDto> {
    const rows = await this.monthlySummaryReport.execute({ tenantId, month: query.month, partnerId: partner(query.partner_id) });
    return toMonthlySummaryReportResponse(query.month, rows);
  }

  /**
   * Aging of receivables
   *
   * What each buyer owes per currency on `as_of`, in buckets of days past due: current (not yet due), 1–30, 31–60,
   * 61–90 and over 90.
   */
  @Get('aging')
  @ApiProblems(409)
  async aging(@Tenant() tenantId: TenantId, @Query() query: AgingQueryDto): Promise<AgingReportDto> {
    return toAgingReportResponse(await this.agingReport.execute({ tenantId, asOf: query.as_of, partnerId: partner(query.partner_id) }));
  }

  /**
   * Totals per partner
   *
   * What each buyer was invoiced per currency over the last `months` calendar months: from the first day of the
   * month `months − 1` before the as-of date's month, to the as-of date. Credit notes are not subtracted.
   */
  @Get('partner-totals')
  @ApiProblems(409)
  async partnerTotals(@Tenant() tenantId: TenantId, @Query() query: PartnerTotalsQueryDto): Promise<PartnerTotalsReportDto> {
    return toPartnerTotalsReportResponse(await this.partnerTotalsReport.execute({ tenantId, months: query.months, asOf: query.as_of }));
  }
}

/** Reports about one partner, under the partner. */
@ApiTags('Reports')
@Controller('v1/partners')
export class PartnerReportsController {
  constructor(private readonly partnerContactsReport: PartnerContactsReport) {}

  /**
   * A partner's contacts with their last invoice
   *
   * Each contact of the partner, in the partner's order, with the issue date and id of the last issued document that
   * named it (as buyer contact when the partner is the buyer, as seller contact when it is the seller); null when none.
   */
  @Get(':partnerId/contacts/last-seen')
  @ApiProblems(404)
  async contactsLastSeen(@Tenant() tenantId: TenantId, @Param('partnerId') partnerId: string): Promise<ContactsLastSeenDto> {
    return toContactsLastSeenResponse(await this.partnerContactsReport.execute({ tenantId, partnerId: partnerId as PartnerId }));
  }
}
