import {
  AggregateRoot,
  DomainError,
  InvalidStateError,
  Money,
  ValidationError,
  collectIssues,
  definedFields,
  frozenState,
  handedOut,
  requiredList,
  type CalendarDate,
  type CurrencyCode,
  type TenantId,
} from '@invoicing/core';
import type { ContactId, InvoiceId, PartnerId, PartnershipId, PaymentId } from '../shared/ids';
import { optionalText } from '../shared/text';
import type { InvoiceDraftTerms } from '../partnership/partnership';
import type { DocumentSeal } from './document-seal';
import { dueDate as dueDateFor, paymentTerms, type PaymentTerms } from '../partnership/payment-terms';
import { parseDraftContent, type DraftContent, type ParsedDraftContent } from './invoice-content';
import type { InvoicePeriod } from './invoice-period';
import type { DocumentAllowanceCharge, InvoiceLine } from './invoice-line';
import { OPEN_STATUSES, assertTransition, type InvoiceStatus } from './invoice-lifecycle';
import { issueProblems, type IssueParties } from './issue-rules';
import type { PartySnapshot } from './party-snapshot';
import type { ClosingVatInput, InvoiceTotals, VatBreakdown } from './totals';

/** An invoice (UNTDID 1001 type code 380) or a credit note (381). */
export type DocumentKind = 'invoice' | 'credit_note';

/** The UNTDID 1001 code of each kind (BT-3). */
export const DOCUMENT_TYPE_CODES: Readonly<Record<DocumentKind, string>> = { invoice: '380', credit_note: '381' };

/** A payment applied to the invoice. */
export interface AppliedPayment {
  readonly paymentId: PaymentId;
  readonly amount: Money;
  readonly appliedOn: CalendarDate;
}

/** A credit note applied to the invoice. */
export interface AppliedCredit {
  readonly creditNoteId: InvoiceId;
  readonly creditNoteNumber: string;
  readonly amount: Money;
  readonly appliedOn: CalendarDate;
  /**
   * What the credit took back from the payments that paid the invoice, returned to them as the buyer's unapplied
   * credit: the part of `amount` above what the invoice still owed. Absent when it took back nothing.
   */
  readonly paymentsReturned?: readonly ReturnedPayment[];
}

/** Part of a payment's application that a credit note took back. */
export interface ReturnedPayment {
  readonly paymentId: PaymentId;
  readonly amount: Money;
}

/** The invoice a credit note corrects (BG-3). */
export interface PrecedingInvoice {
  readonly id: InvoiceId;
  readonly number: string;
  readonly issueDate: CalendarDate;
}

