import {
  CLOCK,
  NotFoundError,
  ValidationError,
  atPath,
  definedFields,
  pageLimit,
  pageRequest,
  parseCalendarDate,
  parseYearMonth,
  today,
  type CalendarDate,
  type Clock,
  type Page,
  type PageRequest,
  type TenantId,
} from '@invoicing/core';
import { inject, injectable } from 'inversify';
import { PARTNER_REPOSITORY, type PartnerRepository } from '../partner/partner-repository.port';
import type { PartnerId } from '../shared/ids';
import { INVOICING_SETTINGS, load, type InvoicingSettings } from '../shared/use-case-support';
import type { InvoiceSummary } from './invoice-summary';
import {
  INVOICE_QUERIES,
  type AccountBalance,
  type AgingRow,
  type ContactLastSeen,
  type InvoiceFilter,
  type InvoiceQueries,
  type MonthlySummary,
  type PartnerTotals,
  type PastDueInvoice,
} from './invoice-queries.port';

/** The most months "totals per partner" looks back. */
export const MAX_TOTALS_MONTHS = 36;

/** An as-of date given by the caller, or today in the configured time zone. */
function asOfDate(given: string | undefined, clock: Clock, settings: InvoicingSettings): CalendarDate {
  return given === undefined ? today(clock, settings.timeZone) : atPath('asOf', () => parseCalendarDate(given));
}

/** Lists invoices and credit notes with filters, newest first. */
@injectable()
export class ListInvoices {
  constructor(@inject(INVOICE_QUERIES) private readonly queries: InvoiceQueries) {}

  async execute(query: { readonly tenantId: TenantId; readonly filter?: InvoiceFilter; readonly page?: PageRequest }): Promise<Page<InvoiceSummary>> {
    return this.queries.list(query.tenantId, query.filter ?? {}, pageRequest(query.page));
  }
}

/** Invoices past due on a date (today by default), with days past due. */
@injectable()
export class PastDueReport {
  constructor(
    @inject(INVOICE_QUERIES) private readonly queries: InvoiceQueries,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /** @throws ValidationError `date.malformed` | `pagination.*` | `report.invalid_sort` */
  async execute(query: {
    readonly tenantId: TenantId;
    readonly asOf?: string;
    readonly partnerId?: PartnerId;
    readonly sort?: string;
    readonly limit?: number;
    readonly cursor?: PageRequest['cursor'];
  }): Promise<Page<PastDueInvoice> & { readonly asOf: CalendarDate }> {
    const sort = query.sort ?? 'due_date.asc';
    if (sort !== 'due_date.asc' && sort !== 'due_date.desc') throw ValidationError.of('sort', 'report.invalid_sort', 'sort is due_date.asc or due_date.desc');
    const asOf = asOfDate(query.asOf, this.clock, this.settings);
    const page = await this.queries.pastDue(query.tenantId, {
      asOf,
      sort,
      limit: pageLimit(query.limit),
      ...definedFields({ partnerId: query.partnerId, cursor: query.cursor }),
    });
    return { ...page, asOf };
  }
}

/** Documents issued in a month, per currency. */
@injectable()
export class MonthlySummaryReport {
  constructor(@inject(INVOICE_QUERIES) private readonly queries: InvoiceQueries) {}

  /** @throws ValidationError `date.malformed` */
  async execute(query: { readonly tenantId: TenantId; readonly month: string; readonly partnerId?: PartnerId }): Promise<MonthlySummary[]> {
    const month = atPath('month', () => parseYearMonth(query.month));
    return this.queries.monthlySummary(query.tenantId, { month, ...definedFields({ partnerId: query.partnerId }) });
  }
}

/** Receivables per buyer in aging buckets on a date (today by default). */
@injectable()
export class AgingReport {
  constructor(
    @inject(INVOICE_QUERIES) private readonly queries: InvoiceQueries,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  async execute(query: { readonly tenantId: TenantId; readonly asOf?: string; readonly partnerId?: PartnerId }): Promise<{ readonly asOf: CalendarDate; readonly rows: AgingRow[] }> {
    const asOf = asOfDate(query.asOf, this.clock, this.settings);
    const rows = await this.queries.aging(query.tenantId, { asOf, ...definedFields({ partnerId: query.partnerId }) });
    return { asOf, rows };
  }
}

/** What each buyer was invoiced over the last n months. */
@injectable()
export class PartnerTotalsReport {
  constructor(
    @inject(INVOICE_QUERIES) private readonly queries: InvoiceQueries,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /** @throws ValidationError `report.invalid_months` */
  async execute(query: {
    readonly tenantId: TenantId;
    readonly months: number;
    readonly asOf?: string;
  }): Promise<{ readonly asOf: CalendarDate; readonly months: number; readonly rows: PartnerTotals[] }> {
    if (!Number.isInteger(query.months) || query.months < 1 || query.months > MAX_TOTALS_MONTHS) {
      throw ValidationError.of('months', 'report.invalid_months', `months is a whole number from 1 to ${MAX_TOTALS_MONTHS}`);
    }
    const asOf = asOfDate(query.asOf, this.clock, this.settings);
    return { asOf, months: query.months, rows: await this.queries.totalsPerPartner(query.tenantId, { months: query.months, asOf }) };
  }
}

/** A partner's contacts with the last invoice date each was named on. */
@injectable()
export class PartnerContactsReport {
  constructor(@inject(INVOICE_QUERIES) private readonly queries: InvoiceQueries) {}

  /** @throws NotFoundError `partner.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly partnerId: PartnerId }): Promise<ContactLastSeen[]> {
    const rows = await this.queries.contactsLastSeen(query.tenantId, query.partnerId);
    if (rows === undefined) throw new NotFoundError('partner', query.partnerId);
    return rows;
  }
}

/** A partner's balance per currency: outstanding on open invoices minus unapplied credit. */
@injectable()
export class GetPartnerBalance {
  constructor(
    @inject(INVOICE_QUERIES) private readonly queries: InvoiceQueries,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
  ) {}

  /** @throws NotFoundError `partner.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly partnerId: PartnerId }): Promise<AccountBalance[]> {
    await load(this.partners, query.tenantId, query.partnerId, 'partner');
    return this.queries.balances(query.tenantId, query.partnerId);
  }
}
