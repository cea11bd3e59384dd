import {
  AggregateRoot,
  DomainError,
  Money,
  RunningTotal,
  ValidationError,
  collectIssues,
  definedFields,
  frozenState,
  handedOut,
  parseCalendarDate,
  parseCurrencyCode,
  type CalendarDate,
  type CurrencyCode,
  type TenantId,
} from '@invoicing/core';
import type { InvoiceId, PartnerId, PaymentId, RefundId } from '../shared/ids';
import { optionalText } from '../shared/text';

/** Part of a payment applied to one invoice. */
export interface PaymentApplication {
  readonly invoiceId: InvoiceId;
  readonly amount: Money;
  readonly appliedOn: CalendarDate;
}

/**
 * Part of an application taken back by a credit note of the invoice: the credit note credited what the payment had
 * paid, which becomes the payment's unapplied credit again.
 */
export interface PaymentReturn {
  readonly invoiceId: InvoiceId;
  readonly creditNoteId: InvoiceId;
  readonly amount: Money;
  readonly returnedOn: CalendarDate;
}

/** Part of a payment's unapplied credit paid back to the partner. */
export interface PaymentRefund {
  readonly refundId: RefundId;
  readonly amount: Money;
  readonly refundedOn: CalendarDate;
  readonly reference?: string;
}