/** The stored form of an invoice or credit note. `vatBreakdown` and `totals` are derived, kept for readers. */
export interface InvoiceState {
  readonly tenantId: TenantId;
  readonly id: InvoiceId;
  readonly version: number;
  readonly kind: DocumentKind;
  readonly status: InvoiceStatus;
  /** BT-1, assigned at issue from `series`. */
  readonly number?: string;
  readonly series: string;
  readonly partnershipId: PartnershipId;
  readonly sellerId: PartnerId;
  readonly buyerId: PartnerId;
  readonly sellerContactId?: ContactId;
  readonly buyerContactId?: ContactId;
  /** Frozen at issue. */
  readonly seller?: PartySnapshot;
  readonly buyer?: PartySnapshot;
  readonly currency: CurrencyCode;
  /** BT-2: planned while draft (the issue day when absent), fixed at issue. */
  readonly issueDate?: CalendarDate;
  /** BT-9: as given, else computed from the payment terms at issue. */
  readonly dueDate?: CalendarDate;
  readonly paymentTerms: PaymentTerms;
  /** BT-13 */
  readonly purchaseOrderReference?: string;
  /** BT-10 */
  readonly buyerReference?: string;
  /** BG-14 */
  readonly invoicePeriod?: InvoicePeriod;
  /** The sender's own reference (e.g. the id in the system it came from); unique per seller and buyer. */
  readonly externalReference?: string;
  /** BT-22 */
  readonly notes: readonly string[];
  readonly lines: readonly InvoiceLine[];
  readonly allowances: readonly DocumentAllowanceCharge[];
  readonly charges: readonly DocumentAllowanceCharge[];
  readonly vatBreakdown: readonly VatBreakdown[];
  readonly totals: InvoiceTotals;
  readonly payments: readonly AppliedPayment[];
  readonly credits: readonly AppliedCredit[];
  readonly precedingInvoice?: PrecedingInvoice;
  readonly approval?: { readonly by: string; readonly at: Date };
  /**
   * Who shaped a draft's content, as each caller was named: who created it and everyone who replaced its content
   * since (a change keeps what it did not touch, so no change takes an author off); for a billing run's draft, who
   * added its one-off charges. Absent when none is known. Under a policy that asks for a separate approver, none of
   * them approves it.
   */
  readonly authors?: readonly string[];
  /** Set at creation when another invoice to the same buyer has the same total and an issue date within 3 days. */
  readonly possibleDuplicateOf?: InvoiceId;
  readonly voidReason?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly issuedAt?: Date;
  /**
   * Set on a document recorded from another system's history (an accounts-receivable import, {@link Invoice.recordIssued}):
   * its number is that system's, not one of our series.
   */
  readonly importedAt?: Date;
  /**
   * The document's link in its series' hash chain (ADR 0022), once sealed after its issue. Attached by the sealer, not
   * by the aggregate: read with the document, never written by its saves.
   */
  readonly seal?: DocumentSeal;
}

/** What a new draft needs beyond its content: its partnership's terms and, for credit notes, the corrected invoice. */
export interface NewDraft extends DraftContent, InvoiceDraftTerms {
  readonly kind?: DocumentKind;
  readonly externalReference?: string;
  readonly precedingInvoice?: PrecedingInvoice;
  /** A credit note's only (an invoice's is ignored): the VAT it takes in the categories it closes (`closingVat`). */
  readonly closingVat?: readonly ClosingVatInput[];
}

/** What issuing needs from the outside: the number reserved, the day, and the parties as they are now. */
export interface IssueContext extends IssueParties {
  readonly number: string;
  /** Whether the partnership's policy requires approval for this document. */
  readonly requiresApproval: boolean;
  /** Whether that approval counts only when given by none of the draft's authors. */
  readonly separateApprover?: boolean;
  readonly at: Date;
}

/** What recording an invoice issued elsewhere needs beyond its content: the facts of its issue, as they were. */
export interface IssuedElsewhere {
  readonly number: string;
  readonly issueDate: CalendarDate;
  readonly dueDate: CalendarDate;
  readonly seller: PartySnapshot;
  readonly buyer: PartySnapshot;
}

/** BT-1 as another system printed it: visible text, no control characters. */
const FOREIGN_NUMBER = /^[^\p{Cc}]{1,100}$/u;

/**
 * An invoice or credit note. Editable while draft; issuing assigns its number, freezes the parties and makes it
 * immutable except through the lifecycle: payments, credit notes, void, write-off.
 */
export class Invoice extends AggregateRoot<InvoiceId> {
  readonly aggregateType = 'invoice';

  private frozen!: InvoiceState;

  private constructor(state: InvoiceState) {
    super(state.tenantId, state.id, state.version);
    this.state = state;
  }

  // Frozen whenever it is replaced: nothing handed out or taken in can change it afterwards.
  private get state(): InvoiceState {
    return this.frozen;
  }

  private set state(next: InvoiceState) {
    this.frozen = frozenState(next);
  }

