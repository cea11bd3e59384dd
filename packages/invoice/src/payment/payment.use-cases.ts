import {
  CLOCK,
  ConflictError,
  DomainError,
  ID_GENERATOR,
  InvalidStateError,
  Money,
  ValidationError,
  atPath,
  definedFields,
  parseCalendarDate,
  parseCurrencyCode,
  type CalendarDate,
  type Clock,
  type IdGenerator,
  type Page,
  type PageRequest,
  type TenantId,
} from '@invoicing/core';
import { inject, injectable } from 'inversify';
import type { Invoice } from '../invoice/invoice';
import { INVOICE_TRANSITIONS } from '../invoice/invoice-lifecycle';
import { INVOICE_REPOSITORY, type InvoiceRepository } from '../invoice/invoice-repository.port';
import { PARTNER_REPOSITORY, type PartnerRepository } from '../partner/partner-repository.port';
import type { InvoiceId, PartnerId, PaymentId, RefundId } from '../shared/ids';
import { load, retryOnConflict } from '../shared/use-case-support';
import { Payment, type PaymentState, type ReceivedPayment } from './payment';
import { PAYMENT_REPOSITORY, type PaymentRepository } from './payment-repository.port';

/**
 * Applies a payment's unapplied amount to invoices in order, each for as much as it still owes.
 * Invoices are re-read on every attempt, so concurrent payments never apply more than is owed;
 * an invoice that already holds this payment is only recorded on the payment, so a retry never applies twice.
 */
async function applyToInvoices(invoices: InvoiceRepository, payment: Payment, invoiceIds: readonly InvoiceId[], at: Date): Promise<void> {
  for (const invoiceId of invoiceIds) {
    if (!payment.unapplied.isPositive()) return;
    const applied = await retryOnConflict(async () => {
      const invoice = await load(invoices, payment.tenantId, invoiceId, 'invoice');
      const already = invoice.payments.find((part) => part.paymentId === payment.id);
      if (already) return already.amount;
      const amount = payment.unapplied.min(invoice.outstanding);
      if (!amount.isPositive()) return undefined;
      invoice.applyPayment({ paymentId: payment.id, amount, appliedOn: payment.receivedOn }, at);
      await invoices.save(invoice);
      return amount;
    });
    if (applied) payment.apply({ invoiceId, amount: applied, appliedOn: payment.receivedOn }, at);
  }
}

/**
 * Applies a payment to the invoices named (each once, all checked before anything is written) or, by default, to the
 * partner's oldest receivables in its currency; then saves what the payment recorded. A new payment is saved before
 * it is applied: whatever happens next, the money received is never lost.
 * @throws NotFoundError `invoice.not_found`; ValidationError `payment.invoice_mismatch`; InvalidStateError when a named invoice cannot take payments
 */
async function applyPaymentTo(
  ports: { readonly invoices: InvoiceRepository; readonly payments: PaymentRepository },
  payment: Payment,
  applyTo: readonly InvoiceId[] | undefined,
  options: { readonly at: Date; readonly isNew: boolean },
): Promise<void> {
  const { invoices, payments } = ports;
  let targets: InvoiceId[];
  if (applyTo === undefined) {
    targets = (await invoices.findReceivables(payment.tenantId, payment.partnerId, payment.currency)).map((invoice) => invoice.id);
  } else {
    targets = [...new Set(applyTo)];
    for (const [index, invoiceId] of targets.entries()) {
      assertPayable(await load(invoices, payment.tenantId, invoiceId, 'invoice'), payment, index);
    }
  }
  if (options.isNew) await payments.save(payment);
  await applyToInvoices(invoices, payment, targets, options.at);
  if (payment.pendingEvents.length > 0) await payments.save(payment);
}

