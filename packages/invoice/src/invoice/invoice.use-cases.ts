import {
  CLOCK,
  ConflictError,
  DomainError,
  ID_GENERATOR,
  InvalidStateError,
  Money,
  NotFoundError,
  ValidationError,
  addDays,
  atPath,
  collectIssues,
  decimal,
  definedFields,
  formatDecimal,
  parseCalendarDate,
  requiredList,
  requiredObject,
  today,
  type CalendarDate,
  type Clock,
  type CurrencyCode,
  type DecimalInput,
  type IdGenerator,
  type TenantId,
} from '@invoicing/core';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { inject, injectable } from 'inversify';
import { MARKETABLE_REPOSITORY, type MarketableRepository } from '../marketable/marketable-repository.port';
import type { Partner } from '../partner/partner';
import { PARTNER_REPOSITORY, type PartnerRepository } from '../partner/partner-repository.port';
import type { Partnership } from '../partnership/partnership';
import { PARTNERSHIP_REPOSITORY, type PartnershipRepository } from '../partnership/partnership-repository.port';
import type { InvoiceId, MarketableId, PartnerId, PartnershipId } from '../shared/ids';
import { INVOICING_SETTINGS, atVersion, load, type InvoicingSettings, type VersionedCommand } from '../shared/use-case-support';
import { optionalText } from '../shared/text';
import { createOnce } from '../shared/create-once';
import { inAccount, type CreditedPosting, type LedgerAccount, type Posting } from '../ledger/ledger';
import { LEDGER, type Ledger } from '../ledger/ledger.port';
import { LedgerProjection } from '../ledger/ledger-projection';
import { postTransaction } from '../ledger/post-transaction';
import { creditPostings, invoiceStanding, settledError, voidedError } from '../ledger/settlement';
import { creditNoteContentOf, creditNoteIssue, draftCreditNote, type CreditNoteContent } from './credit-note-content';
import { creditsWhatWasRequested, type RequestedCredit } from './credit-note-request';
import { amountsByCategory, assertWithinInvoiced, closingVat, remainderLines, type AmountsByCategory } from './credit-note-vat';
import { assertTransition } from './invoice-lifecycle';
import { Invoice, type InvoiceState } from './invoice';
import type { DraftContent } from './invoice-content';
import { periodInput, type InvoicePeriodInput } from './invoice-period';
import { documentAllowanceChargeToInput, invoiceLineToInput, isUnitCode, type AllowanceChargeInput, type DocumentAllowanceChargeInput, type InvoiceLineInput } from './invoice-line';
import { DUPLICATE_WINDOW_DAYS, INVOICE_REPOSITORY, duplicateReferenceDate, type InvoiceRepository } from './invoice-repository.port';
import { NUMBER_SEQUENCE, formatDocumentNumber, parseDocumentNumber, type NumberSequence } from './number-sequence.port';
import { partySnapshot } from './party-snapshot';
import { vatCategoryToInput, type VatCategoryInput } from './vat';

/**
 * A line as callers give it. With a `marketableId`, anything left out comes from the catalogue:
 * name, unit, VAT and price (the partnership's negotiated price, else the list price in the invoice currency).
 */
export interface DraftLineInput {
  readonly id?: string;
  readonly marketableId?: MarketableId;
  readonly name?: string;
  readonly description?: string;
  readonly sellerItemId?: string;
  readonly period?: InvoicePeriodInput;
  readonly quantity: DecimalInput;
  readonly unitCode?: string;
  readonly netPrice?: DecimalInput;
  readonly priceBaseQuantity?: DecimalInput;
  readonly allowances?: readonly AllowanceChargeInput[];
  readonly charges?: readonly AllowanceChargeInput[];
  readonly vat?: VatCategoryInput;
}

/** The content of a draft as callers give it. */
export type DraftInput = Omit<DraftContent, 'lines'> & { readonly lines: readonly DraftLineInput[] };


/** Fills catalogue lines from marketables and the partnership's prices. */
@injectable()
export class LineResolver {
  constructor(@inject(MARKETABLE_REPOSITORY) private readonly marketables: MarketableRepository) {}

  /**
   * `currency`: the document's, when it is not new (a draft or an invoice credited from before the partnership changed
   * currency): list prices are taken in it, and the partnership's negotiated prices only when they are in it too.
   * `named`: the document whose lines these replace or correct (a draft edited, an invoice credited). A marketable its
   * lines name stays usable once deactivated: deactivating ends new sales, not the edits and credits of earlier ones.
   * @throws ValidationError pointing at the line (`lines.N.marketableId` not found or inactive, `lines.N.netPrice`
   * missing, `lines.N` not an object), or `request.is_array` at `lines`
   */
  async resolve(
    tenantId: TenantId,
    partnership: Partnership,
    lines: readonly DraftLineInput[],
    currency: CurrencyCode = partnership.currency,
    named?: Invoice,
  ): Promise<InvoiceLineInput[]> {
    const held = new Set(named?.lines.map((line) => line.marketableId));
    const resolved: InvoiceLineInput[] = [];
    const issues: ValidationError[] = [];
    // Each marketable read once, however many lines name it (a body of 10,000 lines naming one was 10,000 reads).
    const read = new Map<MarketableId, ReturnType<MarketableRepository['get']>>();
    const marketableOf = (id: MarketableId) => read.get(id) ?? read.set(id, this.marketables.get(tenantId, id)).get(id);
    // Every line an object before any is read: a null line is refused by its path, not as a TypeError.
    const given = collectIssues((attempt) => requiredList(lines ?? [], 'lines').map((line, index) => attempt(`lines.${index}`, () => requiredObject(line)) as DraftLineInput));
    for (const [index, line] of given.entries()) {
      if (line.marketableId === undefined) {
        resolved.push(line as InvoiceLineInput);
        continue;
      }
      const marketable = await marketableOf(line.marketableId);
      if (!marketable || (!marketable.active && !held.has(marketable.id))) {
        const reason = marketable ? 'line.marketable_inactive' : 'line.marketable_not_found';
        issues.push(ValidationError.of(`lines.${index}.marketableId`, reason, marketable ? 'the marketable is inactive' : 'no such marketable'));
        continue;
      }
      const negotiated = currency === partnership.currency ? partnership.priceOverride(marketable.id) : undefined;
      const price = line.netPrice ?? negotiated ?? marketable.priceIn(currency);
      if (price === undefined) {
        issues.push(ValidationError.of(`lines.${index}.netPrice`, 'line.price_required', `marketable ${marketable.sku} has no price in ${currency}`));
        continue;
      }
      // A list or negotiated price is per one of the marketable's units: another unit or base quantity needs its own.
      if (line.netPrice === undefined && ((isUnitCode(line.unitCode) && line.unitCode !== marketable.unitCode) || differsFrom(line.priceBaseQuantity))) {
        issues.push(ValidationError.of(`lines.${index}.netPrice`, 'line.price_required', `marketable ${marketable.sku} is priced per 1 ${marketable.unitCode}: give the price for another unit or base quantity`));
        continue;
      }
      resolved.push({
        ...line,
        marketableId: marketable.id,
        name: line.name ?? marketable.name,
        ...definedFields({ description: line.description ?? marketable.toState().description }),
        sellerItemId: line.sellerItemId ?? marketable.sku,
        unitCode: line.unitCode ?? marketable.unitCode,
        netPrice: typeof price === 'object' ? formatDecimal(price) : price,
        vat: line.vat ?? vatCategoryToInput(marketable.defaultVat),
      });
    }
    if (issues.length > 0) throw new ValidationError(issues.flatMap((error) => error.issues));
    return resolved;
  }
}