/** The stored form of a payment. */
export interface PaymentState {
  readonly tenantId: TenantId;
  readonly id: PaymentId;
  readonly version: number;
  /** The partner who paid (the buyer of the invoices it settles). */
  readonly partnerId: PartnerId;
  readonly amount: Money;
  readonly receivedOn: CalendarDate;
  /** Bank reference, cheque number … */
  readonly reference?: string;
  readonly applications: readonly PaymentApplication[];
  /** Absent on payments no credit note took anything back from. */
  readonly returns?: readonly PaymentReturn[];
  readonly refunds: readonly PaymentRefund[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Input of a payment received; the amount is a decimal string. */
export interface ReceivedPayment {
  readonly partnerId: PartnerId;
  readonly amount: string;
  readonly currency: string;
  readonly receivedOn: string;
  readonly reference?: string;
}

/**
 * Money received from a partner. Applied to invoices in parts; what is not applied is the partner's credit,
 * which later payments' applications or refunds draw down, never below zero.
 */
export class Payment extends AggregateRoot<PaymentId> {
  readonly aggregateType = 'payment';

  private frozen!: PaymentState;

  private constructor(state: PaymentState) {
    super(state.tenantId, state.id, state.version);
    this.state = state;
  }

  // Frozen whenever it is replaced: nothing handed out or taken in can change it afterwards.
  private get state(): PaymentState {
    return this.frozen;
  }

  private set state(next: PaymentState) {
    this.frozen = frozenState(next);
  }

  /**
   * Records money received.
   * @throws ValidationError `payment.invalid_amount` (zero or negative), `money.*`, `date.malformed`
   */
  static receive(command: ReceivedPayment, context: { tenantId: TenantId; id: PaymentId; at: Date }): Payment {
    const parsed = collectIssues((attempt) => {
      const currency = attempt('currency', () => parseCurrencyCode(command.currency));
      const amount = currency === undefined ? undefined : attempt('amount', () => Money.of(command.amount, currency as CurrencyCode));
      if (amount !== undefined && !amount.isPositive()) {
        attempt('amount', () => {
          throw ValidationError.of('', 'payment.invalid_amount', 'a payment is above zero');
        });
      }
      const receivedOn = attempt('receivedOn', () => parseCalendarDate(command.receivedOn));
      const reference = attempt('reference', () => optionalText(command.reference, '', 100));
      return { amount: amount as Money, receivedOn: receivedOn as CalendarDate, reference };
    });
    return Payment.received({ partnerId: command.partnerId, ...parsed }, context);
  }

  /**
   * A payment from values already parsed: how the ledger's `received` posting becomes the payment document
   * (ADR 0006), and the end of {@link receive}.
   * @throws ValidationError `payment.invalid_amount` (zero or negative)
   */
  static received(
    receipt: { readonly partnerId: PartnerId; readonly amount: Money; readonly receivedOn: CalendarDate; readonly reference?: string | undefined },
    context: { tenantId: TenantId; id: PaymentId; at: Date },
  ): Payment {
    if (!receipt.amount.isPositive()) throw ValidationError.of('amount', 'payment.invalid_amount', 'a payment is above zero');
    const payment = new Payment({
      tenantId: context.tenantId,
      id: context.id,
      version: 0,
      partnerId: receipt.partnerId,
      amount: receipt.amount,
      receivedOn: receipt.receivedOn,
      ...definedFields({ reference: receipt.reference }),
      applications: [],
      refunds: [],
      createdAt: context.at,
      updatedAt: context.at,
    });
    payment.raise('payment.received', { paymentId: context.id, partnerId: receipt.partnerId, amount: receipt.amount.toJSON() }, context.at);
    return payment;
  }

  /** Rebuilds a payment from its stored state (no validation, no events); freezes the plain data of `state` it keeps. */
  static restore(state: PaymentState): Payment {
    return new Payment(state);
  }

  /** The current state, for repositories and readers: frozen, with Dates of its own. */
  toState(): PaymentState {
    return { ...handedOut(this.state), version: this.version };
  }

  get partnerId(): PartnerId {
    return this.state.partnerId;
  }

  get amount(): Money {
    return this.state.amount;
  }

  get currency(): CurrencyCode {
    return this.state.amount.currency;
  }

  get receivedOn(): CalendarDate {
    return this.state.receivedOn;
  }

  get applications(): readonly PaymentApplication[] {
    return this.state.applications;
  }

  get refunds(): readonly PaymentRefund[] {
    return this.state.refunds;
  }

  get returns(): readonly PaymentReturn[] {
    return this.state.returns ?? [];
  }

  /** What is neither applied to invoices (less what credit notes took back) nor refunded: the partner's credit from this payment. */
  get unapplied(): Money {
    const used = this.total([...this.state.applications, ...this.state.refunds]);
    return Money.ofMinor(this.total(this.returns).add(this.state.amount).minor - used.minor, this.currency);
  }

  /** The amount applied to an invoice so far, less what credit notes took back (zero if none). */
  appliedTo(invoiceId: InvoiceId): Money {
    const applied = this.total(this.state.applications.filter((part) => part.invoiceId === invoiceId));
    return Money.ofMinor(applied.minor - this.total(this.returns.filter((part) => part.invoiceId === invoiceId)).minor, this.currency);
  }

  /**
   * The sum of parts, past what one amount may be: what credit notes gave back can be applied again, so the parts of a
   * payment may add up to more than it ever held, while what they leave is within it (audit credreturn F2).
   */
  private total(parts: readonly { readonly amount: Money }[]): RunningTotal {
    return parts.reduce((sum, part) => sum.add(part.amount), RunningTotal.zero(this.currency));
  }

  /**
   * Takes back part of the application to an invoice, which a credit note of it credited: it is unapplied credit again.
   * The same credit note is recorded once per invoice.
   * @throws DomainError `payment.return_exceeds_applied`; ValidationError `payment.invalid_amount`
   */
  returnApplication(returned: PaymentReturn, at: Date): void {
    if (this.returns.some((part) => part.creditNoteId === returned.creditNoteId && part.invoiceId === returned.invoiceId)) return;
    if (!returned.amount.isPositive()) throw ValidationError.of('amount', 'payment.invalid_amount', 'the amount must be above zero');
    const applied = this.appliedTo(returned.invoiceId);
    if (returned.amount.greaterThan(applied)) {
      throw new DomainError('payment.return_exceeds_applied', `${returned.amount.toString()} exceeds the ${applied.toString()} ${this.currency} applied to invoice ${returned.invoiceId}`, {
        paymentId: this.id,
        invoiceId: returned.invoiceId,
        amount: returned.amount.toJSON(),
        applied: applied.toJSON(),
      });
    }
    this.state = { ...this.state, returns: [...this.returns, returned], updatedAt: at };
    this.raise(
      'payment.application_returned',
      { paymentId: this.id, invoiceId: returned.invoiceId, creditNoteId: returned.creditNoteId, amount: returned.amount.toJSON(), unapplied: this.unapplied.toJSON() },
      at,
    );
  }

  /**
   * Applies part of the unapplied amount to an invoice. Recording the same invoice again is ignored,
   * so a retried use case never applies twice.
   * @throws DomainError `payment.insufficient_unapplied`
   */
  apply(application: PaymentApplication, at: Date): void {
    if (this.state.applications.some((part) => part.invoiceId === application.invoiceId)) return;
    this.draw(application.amount);
    this.state = { ...this.state, applications: [...this.state.applications, application], updatedAt: at };
    this.raise('payment.applied', { paymentId: this.id, invoiceId: application.invoiceId, amount: application.amount.toJSON() }, at);
  }

  /**
   * Pays back part of the unapplied amount. The same refund id is recorded once.
   * @throws DomainError `payment.insufficient_unapplied`
   */
  refund(refund: PaymentRefund, at: Date): void {
    if (this.state.refunds.some((part) => part.refundId === refund.refundId)) return;
    this.draw(refund.amount);
    this.state = { ...this.state, refunds: [...this.state.refunds, refund], updatedAt: at };
    this.raise('payment.refunded', { paymentId: this.id, refundId: refund.refundId, amount: refund.amount.toJSON() }, at);
  }

  private draw(amount: Money): void {
    if (!amount.isPositive()) throw ValidationError.of('amount', 'payment.invalid_amount', 'the amount must be above zero');
    if (amount.greaterThan(this.unapplied)) {
      throw new DomainError('payment.insufficient_unapplied', `${amount.toString()} exceeds the unapplied ${this.unapplied.toString()} ${this.currency}`, {
        paymentId: this.id,
        amount: amount.toJSON(),
        unapplied: this.unapplied.toJSON(),
      });
    }
  }
}