  /** Creates a draft. @throws ValidationError with one issue per bad field (`payment_terms.*` as a partnership's terms) */
  static draft(command: NewDraft, context: { tenantId: TenantId; id: InvoiceId; at: Date; authors?: readonly string[] | undefined }): Invoice {
    const { parsed, externalReference, terms } = collectIssues((attempt) => ({
      parsed: attempt('', () => parseDraftContent(command, command.currency, command.kind === 'credit_note' ? requiredList(command.closingVat ?? [], 'closingVat') : [])),
      externalReference: attempt('externalReference', () => optionalText(command.externalReference, '', 100)),
      terms: attempt('paymentTerms', () => paymentTerms(command.paymentTerms, { copied: true })),
    }));
    const invoice = new Invoice({
      tenantId: context.tenantId,
      id: context.id,
      version: 0,
      kind: command.kind ?? 'invoice',
      status: 'draft',
      series: command.series,
      partnershipId: command.partnershipId,
      sellerId: command.sellerId,
      buyerId: command.buyerId,
      currency: command.currency,
      paymentTerms: terms as PaymentTerms,
      ...definedFields({ externalReference, precedingInvoice: command.precedingInvoice, authors: authorsOf(context.authors) }),
      ...(parsed as ParsedDraftContent),
      payments: [],
      credits: [],
      createdAt: context.at,
      updatedAt: context.at,
    });
    invoice.raise(`${invoice.kind}.drafted`, { invoiceId: context.id, amountDue: invoice.totals.amountDue.toJSON() }, context.at);
    return invoice;
  }

  /**
   * Records an invoice another system issued before the tenant came here (an accounts-receivable import): issued as it
   * was, under that system's number and dates. No number is taken from a series and EN 16931 completeness is not
   * checked: the document was sent long ago and is recorded, not made. Payments, credits, void and write-off then apply
   * as to any issued invoice; one with nothing due is paid at once.
   * @throws ValidationError with one issue per bad field (`invoice.invalid_number` for the number, `invoice.due_before_issue`
   * for a due date before the issue date, `payment_terms.*` as a partnership's terms)
   */
  static recordIssued(command: NewDraft & IssuedElsewhere, context: { tenantId: TenantId; id: InvoiceId; at: Date }): Invoice {
    const { parsed, externalReference, number, terms } = collectIssues((attempt) => {
      const content = attempt('', () => parseDraftContent({ ...command, issueDate: command.issueDate, dueDate: command.dueDate }, command.currency));
      // The rule issuing applies (issueProblems), checked here because this document is never issued here.
      if (content?.dueDate !== undefined && content.issueDate !== undefined && content.dueDate < content.issueDate) {
        attempt('dueDate', () => {
          throw ValidationError.of('', 'invoice.due_before_issue', `the due date ${content.dueDate} is before the issue date ${content.issueDate}`);
        });
      }
      return {
        parsed: content,
        externalReference: attempt('externalReference', () => optionalText(command.externalReference, '', 100)),
        number: attempt('number', () => {
          const value = command.number.trim();
          if (!FOREIGN_NUMBER.test(value)) throw ValidationError.of('', 'invoice.invalid_number', 'a number is 1 to 100 characters without control characters');
          return value;
        }),
        terms: attempt('paymentTerms', () => paymentTerms(command.paymentTerms, { copied: true })),
      };
    });
    const content = parsed as ParsedDraftContent;
    const nothingDue = !content.totals.amountDue.isPositive();
    const invoice = new Invoice({
      tenantId: context.tenantId,
      id: context.id,
      version: 0,
      kind: 'invoice',
      status: nothingDue ? 'paid' : 'issued',
      number: number as string,
      series: command.series,
      partnershipId: command.partnershipId,
      sellerId: command.sellerId,
      buyerId: command.buyerId,
      currency: command.currency,
      paymentTerms: terms as PaymentTerms,
      ...definedFields({ externalReference }),
      ...content,
      seller: command.seller,
      buyer: command.buyer,
      payments: [],
      credits: [],
      createdAt: context.at,
      updatedAt: context.at,
      issuedAt: context.at,
      importedAt: context.at,
    });
    invoice.raise(
      'invoice.imported',
      { invoiceId: context.id, number: invoice.number, issueDate: command.issueDate, dueDate: command.dueDate, amountDue: content.totals.amountDue.toJSON() },
      context.at,
    );
    if (nothingDue) invoice.raise('invoice.paid', { invoiceId: context.id, number: invoice.number }, context.at);
    return invoice;
  }