/** Creates an invoice draft under a partnership, refusing a repeated external reference and flagging look-alikes. */
@injectable()
export class CreateInvoiceDraft {
  constructor(
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(LineResolver) private readonly lines: LineResolver,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /**
   * `id`, when given, is derived from the request (its `Idempotency-Key` and body): a retry of the same request answers
   * the draft an earlier attempt created (as it is now). `parties`, when the caller read them already, are not read
   * again ({@link InvoiceParties}).
   * @throws NotFoundError `partnership.not_found`; InvalidStateError `partnership.not_active`;
   * ConflictError `invoice.duplicate_external_reference`; ValidationError
   */
  async execute(command: CreateInvoiceCommand, parties?: InvoiceParties): Promise<InvoiceState> {
    requiredObject(command);
    const create = () => createOnce<Invoice, InvoiceId, InvoiceState>(this.invoices, command.tenantId, command.id, async () => (await this.prepare(command, parties)).invoice);
    return withReference(this.invoices, command.tenantId, command.externalReference, create);
  }

  /** The draft a command makes, not stored, with the partnership and partners it was checked against. */
  async prepare(command: CreateInvoiceCommand, parties?: InvoiceParties): Promise<PreparedDraft> {
    const { tenantId } = requiredObject(command);
    const given = parties !== undefined && partiesOf(parties, tenantId, command.partnershipId) ? parties : undefined;
    const partnership = given?.partnership ?? (await load(this.partnerships, tenantId, command.partnershipId, 'partnership'));
    const now = this.clock.now();
    const plannedIssueDate = command.issueDate === undefined ? today(this.clock, this.settings.timeZone) : atPath('issueDate', () => parseCalendarDate(command.issueDate as string));
    // Refused before anything is read when no period can help; one dated outside the validity is checked once built.
    if (!partnership.isActiveOn(plannedIssueDate) && (partnership.status === 'suspended' || command.invoicePeriod === undefined)) {
      assertCanInvoice(partnership, plannedIssueDate, undefined);
    }
    const { seller, buyer } = given ?? (await loadParties(this.partners, tenantId, partnership.sellerId, partnership.buyerId));
    for (const partner of [seller, buyer]) {
      if (partner.status === 'archived') throw new InvalidStateError('partner.archived', `partner ${partner.id} is archived`, { partnerId: partner.id });
    }
    if (command.sellerContactId !== undefined) seller.contact(command.sellerContactId);
    if (command.buyerContactId !== undefined) buyer.contact(command.buyerContactId);
    const externalReference = optionalText(command.externalReference, 'externalReference', 100);
    if (externalReference !== undefined) {
      const existing = await this.invoices.findByExternalReference(tenantId, partnership.sellerId, partnership.buyerId, externalReference);
      if (existing) throw duplicateReference(existing.id, externalReference);
    }
    const invoice = Invoice.draft(
      {
        ...command,
        ...definedFields({ buyerReference: command.buyerReference ?? partnership.buyerReference }),
        lines: await this.lines.resolve(tenantId, partnership, command.lines),
        // Set here, never taken from the command: a request body passed through must not draft a credit note,
        // nor choose its own parties, currency, terms or series.
        kind: 'invoice',
        precedingInvoice: undefined,
        ...partnership.draftTerms(),
      },
      { tenantId, id: command.id ?? this.ids.next<'Invoice'>(), at: now, authors: command.authors },
    );
    assertCanInvoice(partnership, plannedIssueDate, invoice);
    // The day stored invoices are compared on: an undated draft's is its UTC day of creation, not today in the
    // configured time zone (audit D7).
    const compared = duplicateReferenceDate({ issueDate: invoice.issueDate, createdAt: now });
    const possibleDuplicateOf = await this.invoices.findPossibleDuplicate(tenantId, {
      buyerId: invoice.buyerId,
      currency: invoice.currency,
      total: invoice.totals.taxInclusive,
      from: daysFrom(compared, -DUPLICATE_WINDOW_DAYS),
      to: daysFrom(compared, DUPLICATE_WINDOW_DAYS),
    });
    if (possibleDuplicateOf !== undefined) invoice.flagPossibleDuplicate(possibleDuplicateOf, now);
    return { invoice, partnership, seller, buyer };
  }
}

/**
 * `date` plus `days`, stopped at the first or last day of the calendar: the look-alike window of a draft planned for
 * 9999-12-30 ends on 9999-12-31 (it was refused with `date.out_of_range`, naming no field: audit D4).
 */
function daysFrom(date: CalendarDate, days: number): CalendarDate {
  try {
    return addDays(date, days);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'date.out_of_range') return (days < 0 ? '0100-01-01' : '9999-12-31') as CalendarDate;
    throw error;
  }
}

/** What creates an invoice: its content, the partnership it is drafted under, and optionally its id (see {@link createOnce}). */
export type CreateInvoiceCommand = DraftInput & {
  readonly tenantId: TenantId;
  readonly partnershipId: PartnershipId;
  readonly externalReference?: string;
  readonly id?: InvoiceId;
  /** Who drafts it: its authors (none of whom approves it when the policy asks for a separate approver). */
  readonly authors?: readonly string[];
};

/**
 * The partnership an invoice is drafted under and its seller and buyer, as a caller read them already: a billing run
 * makes several invoices of one partnership, and many of one seller, and reads them once. They are checked as if read
 * here (active partnership, partners not archived); they are ignored, and read, unless they are the command's: the
 * tenant's partnership it names, with that partnership's seller and buyer.
 */
export interface InvoiceParties {
  readonly partnership: Partnership;
  readonly seller: Partner;
  readonly buyer: Partner;
}

function partiesOf(parties: InvoiceParties, tenantId: TenantId, partnershipId: PartnershipId): boolean {
  const { partnership, seller, buyer } = parties;
  return (
    partnership.tenantId === tenantId &&
    partnership.id === partnershipId &&
    seller.tenantId === tenantId &&
    seller.id === partnership.sellerId &&
    buyer.tenantId === tenantId &&
    buyer.id === partnership.buyerId
  );
}

/** A draft built and checked, not yet stored, with what it was checked against. */
export interface PreparedDraft {
  readonly invoice: Invoice;
  readonly partnership: Partnership;
  readonly seller: Partner;
  readonly buyer: Partner;
}

