import { parseTimeZone } from '@invoicing/core';
import { ContainerModule } from 'inversify';
import { ImportEInvoice } from './en16931/import-e-invoice.use-case';
import { ImportReceivables } from './imports/import-receivables.use-case';
import { CreateInvoiceDraft, CreateIssuedInvoice, UpdateInvoiceDraft, ApproveInvoice, IssueInvoice, VoidInvoice, MarkInvoiceUncollectible, CreateCreditNote, GetInvoice, LineResolver } from './invoice/invoice.use-cases';
import { CreateMarketable, UpdateMarketable, SetMarketableActive, GetMarketable, ListMarketables } from './marketable/marketable.use-cases';
import { CreatePartner, UpdatePartner, ReplaceContacts, AddContact, UpdateContact, RemoveContact, ArchivePartner, GetPartner, ListPartners, SearchContacts } from './partner/partner.use-cases';
import { CreatePartnership, UpdatePartnershipTerms, SetPriceOverride, ChangePartnershipStatus, GetPartnership, ListPartnerships } from './partnership/partnership.use-cases';
import { RecordPayment, PayInvoice, ApplyPayment, RefundCredit, GetPayment, ListPayments } from './payment/payment.use-cases';
import { ListInvoices, PastDueReport, MonthlySummaryReport, AgingReport, PartnerTotalsReport, PartnerContactsReport, GetPartnerBalance } from './queries/report.use-cases';
import { LedgerProjection } from './ledger/ledger-projection';
import { RelayEvents } from './shared/relay-events.use-case';
import { DEFAULT_SETTINGS, INVOICING_SETTINGS, type InvoicingSettings } from './shared/use-case-support';

/** Every use case of the package, for a container to bind. */
export const INVOICE_USE_CASES = [
  CreatePartner, UpdatePartner, ReplaceContacts, AddContact, UpdateContact, RemoveContact, ArchivePartner, GetPartner, ListPartners, SearchContacts,
  CreateMarketable, UpdateMarketable, SetMarketableActive, GetMarketable, ListMarketables,
  CreatePartnership, UpdatePartnershipTerms, SetPriceOverride, ChangePartnershipStatus, GetPartnership, ListPartnerships,
  LineResolver, CreateInvoiceDraft, CreateIssuedInvoice, UpdateInvoiceDraft, ApproveInvoice, IssueInvoice, VoidInvoice, MarkInvoiceUncollectible, CreateCreditNote, GetInvoice, ImportEInvoice,
  RecordPayment, PayInvoice, ApplyPayment, RefundCredit, GetPayment, ListPayments, ImportReceivables,
  ListInvoices, PastDueReport, MonthlySummaryReport, AgingReport, PartnerTotalsReport, PartnerContactsReport, GetPartnerBalance,
  LedgerProjection, RelayEvents,
] as const;

/**
 * Binds the use cases of `@invoicing/invoice` and their settings. The ports come from two other modules:
 * `coreModule` of `@invoicing/core` (clock, ids, event publisher) and `invoiceAdaptersModule` with an adapter family
 * (`createInMemoryAdapters()` from `@invoicing/invoice/testing`, or the MongoDB adapters of `@invoicing/integration`).
 * @throws ValidationError `date.unknown_time_zone` at `timeZone` when the settings name no IANA time zone: checked
 * here, at start-up, since every request that reads "today" would fail with it after
 */
export function invoiceModule(settings: Partial<InvoicingSettings> = {}): ContainerModule {
  const checked: InvoicingSettings = { ...DEFAULT_SETTINGS, ...settings, timeZone: parseTimeZone(settings.timeZone === undefined ? DEFAULT_SETTINGS.timeZone : settings.timeZone) };
  return new ContainerModule(({ bind }) => {
    for (const useCase of INVOICE_USE_CASES) bind(useCase).toSelf().inSingletonScope();
    bind(INVOICING_SETTINGS).toConstantValue(checked);
  });
}
