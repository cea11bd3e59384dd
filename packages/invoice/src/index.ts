/**
 * The invoicing domain: partners and their contacts, partnerships, marketables, EN 16931 invoices and credit notes,
 * payments and the partner account, with the use cases, ports and reports around them. Framework-free.
 * @packageDocumentation
 */
import 'reflect-metadata';

export type { ContactId, InvoiceId, MarketableId, PartnerId, PartnershipId, PaymentId, RefundId } from './shared/ids';
export type { PostalAddress } from './shared/postal-address';
export type { AggregateRepository } from './shared/repository.port';
export { OUTBOX } from './shared/outbox.port';
export type { Outbox } from './shared/outbox.port';
export { DEFAULT_SETTINGS, INVOICING_SETTINGS, MAX_CONFLICT_RETRIES } from './shared/use-case-support';
export type { InvoicingSettings, VersionedCommand } from './shared/use-case-support';
export { RelayEvents } from './shared/relay-events.use-case';
export { causeOf } from './shared/event-causes';
export type { EventCause } from './shared/event-causes';

export { MAX_CONTACTS_PER_PARTNER, Partner, externalIdTaken, heldExternalId } from './partner/partner';
export type {
  AddressPurpose,
  Contact,
  ContactInput,
  ElectronicAddress,
  PartnerAddress,
  PartnerDetails,
  PartnerIdentifiers,
  PartnerKind,
  PartnerState,
  PartnerStatus,
} from './partner/partner';
export { CONTACTS_PER_TURN, MAX_CONTACT_RESULTS, compareMatches, contactSearchQuery, normalizeSearchText, phoneDigits, rankContacts, scoreContact } from './partner/contact-search';
export type { ContactMatch, MatchKind, SearchedPartner } from './partner/contact-search';
export { PARTNER_QUERIES, PARTNER_REPOSITORY } from './partner/partner-repository.port';
export type { PartnerFilter, PartnerQueries, PartnerRepository } from './partner/partner-repository.port';
export * from './partner/partner.use-cases';

export { Marketable } from './marketable/marketable';
export type { MarketableDetails, MarketableKind, MarketableState, Price } from './marketable/marketable';
export { MARKETABLE_REPOSITORY } from './marketable/marketable-repository.port';
export type { MarketableRepository } from './marketable/marketable-repository.port';
export * from './marketable/marketable.use-cases';

export { DELIVERY_FORMATS, Partnership } from './partnership/partnership';
export type {
  ApprovalRule,
  ApprovalRuleInput,
  DeliveryFormat,
  InvoiceDraftTerms,
  NumberingSeries,
  PartnershipPolicy,
  PartnershipState,
  PartnershipStatus,
  PartnershipTermsInput,
} from './partnership/partnership';
export { describePaymentTerms, dueDate, paymentSchedule, paymentTerms, paymentTermsToInput } from './partnership/payment-terms';
export type { Instalment, PaymentTerms, PaymentTermsInput, ScheduledPayment } from './partnership/payment-terms';
export { PARTNERSHIP_PLANS } from './partnership/partnership-plans.port';
export type { CurrencyLock, PartnershipPlans } from './partnership/partnership-plans.port';
export { PARTNERSHIP_REPOSITORY } from './partnership/partnership-repository.port';
export type { PartnershipRepository } from './partnership/partnership-repository.port';
export * from './partnership/partnership.use-cases';

export { DOCUMENT_TYPE_CODES, Invoice } from './invoice/invoice';
export { GENESIS_HASH, canonicalContentOf, canonicalJson, chainHash, contentHashOf, isSealable, nextSeal, sha256Hex } from './invoice/document-seal';
export type { DocumentSeal, SealRecord } from './invoice/document-seal';
export type { AppliedCredit, AppliedPayment, DocumentKind, InvoiceState, IssueContext, NewDraft, PrecedingInvoice, ReturnedPayment } from './invoice/invoice';
export type { DraftContent } from './invoice/invoice-content';
export { invoicePeriod, type InvoicePeriod, type InvoicePeriodInput } from './invoice/invoice-period';
export { creditNoteContentOf, creditNoteFromLedger } from './invoice/credit-note-content';
export type { CreditNoteContent } from './invoice/credit-note-content';
export { INVOICE_COMMANDS, INVOICE_STATUSES, INVOICE_TRANSITIONS, OPEN_STATUSES, RECEIVABLE_STATUSES } from './invoice/invoice-lifecycle';
export type { InvoiceCommand, InvoiceStatus } from './invoice/invoice-lifecycle';
export { allowanceCharge, documentAllowanceCharge, invoiceLine, isReasonCode, unitCode } from './invoice/invoice-line';
export type {
  AllowanceCharge,
  AllowanceChargeInput,
  AllowanceChargeSide,
  DocumentAllowanceCharge,
  DocumentAllowanceChargeInput,
  InvoiceLine,
  InvoiceLineInput,
} from './invoice/invoice-line';
export { VAT_CATEGORY_CODES, invoicedVatCategory, isVatexCode, vatCategory, vatCategoryToInput, vatKey } from './invoice/vat';
export type { VatCategory, VatCategoryCode, VatCategoryInput } from './invoice/vat';
export { computeTotals, vatBreakdown } from './invoice/totals';
export type { InvoiceTotals, TotalsInput, VatBreakdown } from './invoice/totals';
export { partySnapshot } from './invoice/party-snapshot';
export type { PartySnapshot } from './invoice/party-snapshot';
export { DUPLICATE_WINDOW_DAYS, INVOICE_REPOSITORY, duplicateReferenceDate } from './invoice/invoice-repository.port';
export type { DuplicateProbe, InvoiceRepository } from './invoice/invoice-repository.port';
export { NUMBER_SEQUENCE, formatDocumentNumber, importedHolder, isImportedHolder, parseDocumentNumber } from './invoice/number-sequence.port';
export type { NumberSequence } from './invoice/number-sequence.port';
export * from './invoice/invoice.use-cases';