/**
 * Creates an invoice and issues it in one step, as Stripe's `auto_advance` and Kill Bill's `autoCommit` do: the draft is
 * built and checked as by {@link CreateInvoiceDraft}, issued as by {@link IssueInvoice}, and stored once, issued; a
 * refused issue stores nothing. The number is reserved before the insert, as for a credit note (ADR 0006): a retry of
 * the same request (same id) gets the same number back, and an attempt refused after its reservation leaves the noted
 * gap `integrity.number_gap_refused_credit_note`.
 */
@injectable()
export class CreateIssuedInvoice {
  constructor(
    @inject(CreateInvoiceDraft) private readonly drafts: CreateInvoiceDraft,
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(NUMBER_SEQUENCE) private readonly numbers: NumberSequence,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /** `parties`: as {@link CreateInvoiceDraft.execute}. @throws as {@link CreateInvoiceDraft} and {@link IssueInvoice} */
  async execute(command: CreateInvoiceCommand, parties?: InvoiceParties): Promise<InvoiceState> {
    requiredObject(command);
    const create = () =>
      createOnce<Invoice, InvoiceId, InvoiceState>(this.invoices, command.tenantId, command.id, async () => {
        const { invoice, partnership, seller, buyer } = await this.drafts.prepare(command, parties);
        try {
          await issueDraft(invoice, { partnership, seller, buyer }, { numbers: this.numbers, clock: this.clock, settings: this.settings });
        } catch (error) {
          throw refusedUnstored(error, invoice.id, partnership.id);
        }
        return invoice;
      });
    return withReference(this.invoices, command.tenantId, command.externalReference, create);
  }
}

/**
 * A refusal of {@link CreateIssuedInvoice} stored nothing: it names the partnership, never the id of the draft it
 * built, which no read would find. `invoice.approval_required` is the one refusal of issuing that names the draft.
 */
function refusedUnstored(error: unknown, invoiceId: InvoiceId, partnershipId: PartnershipId): unknown {
  if (!(error instanceof InvalidStateError) || error.code !== 'invoice.approval_required' || error.details['invoiceId'] !== invoiceId) return error;
  const { invoiceId: _unstored, ...details } = error.details;
  // No "nothing was stored": a billing run stores the draft after this refusal (bill-partnership.ts).
  const message = `partnership ${partnershipId} requires approval before an invoice is issued: create a draft, approve it, then issue it`;
  return new InvalidStateError(error.code, message, { ...details, partnershipId });
}

/** Runs `task` holding the external reference, when there is one (see {@link InvoiceRepository.holdingReference}). */
function withReference<T>(invoices: InvoiceRepository, tenantId: TenantId, reference: string | undefined, task: () => Promise<T>): Promise<T> {
  const held = referenceOf(reference);
  return held === undefined ? task() : invoices.holdingReference(tenantId, held, task);
}

/**
 * @throws InvalidStateError `partnership.not_active` unless the partnership {@link Partnership.canInvoice can invoice}
 * the date and what the invoice claims (its period and its lines')
 */
function assertCanInvoice(partnership: Partnership, issueDate: CalendarDate, invoice: Pick<Invoice, 'invoicePeriod' | 'lines'> | undefined): void {
  const period = invoice?.invoicePeriod;
  if (partnership.canInvoice(issueDate, { period, linePeriods: invoice?.lines.map((line) => line.period) })) return;
  const claimed = period === undefined ? '' : `, nor are all the days the invoice is for (${period.start ?? '…'} to ${period.end ?? '…'}, and its lines') within its validity`;
  throw new InvalidStateError('partnership.not_active', `partnership ${partnership.id} is not active on ${issueDate}${claimed}`, {
    partnershipId: partnership.id,
    date: issueDate,
    ...(period === undefined ? {} : { invoicePeriod: periodInput(period) }),
  });
}

/**
 * Issues a draft in memory (the caller stores it): checks the partnership's policy and EN 16931 completeness, then
 * reserves the next number of the series (the same one again if a previous attempt reserved it for this document),
 * freezes the parties and computes the due date.
 * @throws InvalidStateError `invoice.not_draft` | `invoice.approval_required` | `partnership.not_active`; ValidationError `invoice.not_issuable`
 */
async function issueDraft(
  invoice: Invoice,
  checkedAgainst: { readonly partnership: Partnership; readonly seller: Partner; readonly buyer: Partner },
  deps: { readonly numbers: NumberSequence; readonly clock: Clock; readonly settings: InvoicingSettings },
): Promise<void> {
  const { partnership } = checkedAgainst;
  const issueDate = invoice.issueDate ?? today(deps.clock, deps.settings.timeZone);
  if (invoice.kind === 'invoice') assertCanInvoice(partnership, issueDate, invoice);
  const seller = partySnapshot(checkedAgainst.seller, invoice.sellerContactId);
  const buyer = partySnapshot(checkedAgainst.buyer, invoice.buyerContactId);
  // The total with VAT, or what is due when a rounding amount makes that more: a prepaid amount never lowers it, and
  // neither figure can pass the largest amount (their sum could).
  const { taxInclusive, amountDue } = invoice.totals;
  const weighed = taxInclusive.max(amountDue);
  const context = { issueDate, seller, buyer, requiresApproval: invoice.kind === 'invoice' && partnership.requiresApproval(weighed), separateApprover: partnership.requiresSeparateApprover() };
  // Check everything before reserving, so a refused issue never consumes a number.
  invoice.assertIssuable(context);
  const sequence = await deps.numbers.reserve(invoice.tenantId, invoice.series, invoice.id);
  invoice.issue({ ...context, number: formatDocumentNumber(invoice.series, sequence), at: deps.clock.now() });
}

/** Replaces the content of a draft. */
@injectable()
export class UpdateInvoiceDraft {
  constructor(
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(LineResolver) private readonly lines: LineResolver,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `authors`: who changes it; they join its authors. */
  async execute(command: VersionedCommand & { readonly invoiceId: InvoiceId; readonly content: DraftInput; readonly authors?: readonly string[] }): Promise<InvoiceState> {
    const invoice = await load(this.invoices, command.tenantId, command.invoiceId, 'invoice', command.expectedVersion);
    const partnership = await load(this.partnerships, command.tenantId, invoice.partnershipId, 'partnership');
    await assertContacts(this.partners, command.tenantId, partnership, command.content);
    invoice.update(
      {
        ...command.content,
        // The reference the draft copied at creation: terms changed since do not reach an existing draft.
        ...definedFields({ buyerReference: command.content.buyerReference ?? invoice.toState().buyerReference }),
        lines: await this.lines.resolve(command.tenantId, partnership, command.content.lines, invoice.currency, invoice),
      },
      this.clock.now(),
      command.authors,
    );
    await this.invoices.save(invoice);
    return invoice.toState();
  }
}

/**
 * Approves a draft whose partnership requires it. Under a policy that asks for a separate approver, none of the
 * draft's authors approves it (`invoice.self_approval`); issuing checks it again, since the policy may change after.
 */
@injectable()
export class ApproveInvoice {
  constructor(
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Under a separate approver's policy, the approval names the one version approved (`expectedVersion`): one given
   * without, or with several, could approve a change its approver never saw.
   * @throws NotFoundError; ConflictError `concurrency.stale_version`; InvalidStateError `invoice.not_draft` | `invoice.self_approval` | `invoice.approval_version_required`
   */
  async execute(command: VersionedCommand & { readonly invoiceId: InvoiceId; readonly approvedBy: string }): Promise<InvoiceState> {
    const invoice = await load(this.invoices, command.tenantId, command.invoiceId, 'invoice', command.expectedVersion);
    if (invoice.status === 'draft' && (await load(this.partnerships, command.tenantId, invoice.partnershipId, 'partnership')).requiresSeparateApprover()) {
      if (invoice.isAuthor(command.approvedBy)) {
        throw new InvalidStateError('invoice.self_approval', `invoice ${invoice.id} has ${command.approvedBy} among its authors: the partnership's policy asks someone else to approve it`, { invoiceId: invoice.id });
      }
      // One version: a list (or none) would approve whichever of them the draft is at.
      if (typeof command.expectedVersion !== 'number') {
        throw new InvalidStateError('invoice.approval_version_required', `the partnership's policy asks for a separate approver: approve invoice ${invoice.id} at the one version you reviewed (If-Match)`, {
          invoiceId: invoice.id,
          version: invoice.version,
        });
      }
    }
    invoice.approve(command.approvedBy, this.clock.now());
    await this.invoices.save(invoice);
    return invoice.toState();
  }
}

/**
 * Issues a draft: checks the policy and EN 16931 completeness, reserves the next number of the series
 * (the same one again if a previous attempt reserved it), freezes the parties and computes the due date.
 */
@injectable()
export class IssueInvoice {
  constructor(
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(NUMBER_SEQUENCE) private readonly numbers: NumberSequence,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /** @throws InvalidStateError `invoice.not_draft` | `invoice.approval_required` | `partnership.not_active`; ValidationError `invoice.not_issuable` */
  async execute(command: VersionedCommand & { readonly invoiceId: InvoiceId }): Promise<InvoiceState> {
    const { tenantId } = command;
    const invoice = await load(this.invoices, tenantId, command.invoiceId, 'invoice', command.expectedVersion);
    const partnership = await load(this.partnerships, tenantId, invoice.partnershipId, 'partnership');
    const { seller, buyer } = await loadParties(this.partners, tenantId, invoice.sellerId, invoice.buyerId);
    await issueDraft(invoice, { partnership, seller, buyer }, { numbers: this.numbers, clock: this.clock, settings: this.settings });
    await this.invoices.save(invoice);
    return invoice.toState();
  }
}

/**
 * Voids an issued invoice nothing was paid or credited on. The void is a ledger transaction (ADR 0006): appended after
 * everything that paid or credited the invoice, or before anything that could, so a payment or credit note racing it
 * either makes it refuse (`invoice.has_payments`, `invoice.has_credits`) or is refused by it (`invoice.voided`).
 */
@injectable()
export class VoidInvoice {
  constructor(
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(LEDGER) private readonly ledger: Ledger,
    @inject(LedgerProjection) private readonly projection: LedgerProjection,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** @throws NotFoundError `invoice.not_found`; ConflictError `concurrency.stale_version`; InvalidStateError per the lifecycle, `invoice.has_payments` | `invoice.has_credits` */
  async execute(command: VersionedCommand & { readonly invoiceId: InvoiceId; readonly reason?: string }): Promise<InvoiceState> {
    const invoice = await load(this.invoices, command.tenantId, command.invoiceId, 'invoice', command.expectedVersion);
    // Checked on the document first, so a refused void writes nothing; the ledger then decides any race.
    invoice.assertVoidable(command.reason);
    const reason = command.reason?.trim() || undefined;
    // The same void appended since the document was read (a retry, or the same request sent to two processes) is
    // answered by postTransaction: its build here is refused, and the stored void is the answer.
    const { transaction, read } = await postTransaction(this.ledger, { account: accountOf(invoice), operationId: `void:${invoice.id}` }, async (state) => {
      const standing = await invoiceStanding(state, invoice);
      if (standing.voided) throw voidedError(invoice.id);
      if (standing.paid.isPositive()) throw new InvalidStateError('invoice.has_payments', `invoice ${invoice.id} has payments; credit it instead`, { invoiceId: invoice.id });
      if (standing.credited.isPositive()) throw new InvalidStateError('invoice.has_credits', `invoice ${invoice.id} has credit notes; credit the rest instead`, { invoiceId: invoice.id });
      const reversal: Posting[] = standing.writtenOff.isPositive() ? [{ type: 'write_off_reversed', amount: standing.writtenOff, invoiceId: invoice.id, invoiceDue: standing.due }] : [];
      return {
        kind: 'void',
        postings: [...reversal, { type: 'voided', amount: standing.due, invoiceId: invoice.id, invoiceDue: standing.due, ...definedFields({ reason }) }],
        at: this.clock.now(),
      };
    });
    await this.projection.project(transaction, read);
    return (await load(this.invoices, command.tenantId, invoice.id, 'invoice')).toState();
  }
}

/**
 * Writes an invoice off as uncollectible: what it still owes is posted to the ledger as written off. The buyer may
 * still pay it or be credited; that reverses as much of the write-off as it needs.
 */
@injectable()
export class MarkInvoiceUncollectible {
  constructor(
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(LEDGER) private readonly ledger: Ledger,
    @inject(LedgerProjection) private readonly projection: LedgerProjection,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** @throws NotFoundError `invoice.not_found`; ConflictError `concurrency.stale_version`; InvalidStateError per the lifecycle */
  async execute(command: VersionedCommand & { readonly invoiceId: InvoiceId }): Promise<InvoiceState> {
    const invoice = await load(this.invoices, command.tenantId, command.invoiceId, 'invoice', command.expectedVersion);
    assertTransition(invoice, 'markUncollectible');
    const { transaction, read } = await postTransaction(this.ledger, { account: accountOf(invoice), operationId: `write_off:${invoice.id}` }, async (state) => {
      const standing = await invoiceStanding(state, invoice);
      if (standing.voided) throw voidedError(invoice.id);
      const outstanding = standing.owed.subtract(standing.writtenOff);
      // Written off already as of the ledger (the same write-off since the document was read is answered by
      // postTransaction instead), or settled since.
      if (!outstanding.isPositive() && standing.writtenOff.isPositive()) {
        throw new InvalidStateError('invoice.already_uncollectible', `invoice ${invoice.id} is written off already`, { invoiceId: invoice.id });
      }
      if (!outstanding.isPositive()) throw settledError(standing, invoice.id);
      return { kind: 'write_off', postings: [{ type: 'written_off', amount: outstanding, invoiceId: invoice.id, invoiceDue: standing.due }], at: this.clock.now() };
    });
    await this.projection.project(transaction, read);
    return (await load(this.invoices, command.tenantId, invoice.id, 'invoice')).toState();
  }
}

/** The ledger account an invoice's money moves in: its buyer's, in its currency. */
function accountOf(invoice: Invoice): LedgerAccount {
  return { tenantId: invoice.tenantId, partnerId: invoice.buyerId, currency: invoice.currency };
}

/**
 * Issues a credit note for an invoice and applies it: by default for all of the invoice's lines, allowances and
 * charges (a full credit), or what its earlier credit notes left, or for the lines given. The credit can never exceed
 * what the buyer still owes, nor, with the earlier credit notes, what the invoice charged in a VAT category; the one
 * that takes the last of a category's taxable amount takes its VAT left (`closingVat`).
 */
@injectable()
export class CreateCreditNote {
  constructor(
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(LEDGER) private readonly ledger: Ledger,
    @inject(LedgerProjection) private readonly projection: LedgerProjection,
    @inject(NUMBER_SEQUENCE) private readonly numbers: NumberSequence,
    @inject(LineResolver) private readonly lines: LineResolver,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /**
   * `id`, when given, makes the call idempotent by construction (the API derives it from the tenant and the
   * `Idempotency-Key`): a retry finds the credit note an earlier attempt stored and answers it, or completes one whose
   * credit the invoice already holds (its `expectedVersion` is then not checked again: the first attempt moved it).
   * @throws InvalidStateError per the lifecycle (`invoice.not_issued`, `invoice.already_paid` …),
   * `invoice.earlier_credit_unknown`; DomainError `invoice.credit_exceeds_outstanding` |
   * `invoice.credit_exceeds_vat_category` | `idempotency.key_reused` (`id` names a document made for another request);
   * ConflictError `concurrency.conflict`; ValidationError
   */
  async execute(
    command: VersionedCommand & {
      readonly invoiceId: InvoiceId;
      readonly lines?: readonly DraftLineInput[];
      readonly allowances?: readonly DocumentAllowanceChargeInput[];
      readonly charges?: readonly DocumentAllowanceChargeInput[];
      readonly reason?: string;
      readonly externalReference?: string;
      readonly id?: InvoiceId;
    },
  ): Promise<InvoiceState> {
    return withReference(this.invoices, command.tenantId, command.externalReference, () => this.attemptOnceMore(command));
  }

  private async attemptOnceMore(command: Parameters<CreateCreditNote['execute']>[0]): Promise<InvoiceState> {
    const tried: Tried = {};
    try {
      return await this.attemptOnCurrentCredits(command, tried);
    } catch (error) {
      // Refused on checks made before another attempt of this request (one whose key this retry took over) appended
      // its credit: the invoice's version moved, or it owes less. That credit is this request's: it is completed, not
      // answered with a refusal that the key would keep.
      if (command.id === undefined || !(error instanceof DomainError) || error.code === 'idempotency.key_reused') throw error;
      if (tried.operationId === undefined || !(await this.ledger.byOperation(command.tenantId, tried.operationId))) throw error;
      return this.attemptOnCurrentCredits(command, tried);
    }
  }

  /**
   * An attempt, made again when another credit of the invoice was appended between its reading the invoice's credit
   * notes and appending its own: what it may take in each VAT category depends on them. Made again under the same id,
   * it keeps the number it reserved.
   * @throws ConflictError `concurrency.conflict` when that happens three times running
   */
  private async attemptOnCurrentCredits(command: Parameters<CreateCreditNote['execute']>[0], tried: Tried): Promise<InvoiceState> {
    for (let round = 1; ; round += 1) {
      try {
        return await this.attempt(command, tried);
      } catch (error) {
        if (!(error instanceof CreditedMeanwhile)) throw error;
        if (round >= 3) {
          throw new ConflictError('concurrency.conflict', `invoice ${command.invoiceId} was credited by other credit notes at the same moment: retry`, { invoiceId: command.invoiceId });
        }
      }
    }
  }

  private async attempt(command: Parameters<CreateCreditNote['execute']>[0], tried: Tried): Promise<InvoiceState> {
    const { tenantId } = command;
    if (command.id !== undefined) {
      const stored = await this.invoices.get(tenantId, command.id);
      if (stored) return this.answerStored(stored, command);
    }
    const found = await load(this.invoices, tenantId, command.invoiceId, 'invoice');
    const reference = referenceOf(command.externalReference);
    // An earlier attempt of this request already applied the credit: finish it as it was made, rather than check it again.
    let earlier: EarlierCredit | undefined;
    if (command.id !== undefined) {
      tried.operationId = creditOperation(found, command.id, reference);
      earlier = await this.begun(tenantId, tried.operationId, command.id, reference);
      // Recorded by a release before credits were keyed by their reference: under the credit note's own operation.
      const own = `credit_note:${command.id}`;
      if (earlier === undefined && tried.operationId !== own) {
        earlier = await this.begun(tenantId, own, command.id, undefined);
        if (earlier !== undefined) tried.operationId = own;
      }
    }
    const begun = earlier !== undefined;
    const invoice = begun ? found : atVersion(found, 'invoice', command.expectedVersion);
    if (invoice.kind !== 'invoice') throw new InvalidStateError('credit_note.not_creditable', 'a credit note corrects an invoice, not another credit note');
    // Checked as its invoice was: one recorded from another system's history, without the rules about its parties.
    const issuing = creditNoteIssue(invoice, earlier?.creditedOn ?? today(this.clock, this.settings.timeZone));
    if (!issuing || invoice.number === undefined || invoice.issueDate === undefined) {
      throw new InvalidStateError('invoice.not_issued', `invoice ${invoice.id} is not issued`, { invoiceId: invoice.id });
    }
    const partnership = await load(this.partnerships, tenantId, invoice.partnershipId, 'partnership');
    const original = invoice.toState();
    // Made again after another credit was appended meanwhile: under the same id, so with the number it reserved.
    const id = command.id ?? (tried.id ??= this.ids.next<'Invoice'>());
    const others = await this.otherCredits(invoice, id);
    // The series the earlier attempt numbered it in, were the partnership's changed since.
    const series = (earlier?.creditNoteNumber && parseDocumentNumber(earlier.creditNoteNumber)?.series) || partnership.numbering.creditNote;
    const context = { tenantId, id, series, at: this.clock.now() };
    const creditNote =
      earlier?.content !== undefined
        ? // Built again as the ledger holds it, not from today's catalogue; this request must be the one that made it.
          checkedAgainst(draftCreditNote(invoice, earlier.content, context), command, requestedCredit(command, original, others.credited))
        : closing(invoice, await this.requestedContent(command, partnership, invoice, others.credited), others.credited, context);
    const amount = creditNote.totals.amountDue;
    if (!begun) {
      invoice.assertCreditable(amount);
      assertWithinInvoiced(invoice.id, categoriesOf(original), others.credited, creditNote.vatBreakdown);
    }
    const { issueDate } = issuing;
    creditNote.assertIssuable(issuing);
    if (reference !== undefined) {
      const existing = await this.invoices.findByExternalReference(tenantId, invoice.sellerId, invoice.buyerId, reference);
      if (existing) throw duplicateReference(existing.id, reference);
    }
    const number = earlier?.creditNoteNumber || formatDocumentNumber(creditNote.series, await this.numbers.reserve(tenantId, creditNote.series, creditNote.id));
    creditNote.issue({ ...issuing, number, at: this.clock.now() });
    // The credit is appended to the ledger before the credit note is stored: a concurrent payment or credit then refuses
    // this one before the credit note exists, instead of leaving an issued credit note that no invoice accounts for.
    // A retry of the same request (same id, so the same number) finds the transaction and completes what is missing.
    const operationId = tried.operationId ?? creditOperation(invoice, creditNote.id, reference);
    tried.operationId = operationId;
    const { transaction, read } = await postTransaction(this.ledger, { account: accountOf(invoice), operationId }, async (state) => {
      const standing = await invoiceStanding(state, invoice);
      if (standing.voided) throw new InvalidStateError('invoice.voided', `invoice ${invoice.id} is void`, { invoiceId: invoice.id });
      // Credited in full since the checks above (a credit at the same moment): the code the lifecycle would give now.
      if (!standing.creditable.isPositive()) throw settledError({ ...standing, lastSettlement: 'credited' }, invoice.id);
      // Credited by another credit note since this one read them: what it takes per VAT category is decided again.
      if (!standing.credited.equals(others.inLedger)) throw new CreditedMeanwhile();
      // What is paid is creditable too: the credit takes it back from the payments, as the buyer's credit.
      if (amount.greaterThan(standing.creditable)) {
        throw new DomainError('invoice.credit_exceeds_outstanding', `${amount.toString()} exceeds the ${standing.creditable.toString()} ${invoice.currency} not credited yet`, {
          invoiceId: invoice.id,
          amount: amount.toJSON(),
          outstanding: standing.owed.toJSON(),
          creditable: standing.creditable.toJSON(),
        });
      }
      const credited: CreditedPosting = {
        type: 'credited',
        amount,
        creditNoteId: creditNote.id,
        creditNoteNumber: creditNote.number ?? '',
        invoiceId: invoice.id,
        invoiceDue: standing.due,
        creditedOn: issueDate,
      };
      return { kind: 'credit_note', postings: creditPostings(standing, credited), at: this.clock.now(), creditNote: creditNoteContentOf(creditNote.toState()) };
    }).catch((error: unknown) => {
      // The reference's operation stored for another account: another credit note took the reference (another currency).
      throw reference !== undefined && error instanceof ConflictError && error.code === 'ledger.operation_reused' ? duplicateReference(undefined, reference) : error;
    });
    const credit = transaction.postings.find((posting) => posting.type === 'credited');
    // The reference's operation stored by another credit note (made at the same moment): nothing was moved for this one.
    if (reference !== undefined && credit?.type === 'credited' && credit.creditNoteId !== creditNote.id) throw duplicateReference(credit.creditNoteId, reference);
    if (transaction.kind !== 'credit_note' || credit?.type !== 'credited' || credit.creditNoteId !== creditNote.id || credit.invoiceId !== invoice.id || !credit.amount.equals(amount)) {
      throw new DomainError('idempotency.key_reused', `document ${creditNote.id} was made for a different request: use a new idempotency key`, { id: creditNote.id });
    }
    await this.projection.project(transaction, read);
    try {
      await this.invoices.save(creditNote);
    } catch (error) {
      // A concurrent attempt of the same request stored it first, or `db:project-ledger` made it from the ledger. Without
      // a key the id is this attempt's own: what is stored under it is this request's credit note, made from its credit.
      const stored = error instanceof ConflictError ? await this.invoices.get(tenantId, creditNote.id) : undefined;
      if (!stored) throw error;
      return command.id === undefined ? stored.toState() : this.answerStored(stored, command);
    }
    return creditNote.toState();
  }

  /**
   * The credit an attempt of this request appended already, if one did (empty when the operation holds another
   * request's). Under an external reference the operation may be another credit note's, which took the reference first.
   * @throws ConflictError `invoice.duplicate_external_reference`
   */
  private async begun(tenantId: TenantId, operationId: string, id: InvoiceId, reference: string | undefined): Promise<EarlierCredit | undefined> {
    const stored = await this.ledger.byOperation(tenantId, operationId);
    if (!stored) return undefined;
    const credit = stored.postings.find((posting) => posting.type === 'credited');
    if (reference !== undefined && credit?.type === 'credited' && credit.creditNoteId !== id) throw duplicateReference(credit.creditNoteId, reference);
    // Another request's (its key reused): the checks after the append refuse it.
    return credit?.type === 'credited' && credit.creditNoteId === id ? { ...credit, ...definedFields({ content: stored.creditNote }) } : {};
  }

  /**
   * The content a request asks for: the invoice's whole content, or what its other credit notes (`credited`) left of
   * it, or its lines priced as invoiced.
   */
  private async requestedContent(command: Parameters<CreateCreditNote['execute']>[0], partnership: Partnership, invoice: Invoice, credited: AmountsByCategory): Promise<CreditNoteContent> {
    const original = invoice.toState();
    const full = command.lines === undefined;
    const rest = full ? remainderOf(original, credited) : undefined;
    return {
      lines: rest?.lines ?? (full ? original.lines.map(invoiceLineToInput) : await this.lines.resolve(command.tenantId, partnership, asInvoiced(command.lines ?? [], original), original.currency, invoice)),
      allowances: command.allowances ?? (full && !rest ? original.allowances.map((each) => documentAllowanceChargeToInput(each, 'allowance')) : []),
      charges: command.charges ?? (full && !rest ? original.charges.map((each) => documentAllowanceChargeToInput(each, 'charge')) : []),
      // A full credit mirrors the invoice, prepaid and rounding amounts included, so it credits exactly its amount due;
      // after credits by lines (which take neither), it takes them with what is left.
      prepaidAmount: full ? original.totals.prepaid.toString() : '0',
      roundingAmount: full ? original.totals.rounding.toString() : '0',
      notes: command.reason === undefined ? [] : [command.reason],
      ...definedFields({ purchaseOrderReference: original.purchaseOrderReference, buyerReference: original.buyerReference, externalReference: command.externalReference }),
      // A full credit is for the days its invoice was for; some lines, for the days their own periods say.
      ...(full && original.invoicePeriod ? { invoicePeriod: periodInput(original.invoicePeriod) } : {}),
    };
  }

  /**
   * The stored credit note of a request made again under its id; refused with `idempotency.key_reused` unless it is
   * what this request asks for. A full credit is compared with the invoice's lines (read for that).
   */
  private async answerStored(stored: Invoice, command: Parameters<CreateCreditNote['execute']>[0]): Promise<InvoiceState> {
    const invoice = command.lines === undefined ? await this.invoices.get(command.tenantId, command.invoiceId) : undefined;
    const credited = invoice?.kind === 'invoice' ? (await this.otherCredits(invoice, stored.id)).credited : new Map();
    return checkedAgainst(stored, command, requestedCredit(command, invoice?.toState(), credited)).toState();
  }

  /**
   * What the invoice's other credit notes took back, by VAT category: read from each one's document, or, not stored
   * yet, from the content the ledger keeps with its credit (ADR 0024). `inLedger`: the sum of their credits in the
   * ledger, by which the append tells that no other credit came in between.
   * @throws InvalidStateError `invoice.earlier_credit_unknown` for a credit with neither (appended by a release before
   * ADR 0024), or whose content cannot be read as a credit note: what it took back is unknown
   */
  private async otherCredits(invoice: Invoice, id: InvoiceId): Promise<{ readonly credited: AmountsByCategory; readonly inLedger: Money }> {
    const { tenantId } = invoice;
    const account = accountOf(invoice);
    const operations = new Map<InvoiceId, string | undefined>();
    let inLedger = Money.zero(invoice.currency);
    for (const transaction of await this.ledger.forInvoice(tenantId, invoice.id)) {
      if (!inAccount(transaction, account)) continue;
      for (const posting of transaction.postings) {
        if (posting.type !== 'credited' || posting.invoiceId !== invoice.id || posting.creditNoteId === id) continue;
        operations.set(posting.creditNoteId, transaction.operationId);
        inLedger = inLedger.add(posting.amount);
      }
    }
    // Credited before the ledger recorded money, and not carried into it yet: the invoice names them.
    for (const applied of invoice.credits) if (applied.creditNoteId !== id && !operations.has(applied.creditNoteId)) operations.set(applied.creditNoteId, undefined);
    const breakdowns = await Promise.all(
      [...operations].map(async ([creditNoteId, operationId]) => {
        const stored = await this.invoices.get(tenantId, creditNoteId);
        if (stored) return stored.vatBreakdown;
        const unknown = (reason: string) =>
          new InvalidStateError('invoice.earlier_credit_unknown', `credit note ${creditNoteId} of invoice ${invoice.id} is not stored and cannot be made from the ledger: what it took back is unknown`, {
            invoiceId: invoice.id,
            creditNoteId,
            reason,
          });
        try {
          const content = operationId === undefined ? undefined : (await this.ledger.byOperation(tenantId, operationId))?.creditNote;
          if (content === undefined) throw unknown('ledger.content_missing');
          return draftCreditNote(invoice, content, { tenantId, id: creditNoteId, series: invoice.series, at: this.clock.now() }).vatBreakdown;
        } catch (error) {
          if (error instanceof InvalidStateError && error.code === 'invoice.earlier_credit_unknown') throw error;
          if (error instanceof DomainError || error instanceof TypeError || error instanceof SyntaxError) throw unknown('ledger.content_unreadable');
          throw error;
        }
      }),
    );
    return { credited: amountsByCategory(breakdowns), inLedger };
  }
}

/** What an attempt of a credit note did that another attempt of the same request goes on from. */
interface Tried {
  /** The operation its credit is appended under. */
  operationId?: string;
  /** The credit note's id when the request gives none. */
  id?: InvoiceId;
}

/** Another credit of the invoice was appended since the attempt read its credit notes: it is made again. */
class CreditedMeanwhile extends Error {}

/** The invoice's VAT categories, with what it charged in each. */
function categoriesOf(invoice: InvoiceState): AmountsByCategory {
  return amountsByCategory([invoice.vatBreakdown]);
}

/**
 * The draft credit note of this content, taking the VAT left in the categories it closes: those whose taxable amount
 * it takes the last of, after what the invoice's other credit notes (`credited`) took (see `closingVat`).
 */
function closing(invoice: Invoice, content: CreditNoteContent, credited: AmountsByCategory, context: Parameters<typeof draftCreditNote>[2]): Invoice {
  const draft = draftCreditNote(invoice, content, context);
  const closed = closingVat(categoriesOf(invoice.toState()), credited, draft.vatBreakdown);
  return closed.length === 0 ? draft : draftCreditNote(invoice, { ...content, closingVat: closed }, context);
}

/** What a credit without lines takes once other credit notes (`credited`) took part of the invoice: what they left. */
function remainderOf(invoice: InvoiceState, credited: AmountsByCategory): { readonly lines: InvoiceLineInput[] } | undefined {
  return credited.size === 0 ? undefined : { lines: remainderLines(invoice, categoriesOf(invoice), credited) };
}

/** Reads one invoice or credit note. */
@injectable()
export class GetInvoice {
  constructor(@inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository) {}