/** Checks that a named invoice can take this partner's payment. */
function assertPayable(invoice: Invoice, payment: Payment, index: number): void {
  if (invoice.kind !== 'invoice' || invoice.buyerId !== payment.partnerId || invoice.currency !== payment.currency) {
    throw ValidationError.of(`applyTo.${index}`, 'payment.invoice_mismatch', `invoice ${invoice.id} is not an invoice to this partner in ${payment.currency}`);
  }
  // An invoice already holding this payment (an interrupted run being completed) only needs recording on the payment.
  if (invoice.payments.some((applied) => applied.paymentId === payment.id)) return;
  const outcome = INVOICE_TRANSITIONS.applyPayment[invoice.status];
  if (outcome !== true) throw new InvalidStateError(outcome, `invoice ${invoice.id} cannot take payments (${invoice.status})`, { invoiceId: invoice.id, status: invoice.status });
}

/**
 * Records money received from a partner and applies it: to the invoices named, in that order, or by default to
 * the partner's oldest receivables in the payment's currency. What is left over is the partner's unapplied credit.
 */
@injectable()
export class RecordPayment {
  constructor(
    @inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * `id`, when given, makes the call idempotent by construction: it is the id of the payment a retry of the same
   * request would record (the API derives it from the tenant and the `Idempotency-Key`). The insert of that id is the
   * guard: if a payment with it is stored already (an earlier attempt whose answer was lost), nothing new is recorded;
   * its application is completed where it was interrupted and the stored payment is answered.
   * @throws NotFoundError `partner.not_found` | `invoice.not_found`; ValidationError `payment.invalid_amount` | `payment.invoice_mismatch` | `money.*`;
   * InvalidStateError when a named invoice cannot take payments; DomainError `idempotency.key_reused` when `id` names a
   * payment recorded for a different request
   */
  async execute(
    command: ReceivedPayment & { readonly tenantId: TenantId; readonly applyTo?: readonly InvoiceId[]; readonly id?: PaymentId },
  ): Promise<PaymentState> {
    const { tenantId } = command;
    await load(this.partners, tenantId, command.partnerId, 'partner');
    const at = this.clock.now();
    if (command.id !== undefined) {
      const stored = await this.payments.get(tenantId, command.id);
      if (stored) return this.resume(stored, command);
    }
    const payment = Payment.receive(command, { tenantId, id: command.id ?? this.ids.next<'Payment'>(), at });
    try {
      await applyPaymentTo({ invoices: this.invoices, payments: this.payments }, payment, command.applyTo, { at, isNew: true });
    } catch (error) {
      // A concurrent attempt of the same request inserted the id first (its payment is the one), or completed this
      // payment's application under us: either way, completing it from what is stored is safe.
      if (command.id === undefined || !(error instanceof ConflictError)) throw error;
      const stored = await this.payments.get(tenantId, command.id);
      if (!stored) throw error;
      return this.resume(stored, command);
    }
    return payment.toState();
  }

  /**
   * A retry of a request whose payment is stored: the same request completes what it began and answers the payment;
   * another is refused. Should a named invoice no longer take the payment (someone else settled it meanwhile), the
   * payment is answered as it is: it was recorded, and what it could not pay stays its unapplied credit.
   */
  private async resume(stored: Payment, command: ReceivedPayment & { readonly applyTo?: readonly InvoiceId[] }): Promise<PaymentState> {
    const asked = Payment.receive(command, { tenantId: stored.tenantId, id: stored.id, at: this.clock.now() }).toState();
    const recorded = stored.toState();
    const sameRequest =
      asked.partnerId === recorded.partnerId &&
      asked.amount.currency === recorded.amount.currency &&
      asked.amount.equals(recorded.amount) &&
      asked.receivedOn === recorded.receivedOn &&
      asked.reference === recorded.reference;
    if (!sameRequest) {
      throw new DomainError('idempotency.key_reused', `payment ${stored.id} was recorded for a different request: use a new idempotency key`, { paymentId: stored.id });
    }
    return retryOnConflict(async () => {
      const payment = await load(this.payments, stored.tenantId, stored.id, 'payment');
      try {
        await applyPaymentTo({ invoices: this.invoices, payments: this.payments }, payment, command.applyTo, { at: this.clock.now(), isNew: false });
      } catch (error) {
        // Every named invoice is checked before anything is written: a refusal changed nothing.
        if (!(error instanceof InvalidStateError)) throw error;
      }
      return payment.toState();
    });
  }
}

/** Records money received for one invoice: a payment from the invoice's buyer, applied to that invoice. */
@injectable()
export class PayInvoice {
  constructor(
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(RecordPayment) private readonly recordPayment: RecordPayment,
  ) {}