export { Payment } from './payment/payment';
export type { PaymentApplication, PaymentRefund, PaymentReturn, PaymentState, ReceivedPayment } from './payment/payment';
export { PAYMENT_REPOSITORY } from './payment/payment-repository.port';
export type { PaymentRepository } from './payment/payment-repository.port';
export * from './payment/payment.use-cases';
export * from './imports/import-receivables.use-case';
export * from './imports/receivable';

export {
  LEDGER_TRANSACTION_KINDS,
  accountKey,
  foldTotals,
  inAccount,
  invoicePosition,
  paymentPosition,
  zeroTotals,
} from './ledger/ledger';
export type {
  AppliedPosting,
  ApplicationReturnedPosting,
  CreditedPosting,
  InvoicePosition,
  LedgerAccount,
  LedgerTotals,
  LedgerTransaction,
  LedgerTransactionDraft,
  LedgerTransactionKind,
  PaymentPosition,
  Posting,
  ReceivedPosting,
  RefundedPosting,
  VoidedPosting,
  WriteOffReversedPosting,
  WrittenOffPosting,
} from './ledger/ledger';
export { LedgerViolationError, MAX_OPERATION_ID_LENGTH, checkTransaction } from './ledger/ledger-invariants';
export type { LedgerSnapshot } from './ledger/ledger-invariants';
export { LEDGER, operationReused } from './ledger/ledger.port';
export type { AppendOutcome, Ledger } from './ledger/ledger.port';
export { postTransaction, postTransactionIfAny } from './ledger/post-transaction';
export { LedgerProjection } from './ledger/ledger-projection';
export type { UnrestorableCreditNote } from './ledger/ledger-projection';
export { carryIntoLedger } from './ledger/carry-into-ledger';
export type { CarryReport } from './ledger/carry-into-ledger';
export { creditPostings, invoiceStanding, settlementPostings } from './ledger/settlement';
export type { InvoiceStanding } from './ledger/settlement';
export type { LedgerState, TransactionBuild } from './ledger/post-transaction';

export {
  INTEGRITY_CODES,
  REFUSED_CREDIT_NOTE_GAP,
  checkApplications,
  checkInvoices,
  checkLedger,
  checkNumbering,
  checkPayments,
  checkReferences,
  checkSeals,
  checkTenant,
  invoiceFacts,
  paymentFacts,
  summarizeAccounts,
} from './integrity/integrity';
export type {
  AccountSummary,
  IntegrityCode,
  IntegrityFinding,
  InvoiceFacts,
  MinorAmount,
  NumberReservationFacts,
  PaymentFacts,
  TenantIntegrity,
  TenantSnapshot,
  UnreadableDocument,
} from './integrity/integrity';
export { INTEGRITY_READER } from './integrity/integrity-reader.port';
export type { IntegrityReader } from './integrity/integrity-reader.port';
export { checkIntegrity, checkTenantOf } from './integrity/check-integrity';
export type { IntegrityReport } from './integrity/check-integrity';

export { AGING_BUCKETS, agingBucket, daysPastDue, isOwing, isOwingAsOf, isPastDue, summarize } from './queries/invoice-summary';
export { ReportTotalOutOfRangeError, agingRow, balanceRow, reportTotal } from './queries/report-total';
export type { ReportFigure } from './queries/report-total';
export type { AgingBucket, InvoiceSummary } from './queries/invoice-summary';
export { INVOICE_QUERIES } from './queries/invoice-queries.port';
export type {
  AccountBalance,
  AgingRow,
  ContactLastSeen,
  InvoiceFilter,
  InvoiceQueries,
  MonthlySummary,
  PartnerTotals,
  PastDueInvoice,
  PastDueRequest,
} from './queries/invoice-queries.port';
export * from './queries/report.use-cases';

export { INVOICE_USE_CASES, invoiceModule } from './invoice.module';
export { invoiceAdaptersModule } from './invoice-adapters.module';
export type { InvoiceAdapters } from './invoice-adapters.module';

// EN 16931: the semantic model of an e-invoice and its business rules, as a namespace (its `Contact`, `AllowanceCharge` …
// are not the aggregate's).
export * as En16931 from './en16931';
export { assertEn16931Currency, invoiceToEn16931, isCreditNoteType, validateEn16931 } from './en16931';
export type { En16931Document } from './en16931';
export { CALCULATION_RULE, calculationDisagreements, draftFromEn16931 } from './en16931/to-draft';
export type { DraftFromEn16931 } from './en16931/to-draft';
export { EInvoiceRefusedError, ImportEInvoice } from './en16931/import-e-invoice.use-case';
export type { ImportEInvoiceCommand, ImportedEInvoice } from './en16931/import-e-invoice.use-case';