  /** Rebuilds an invoice from its stored state (no validation, no events); freezes the plain data of `state` it keeps. */
  static restore(state: InvoiceState): Invoice {
    return new Invoice(state);
  }

  /** The current state, for repositories and readers: frozen, with Dates of its own. */
  toState(): InvoiceState {
    const { approval } = this.state;
    return {
      ...handedOut(this.state),
      version: this.version,
      ...(approval === undefined ? {} : { approval: { by: approval.by, at: new Date(approval.at.getTime()) } }),
    };
  }

  get kind(): DocumentKind {
    return this.state.kind;
  }

  get status(): InvoiceStatus {
    return this.state.status;
  }

  get number(): string | undefined {
    return this.state.number;
  }

  get series(): string {
    return this.state.series;
  }

  get currency(): CurrencyCode {
    return this.state.currency;
  }

  get partnershipId(): PartnershipId {
    return this.state.partnershipId;
  }

  get sellerId(): PartnerId {
    return this.state.sellerId;
  }

  get buyerId(): PartnerId {
    return this.state.buyerId;
  }

  get sellerContactId(): ContactId | undefined {
    return this.state.sellerContactId;
  }

  get buyerContactId(): ContactId | undefined {
    return this.state.buyerContactId;
  }

  get issueDate(): CalendarDate | undefined {
    return this.state.issueDate;
  }

  get dueDate(): CalendarDate | undefined {
    return this.state.dueDate;
  }

  get invoicePeriod(): InvoicePeriod | undefined {
    return this.state.invoicePeriod;
  }

  get externalReference(): string | undefined {
    return this.state.externalReference;
  }

  /** When the document was recorded from another system's history; undefined for documents made here. */
  get importedAt(): Date | undefined {
    const { importedAt } = this.state;
    return importedAt && new Date(importedAt.getTime());
  }

  /** BT-22 */
  get notes(): readonly string[] {
    return this.state.notes;
  }

  get lines(): readonly InvoiceLine[] {
    return this.state.lines;
  }

  get totals(): InvoiceTotals {
    return this.state.totals;
  }

  get vatBreakdown(): readonly VatBreakdown[] {
    return this.state.vatBreakdown;
  }

  get payments(): readonly AppliedPayment[] {
    return this.state.payments;
  }

  get credits(): readonly AppliedCredit[] {
    return this.state.credits;
  }

  /** Who shaped the draft's content, when known. */
  get authors(): readonly string[] {
    return this.state.authors ?? [];
  }

  /** Whether `name` is one of its authors, spaces around and case aside (names come from tokens). */
  isAuthor(name: string): boolean {
    const wanted = authorKey(name);
    return this.authors.some((author) => authorKey(author) === wanted);
  }

  get approved(): boolean {
    return this.state.approval !== undefined;
  }

  /** Sum of payments applied after issue, less what credit notes took back from them. */
  get paidAmount(): Money {
    const returned = this.state.credits.flatMap((credit) => credit.paymentsReturned ?? []).map((part) => part.amount);
    return Money.sum(this.currency, this.state.payments.map((payment) => payment.amount)).subtract(Money.sum(this.currency, returned));
  }

  /** Sum of credit notes applied. */
  get creditedAmount(): Money {
    return Money.sum(this.currency, this.state.credits.map((credit) => credit.amount));
  }

  /**
   * What the buyer still owes: amount due − payments − credits, never below zero.
   * Zero for drafts, void documents and credit notes.
   */
  get outstanding(): Money {
    if (this.kind === 'credit_note' || !OPEN_STATUSES.includes(this.status)) return Money.zero(this.currency);
    return this.remaining().max(Money.zero(this.currency));
  }

  /** Amount due − payments − credits, whatever the status (negative when more was received than was due). */
  private remaining(): Money {
    return this.totals.amountDue.subtract(this.paidAmount).subtract(this.creditedAmount);
  }