  /**
   * What exceeds the invoice's outstanding amount stays on the payment as the buyer's unapplied credit.
   * @throws NotFoundError `invoice.not_found`; whatever RecordPayment throws for a payment naming the invoice
   */
  async execute(
    command: Omit<ReceivedPayment, 'partnerId'> & { readonly tenantId: TenantId; readonly invoiceId: InvoiceId; readonly id?: PaymentId },
  ): Promise<PaymentState> {
    const { invoiceId, ...received } = command;
    const invoice = await load(this.invoices, command.tenantId, invoiceId, 'invoice');
    return this.recordPayment.execute({ ...received, partnerId: invoice.buyerId, applyTo: [invoice.id] });
  }
}

/** Applies a payment's unapplied credit to invoices (named, or the partner's oldest receivables). */
@injectable()
export class ApplyPayment {
  constructor(
    @inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: { readonly tenantId: TenantId; readonly paymentId: PaymentId; readonly applyTo?: readonly InvoiceId[] }): Promise<PaymentState> {
    const { tenantId } = command;
    return retryOnConflict(async () => {
      const payment = await load(this.payments, tenantId, command.paymentId, 'payment');
      await applyPaymentTo({ invoices: this.invoices, payments: this.payments }, payment, command.applyTo, { at: this.clock.now(), isNew: false });
      return payment.toState();
    });
  }
}

/**
 * Pays unapplied credit back to a partner, drawing on its payments oldest first; refuses to go below zero.
 * Each call without `refundId` is a new refund. With one (the API derives it from the tenant and the `Idempotency-Key`),
 * a retry of the same request never refunds twice: what earlier attempts drew under that id counts, only the rest is
 * drawn, and a refund already complete is answered as it is. The credit is checked before
 * anything is written; should another writer use it up in between, the refund stops part way and the error says how
 * much was refunded under which refund id.
 */
@injectable()
export class RefundCredit {
  constructor(
    @inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * @throws NotFoundError `partner.not_found`; DomainError `account.insufficient_credit` | `idempotency.key_reused`
   * (`refundId` names a refund made for another request); ValidationError
   */
  async execute(command: RefundCommand): Promise<RefundResult> {
    try {
      return await this.refund(command);
    } catch (error) {
      if (command.refundId === undefined || !(error instanceof InsufficientCreditError)) throw error;
      // A concurrent attempt of the same request may have drawn the credit first: if it refunded it all, that is the answer.
      const amount = Money.of(command.amount, parseCurrencyCode(command.currency));
      const parts = await this.partsOf(command.tenantId, command.partnerId, command.refundId);
      if (parts.length === 0 || !Money.sum(amount.currency, parts.map(({ part }) => part.amount)).equals(amount)) throw error;
      return { refundId: command.refundId, amount, payments: parts.map(({ paymentId }) => paymentId) };
    }
  }

  private async refund(command: RefundCommand): Promise<RefundResult> {
    const { tenantId } = command;
    await load(this.partners, tenantId, command.partnerId, 'partner');
    const currency = atPath('currency', () => parseCurrencyCode(command.currency));
    const amount = atPath('amount', () => Money.of(command.amount, currency));
    if (!amount.isPositive()) throw ValidationError.of('amount', 'payment.invalid_amount', 'a refund is above zero');
    const refundedOn: CalendarDate = atPath('refundedOn', () => parseCalendarDate(command.refundedOn));
    const refundId = command.refundId ?? this.ids.next<'Refund'>();
    const used: PaymentId[] = [];
    let remaining = amount;
    if (command.refundId !== undefined) {
      // What earlier attempts of this request refunded already.
      for (const { paymentId, part } of await this.partsOf(tenantId, command.partnerId, command.refundId)) {
        if (part.amount.currency !== currency || part.refundedOn !== refundedOn || (part.reference ?? undefined) !== (command.reference ?? undefined) || part.amount.greaterThan(remaining)) {
          throw new DomainError('idempotency.key_reused', `refund ${refundId} was made for a different request: use a new idempotency key`, { refundId });
        }
        used.push(paymentId);
        remaining = remaining.subtract(part.amount);
      }
      if (!remaining.isPositive()) return { refundId, amount, payments: used };
    }
    const sources = (await this.payments.findWithUnappliedCredit(tenantId, command.partnerId, currency)).filter((payment) => !used.includes(payment.id));
    const available = Money.sum(currency, sources.map((payment) => payment.unapplied));
    if (remaining.greaterThan(available)) {
      throw new InsufficientCreditError(amount, available.add(amount.subtract(remaining)));
    }
    for (const source of sources) {
      if (!remaining.isPositive()) break;
      const part = await retryOnConflict(async () => {
        const payment = await load(this.payments, tenantId, source.id, 'payment');
        const take = remaining.min(payment.unapplied);
        if (!take.isPositive()) return Money.zero(currency);
        payment.refund({ refundId, amount: take, refundedOn, ...definedFields({ reference: command.reference }) }, this.clock.now());
        await this.payments.save(payment);
        return take;
      });
      if (part.isPositive()) used.push(source.id);
      remaining = remaining.subtract(part);
    }
    if (remaining.isPositive()) throw new InsufficientCreditError(amount, amount.subtract(remaining), { refundId, refunded: amount.subtract(remaining).toJSON() });
    return { refundId, amount, payments: used };
  }

  /** The parts of a refund, on the partner's payments. */
  private async partsOf(tenantId: TenantId, partnerId: PartnerId, refundId: RefundId): Promise<{ paymentId: PaymentId; part: PaymentState['refunds'][number] }[]> {
    const parts: { paymentId: PaymentId; part: PaymentState['refunds'][number] }[] = [];
    let cursor: PageRequest['cursor'];
    do {
      const page = await this.payments.listByPartner(tenantId, partnerId, { limit: 100, ...definedFields({ cursor }) });
      for (const payment of page.items) {
        const part = payment.refunds.find((refund) => refund.refundId === refundId);
        if (part) parts.push({ paymentId: payment.id, part });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return parts.reverse();
  }
}

interface RefundCommand {
  readonly tenantId: TenantId;
  readonly partnerId: PartnerId;
  readonly amount: string;
  readonly currency: string;
  readonly refundedOn: string;
  readonly reference?: string;
  readonly refundId?: RefundId;
}

type RefundResult = { readonly refundId: string; readonly amount: Money; readonly payments: readonly PaymentId[] };

/** The partner's credit is smaller than the refund asked for. */
export class InsufficientCreditError extends InvalidStateError {
  constructor(requested: Money, available: Money, partial: { readonly refundId: string; readonly refunded: unknown } | Record<string, never> = {}) {
    super('account.insufficient_credit', `cannot refund ${requested.toString()} ${requested.currency}: unapplied credit is ${available.toString()}`, {
      requested: requested.toJSON(),
      available: available.toJSON(),
      ...partial,
    });
  }
}

/** Reads one payment. */
@injectable()
export class GetPayment {
  constructor(@inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository) {}

  async execute(query: { readonly tenantId: TenantId; readonly paymentId: PaymentId }): Promise<PaymentState> {
    return (await load(this.payments, query.tenantId, query.paymentId, 'payment')).toState();
  }
}

/** Lists a partner's payments, newest first. */
@injectable()
export class ListPayments {
  constructor(
    @inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
  ) {}

  /** @throws NotFoundError `partner.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly partnerId: PartnerId; readonly page?: PageRequest }): Promise<Page<PaymentState>> {
    await load(this.partners, query.tenantId, query.partnerId, 'partner');
    return this.payments.listByPartner(query.tenantId, query.partnerId, query.page ?? {});
  }
}