  /** @throws NotFoundError `invoice.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly invoiceId: InvoiceId }): Promise<InvoiceState> {
    return (await load(this.invoices, query.tenantId, query.invoiceId, 'invoice')).toState();
  }
}

function duplicateReference(existingId: InvoiceId | undefined, externalReference: string): ConflictError {
  return new ConflictError('invoice.duplicate_external_reference', `an invoice with external reference ${externalReference} already exists`, {
    ...definedFields({ existingInvoiceId: existingId }),
    externalReference,
  });
}

/**
 * Credit note lines naming a marketable without a price take the price, unit and VAT of the invoice's line for it: a
 * credit note takes back what was charged, at the rate it was taxed, not today's catalogue (and a retry after a crash
 * then builds the same credit note). A marketable the invoice charged at several prices needs the line's own price; one
 * it did not charge, the line's own price and VAT.
 * @throws ValidationError `line.price_required` at such a line
 */
function asInvoiced(lines: readonly DraftLineInput[], invoice: InvoiceState): DraftLineInput[] {
  const issues: ValidationError[] = [];
  const priced = lines.map((line, index) => {
    if (line.marketableId === undefined) return line;
    const charged = invoice.lines.filter((each) => each.marketableId === line.marketableId).map(invoiceLineToInput);
    const [first] = charged;
    if (!first) {
      // Not invoiced: today's catalogue would price it, and a retry after an interruption, priced again, could then
      // never make the same credit note. The line says what it credits.
      if (line.netPrice === undefined || line.vat === undefined) {
        issues.push(ValidationError.of(`lines.${index}.netPrice`, 'line.price_required', 'the invoice did not charge this marketable: give the line its netPrice and vat'));
      }
      return line;
    }
    if (line.netPrice !== undefined) {
      // Its own price, taxed as the invoice taxed it: today's catalogue VAT would take back another tax than was charged.
      // Its unit and name as invoiced where the invoice has one of each; its price base quantity is its own (1 when left
      // out, as on any line): the price it gives is per that.
      const agreed = <Field extends 'unitCode' | 'name' | 'vat'>(field: Field): InvoiceLineInput[Field] | undefined =>
        line[field] === undefined && new Set(charged.map((each) => JSON.stringify(each[field] ?? null))).size === 1 ? first[field] : undefined;
      const vat = line.vat ?? agreed('vat');
      if (vat === undefined) {
        issues.push(ValidationError.of(`lines.${index}.vat`, 'line.vat_required', 'the invoice charged this marketable at several VAT categories or rates: give the line its vat'));
      }
      return { ...line, ...definedFields({ vat, unitCode: agreed('unitCode'), name: agreed('name'), sellerItemId: line.sellerItemId ?? first.sellerItemId }) };
    }
    const key = (each: InvoiceLineInput) => JSON.stringify([each.netPrice, each.priceBaseQuantity, each.unitCode, each.vat]);
    if (charged.some((each) => key(each) !== key(first))) {
      issues.push(ValidationError.of(`lines.${index}.netPrice`, 'line.price_required', 'the invoice charged this marketable at several prices: give the line its price'));
      return line;
    }
    // The invoice's price is per its unit and base quantity: another unit or base needs its own price.
    if ((line.unitCode !== undefined && line.unitCode !== first.unitCode) || differsFrom(line.priceBaseQuantity, first.priceBaseQuantity)) {
      issues.push(ValidationError.of(`lines.${index}.netPrice`, 'line.price_required', `the invoice charged this marketable per ${formatDecimal(decimal(first.priceBaseQuantity ?? '1'))} ${first.unitCode}: give the price for another unit or base quantity`));
      return line;
    }
    return {
      ...line,
      netPrice: first.netPrice,
      ...definedFields({
        priceBaseQuantity: line.priceBaseQuantity ?? first.priceBaseQuantity,
        unitCode: line.unitCode ?? first.unitCode,
        vat: line.vat ?? first.vat,
        name: line.name ?? first.name,
        sellerItemId: line.sellerItemId ?? first.sellerItemId,
      }),
    };
  });
  if (issues.length > 0) throw new ValidationError(issues.flatMap((error) => error.issues));
  return priced;
}

/**
 * Whether a price base quantity the line gives differs from `reference` (1 unless given). An absent one does not; nor
 * does a malformed one: the line's own parsing says so, at its path.
 */
function differsFrom(given: DecimalInput | undefined, reference: DecimalInput = '1'): boolean {
  if (given === undefined) return false;
  try {
    return !decimal(given).equals(decimal(reference));
  } catch {
    return false;
  }
}

/** The external reference as a document stores it; undefined when there is none, or when the draft will refuse it. */
function referenceOf(value: string | undefined): string | undefined {
  try {
    return optionalText(value, 'externalReference', 100);
  } catch {
    return undefined;
  }
}

/**
 * A credit note's operation in the ledger. Under an external reference it is the reference's (between that seller and
 * buyer): of two credit notes given the same one at once, the ledger's unique operation then refuses the second before
 * it moves any money, where the document's unique key would refuse it only after its credit (review of 6 December
 * 2026: an invoice credited twice, with one credit note). Hashed: a reference may hold line breaks, and 100 characters.
 */
function creditOperation(invoice: Invoice, creditNoteId: InvoiceId, reference: string | undefined): string {
  if (reference === undefined) return `credit_note:${creditNoteId}`;
  return `credit_note_reference:${invoice.sellerId}/${invoice.buyerId}/${bytesToHex(sha256(utf8ToBytes(reference)))}`;
}

/**
 * The seller and the buyer, read at once.
 * @throws NotFoundError `partner.not_found` for the first of them missing
 */
async function loadParties(partners: PartnerRepository, tenantId: TenantId, sellerId: PartnerId, buyerId: PartnerId): Promise<{ seller: Partner; buyer: Partner }> {
  const found = await partners.getMany(tenantId, [sellerId, buyerId]);
  const one = (id: PartnerId): Partner => {
    const partner = found.find((candidate) => candidate.id === id);
    if (!partner) throw new NotFoundError('partner', id);
    return partner;
  };
  return { seller: one(sellerId), buyer: one(buyerId) };
}

async function assertContacts(partners: PartnerRepository, tenantId: TenantId, partnership: Partnership, content: Pick<DraftContent, 'sellerContactId' | 'buyerContactId'>): Promise<void> {
  if (content.sellerContactId !== undefined) (await load(partners, tenantId, partnership.sellerId, 'partner')).contact(content.sellerContactId);
  if (content.buyerContactId !== undefined) (await load(partners, tenantId, partnership.buyerId, 'partner')).contact(content.buyerContactId);
}

/**
 * A credit note a retry of the same request finds stored, or builds again from the ledger's copy, when it is what the
 * request asks for; `idempotency.key_reused` when it was made for another.
 */
function checkedAgainst(creditNote: Invoice, command: { readonly invoiceId: InvoiceId; readonly reason?: string; readonly externalReference?: string }, requested: RequestedCredit | undefined): Invoice {
  const state = creditNote.toState();
  const same =
    state.kind === 'credit_note' &&
    state.precedingInvoice?.id === command.invoiceId &&
    state.externalReference === trimmed(command.externalReference) &&
    state.notes.join('\n') === (trimmed(command.reason) ?? '') &&
    requested !== undefined &&
    creditsWhatWasRequested(state, requested);
  if (!same) throw new DomainError('idempotency.key_reused', `document ${creditNote.id} was made for a different request: use a new idempotency key`, { id: creditNote.id });
  return creditNote;
}

/** Text as the domain stores it: trimmed, blank as absent (`optionalText`), so that a retry compares as stored. */
function trimmed(value: string | undefined): string | undefined {
  return value?.trim() || undefined;
}

/**
 * What a credit note request asks to credit: its own lines, or, when it gives none, the invoice's (`original`, read for
 * that), or what the invoice's other credit notes (`credited`) left of it.
 */
function requestedCredit(
  command: { readonly lines?: readonly DraftLineInput[]; readonly allowances?: readonly DocumentAllowanceChargeInput[]; readonly charges?: readonly DocumentAllowanceChargeInput[] },
  original: InvoiceState | undefined,
  credited: AmountsByCategory,
): RequestedCredit | undefined {
  if (command.lines !== undefined) return { lines: command.lines, allowances: command.allowances ?? [], charges: command.charges ?? [], prepaidAmount: '0', roundingAmount: '0' };
  const rest = original && remainderOf(original, credited);
  return (
    original && {
      lines: rest?.lines ?? original.lines.map(invoiceLineToInput),
      allowances: command.allowances ?? (rest ? [] : original.allowances.map((each) => documentAllowanceChargeToInput(each, 'allowance'))),
      charges: command.charges ?? (rest ? [] : original.charges.map((each) => documentAllowanceChargeToInput(each, 'charge'))),
      prepaidAmount: original.totals.prepaid.toString(),
      roundingAmount: original.totals.rounding.toString(),
    }
  );
}

/** A credit an earlier attempt of the request appended, with the content stored with it (none before ADR 0024). */
type EarlierCredit = Partial<CreditedPosting> & { readonly content?: CreditNoteContent };