  /**
   * Replaces the content of a draft, changed by `authors` (unknown when absent), who join its authors. Any approval
   * given is withdrawn.
   * @throws InvalidStateError `invoice.not_draft`; ValidationError
   */
  update(changes: DraftContent, at: Date, authors?: readonly string[]): void {
    assertTransition(this, 'update');
    const parsed = parseDraftContent(changes, this.currency);
    const { issueDate: _i, dueDate: _d, purchaseOrderReference: _p, buyerReference: _b, invoicePeriod: _ip, sellerContactId: _s, buyerContactId: _c, approval: _a, authors: before, ...kept } = this.state;
    this.state = { ...kept, ...parsed, ...definedFields({ authors: authorsOf([...(before ?? []), ...(authors ?? [])]) }), updatedAt: at };
    this.raise(`${this.kind}.updated`, { invoiceId: this.id, amountDue: this.totals.amountDue.toJSON() }, at);
  }

  /** Marks a new draft as looking like `other` (same buyer and total, issue dates close): it stays valid, readers are warned. */
  flagPossibleDuplicate(other: InvoiceId, at: Date): void {
    assertTransition(this, 'update');
    this.state = { ...this.state, possibleDuplicateOf: other, updatedAt: at };
    this.raise(`${this.kind}.flagged_possible_duplicate`, { invoiceId: this.id, possibleDuplicateOf: other }, at);
  }

  /** Records an approval (required by some partnerships before issue). @throws InvalidStateError `invoice.not_draft` */
  approve(by: string, at: Date): void {
    assertTransition(this, 'approve');
    this.state = { ...this.state, approval: { by, at }, updatedAt: at };
    this.raise(`${this.kind}.approved`, { invoiceId: this.id, by }, at);
  }

  /**
   * Checks that the draft can be issued with these parties, without changing it: call it before reserving a number.
   * @throws InvalidStateError `invoice.not_draft` | `invoice.approval_required`; ValidationError `invoice.not_issuable` listing every missing element
   */
  assertIssuable(context: Omit<IssueContext, 'number' | 'at'>): void {
    assertTransition(this, 'issue');
    if (context.requiresApproval && !this.approved) {
      throw new InvalidStateError('invoice.approval_required', `invoice ${this.id} needs approval before it is issued`, { invoiceId: this.id });
    }
    // The policy may have asked for a separate approver since the draft was approved.
    const { approval } = this.state;
    if (context.requiresApproval && context.separateApprover === true && approval !== undefined && this.isAuthor(approval.by)) {
      throw new InvalidStateError('invoice.approval_required', `invoice ${this.id} was approved by ${approval.by}, one of its authors: someone else approves it before it is issued`, {
        invoiceId: this.id,
        reason: 'self_approval',
      });
    }
    const issues = issueProblems(this.state, context);
    if (issues.length > 0) throw new ValidationError(issues, 'invoice.not_issuable');
  }

  /**
   * Issues the document: number, issue date, due date and parties are fixed from now on.
   * An invoice with nothing to pay (fully prepaid) is paid at once.
   */
  issue(context: IssueContext): void {
    this.assertIssuable(context);
    const dueDate = this.state.dueDate ?? dueDateFor(this.state.paymentTerms, context.issueDate);
    const nothingDue = this.kind === 'invoice' && !this.totals.amountDue.isPositive();
    this.state = {
      ...this.state,
      status: nothingDue ? 'paid' : 'issued',
      number: context.number,
      issueDate: context.issueDate,
      dueDate,
      seller: context.seller,
      buyer: context.buyer,
      issuedAt: context.at,
      updatedAt: context.at,
    };
    this.raise(
      `${this.kind}.issued`,
      { invoiceId: this.id, number: context.number, issueDate: context.issueDate, dueDate, amountDue: this.totals.amountDue.toJSON() },
      context.at,
    );
    if (nothingDue) this.raise('invoice.paid', { invoiceId: this.id, number: context.number }, context.at);
  }

  /**
   * Applies (part of) a payment. Applying the same payment twice changes nothing, so a retried use case is safe.
   * @throws InvalidStateError per the lifecycle; DomainError `invoice.payment_exceeds_outstanding`; ValidationError `invoice.invalid_amount`
   */
  applyPayment(payment: AppliedPayment, at: Date): void {
    if (this.state.payments.some((applied) => applied.paymentId === payment.paymentId)) return;
    assertTransition(this, 'applyPayment');
    this.checkAmount(payment.amount, 'invoice.payment_exceeds_outstanding');
    const payments = [...this.state.payments, payment];
    this.state = { ...this.state, payments, updatedAt: at };
    const settled = !this.remaining().isPositive();
    const status: InvoiceStatus = settled ? 'paid' : this.status === 'uncollectible' ? 'uncollectible' : 'partially_paid';
    this.state = { ...this.state, status };
    this.raise('invoice.payment_applied', { invoiceId: this.id, paymentId: payment.paymentId, amount: payment.amount.toJSON(), status }, at);
    if (settled) this.raise('invoice.paid', { invoiceId: this.id, number: this.number }, at);
  }

  /**
   * Applies a credit note. It takes what the invoice still owes first; the rest (`paymentsReturned`) it takes back from
   * the payments, each no further than it paid. A credit that settles what was owed leaves the invoice `credited`; one
   * of an invoice that owed nothing leaves its status, unless it takes back everything paid. Applying the same credit
   * note twice changes nothing.
   * @throws InvalidStateError per the lifecycle, `invoice.fully_credited`; DomainError `invoice.credit_exceeds_outstanding`; ValidationError `invoice.invalid_amount`
   */
  applyCredit(credit: AppliedCredit, at: Date): void {
    if (this.state.credits.some((applied) => applied.creditNoteId === credit.creditNoteId)) return;
    this.assertCreditable(credit.amount);
    const returned = Money.sum(this.currency, (credit.paymentsReturned ?? []).map((part) => part.amount));
    const owed = this.remaining().max(Money.zero(this.currency));
    for (const part of credit.paymentsReturned ?? []) {
      const paidBy = Money.sum(this.currency, this.state.payments.filter((payment) => payment.paymentId === part.paymentId).map((payment) => payment.amount)).subtract(this.returnedFrom(part.paymentId));
      if (!part.amount.isPositive() || part.amount.greaterThan(paidBy)) {
        throw new DomainError('invoice.credit_exceeds_outstanding', `credit note ${credit.creditNoteId} takes back ${part.amount.toString()} of payment ${part.paymentId}, which paid ${paidBy.toString()} of the invoice`, {
          invoiceId: this.id,
          paymentId: part.paymentId,
        });
      }
    }
    // The credit is owed first, then what was paid: taking back what was paid while something is owed would leave the buyer owing and holding credit.
    if (!credit.amount.subtract(returned).equals(credit.amount.min(owed))) {
      throw new DomainError('invoice.credit_exceeds_outstanding', `credit note ${credit.creditNoteId} takes back ${returned.toString()} of payments while the invoice owes ${owed.toString()}`, {
        invoiceId: this.id,
        amount: credit.amount.toJSON(),
        outstanding: owed.toJSON(),
      });
    }
    this.state = { ...this.state, credits: [...this.state.credits, credit], updatedAt: at };
    if (!this.remaining().isPositive() && (owed.isPositive() || !this.paidAmount.isPositive())) this.state = { ...this.state, status: 'credited' };
    this.raise(
      'invoice.credited',
      {
        invoiceId: this.id,
        creditNoteId: credit.creditNoteId,
        amount: credit.amount.toJSON(),
        ...(returned.isPositive() ? { returnedToCredit: returned.toJSON() } : {}),
        status: this.status,
      },
      at,
    );
  }

  /**
   * What a credit note may still credit: the amount due less what was credited. What is paid is creditable: the credit
   * takes it back from the payments, as the buyer's credit.
   */
  get creditable(): Money {
    return this.totals.amountDue.subtract(this.creditedAmount).max(Money.zero(this.currency));
  }

  /**
   * Checks that a credit of `amount` could be applied now, without applying it: call it before issuing the credit note.
   * @throws InvalidStateError per the lifecycle, `invoice.fully_credited`; DomainError `invoice.credit_exceeds_outstanding`; ValidationError `invoice.invalid_amount`
   */
  assertCreditable(amount: Money): void {
    assertTransition(this, 'applyCredit');
    const creditable = this.creditable;
    if (!creditable.isPositive()) throw new InvalidStateError('invoice.fully_credited', `invoice ${this.id} is credited in full`, { invoiceId: this.id });
    if (!amount.isPositive()) throw ValidationError.of('amount', 'invoice.invalid_amount', 'the amount must be above zero');
    if (amount.greaterThan(creditable)) {
      throw new DomainError('invoice.credit_exceeds_outstanding', `${amount.toString()} exceeds the ${creditable.toString()} ${this.currency} not credited yet`, {
        invoiceId: this.id,
        amount: amount.toJSON(),
        outstanding: this.outstanding.toJSON(),
        creditable: creditable.toJSON(),
      });
    }
  }

  /** What credit notes took back so far of a payment's application to the invoice. */
  private returnedFrom(paymentId: PaymentId): Money {
    return Money.sum(this.currency, this.state.credits.flatMap((credit) => credit.paymentsReturned ?? []).filter((part) => part.paymentId === paymentId).map((part) => part.amount));
  }

  /** The parties frozen at issue; undefined while draft. */
  get parties(): { readonly seller: PartySnapshot; readonly buyer: PartySnapshot } | undefined {
    const { seller, buyer } = this.state;
    return seller && buyer ? { seller, buyer } : undefined;
  }

  /**
   * Checks that the invoice could be voided now, without voiding it.
   * @throws InvalidStateError per the lifecycle, `invoice.has_payments` | `invoice.has_credits`; ValidationError for the reason
   */
  assertVoidable(reason: string | undefined): void {
    assertTransition(this, 'void');
    if (this.state.payments.length > 0) throw new InvalidStateError('invoice.has_payments', `invoice ${this.id} has payments; credit it instead`, { invoiceId: this.id });
    if (this.state.credits.length > 0) throw new InvalidStateError('invoice.has_credits', `invoice ${this.id} has credit notes; credit the rest instead`, { invoiceId: this.id });
    optionalText(reason, 'reason', 500);
  }

  /** Cancels an issued invoice nothing was paid or credited on; its number stays used. @throws InvalidStateError */
  void(reason: string | undefined, at: Date): void {
    this.assertVoidable(reason);
    const voidReason = optionalText(reason, 'reason', 500);
    this.state = { ...this.state, status: 'void', ...definedFields({ voidReason }), updatedAt: at };
    this.raise('invoice.voided', { invoiceId: this.id, number: this.number, reason: voidReason ?? null }, at);
  }

  /** Writes the invoice off: no longer expected, still payable. @throws InvalidStateError */
  markUncollectible(at: Date): void {
    assertTransition(this, 'markUncollectible');
    this.state = { ...this.state, status: 'uncollectible', updatedAt: at };
    this.raise('invoice.marked_uncollectible', { invoiceId: this.id, outstanding: this.outstanding.toJSON() }, at);
  }

  private checkAmount(amount: Money, exceededCode: string): void {
    if (!amount.isPositive()) throw ValidationError.of('amount', 'invoice.invalid_amount', 'the amount must be above zero');
    const outstanding = this.outstanding;
    if (amount.greaterThan(outstanding)) {
      throw new DomainError(exceededCode, `${amount.toString()} exceeds the outstanding ${outstanding.toString()} ${this.currency}`, {
        invoiceId: this.id,
        amount: amount.toJSON(),
        outstanding: outstanding.toJSON(),
      });
    }
  }
}

/** Authors as the state keeps them: each once (spaces around and case aside), none blank; none at all is unknown (absent). */
function authorsOf(given: readonly string[] | undefined): readonly string[] | undefined {
  const byName = new Map<string, string>();
  for (const name of given ?? []) {
    const key = authorKey(name);
    if (key !== '' && !byName.has(key)) byName.set(key, name.trim());
  }
  return byName.size === 0 ? undefined : [...byName.values()];
}

/** What tells two authors apart: their names, spaces around and case aside (names come from tokens). */
function authorKey(name: string): string {
  return name.trim().toLowerCase();
}
