import {
  CLOCK,
  ConflictError,
  DomainError,
  ID_GENERATOR,
  InvalidStateError,
  Money,
  NotFoundError,
  ValidationError,
  atPath,
  definedFields,
  pageRequest,
  parseCalendarDate,
  parseCurrencyCode,
  requiredList,
  requiredObject,
  type CalendarDate,
  type Clock,
  type CurrencyCode,
  type IdGenerator,
  type Page,
  type PageRequest,
  type TenantId,
} from '@invoicing/core';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { inject, injectable } from 'inversify';
import type { Invoice } from '../invoice/invoice';
import { INVOICE_TRANSITIONS } from '../invoice/invoice-lifecycle';
import { INVOICE_REPOSITORY, type InvoiceRepository } from '../invoice/invoice-repository.port';
import { inAccount, type LedgerAccount, type LedgerTransaction, type Posting, type RefundedPosting } from '../ledger/ledger';
import { LEDGER, type Ledger } from '../ledger/ledger.port';
import { LedgerProjection } from '../ledger/ledger-projection';
import { postTransaction, postTransactionIfAny, type LedgerState } from '../ledger/post-transaction';
import { invoiceStanding, settlementPostings, voidedError } from '../ledger/settlement';
import type { Partner } from '../partner/partner';
import { PARTNER_REPOSITORY, type PartnerRepository } from '../partner/partner-repository.port';
import type { InvoiceId, PartnerId, PaymentId, RefundId } from '../shared/ids';
import { optionalText } from '../shared/text';
import { load } from '../shared/use-case-support';
import { Payment, type PaymentState, type ReceivedPayment } from './payment';
import { PAYMENT_REPOSITORY, type PaymentRepository } from './payment-repository.port';

/** Checks that a named invoice can take this partner's payment (as its document says; the ledger has the last word). */
function assertPayable(invoice: Invoice, partnerId: PartnerId, currency: CurrencyCode, index: number): void {
  if (invoice.kind !== 'invoice' || invoice.buyerId !== partnerId || invoice.currency !== currency) {
    throw ValidationError.of(`applyTo.${index}`, 'payment.invoice_mismatch', `invoice ${invoice.id} is not an invoice to this partner in ${currency}`);
  }
  const outcome = INVOICE_TRANSITIONS.applyPayment[invoice.status];
  if (outcome !== true) throw new InvalidStateError(outcome, `invoice ${invoice.id} cannot take payments (${invoice.status})`, { invoiceId: invoice.id, status: invoice.status });
}

/** The invoices a payment's credit goes to, and whether the caller named them (only a named invoice may be uncollectible). */
interface Targets {
  readonly invoices: readonly Invoice[];
  readonly named: boolean;
}

const NO_TARGETS: Targets = { invoices: [], named: true };

/**
 * The invoices a payment's credit goes to: those named (each once, all checked before anything is written), or the
 * partner's oldest receivables in the currency.
 * @throws NotFoundError `invoice.not_found`; ValidationError `payment.invoice_mismatch`; InvalidStateError when a named invoice cannot take payments
 */
async function targetInvoices(
  invoices: InvoiceRepository,
  account: LedgerAccount,
  applyTo: readonly InvoiceId[] | undefined,
  loaded: readonly Invoice[] = [],
): Promise<Targets> {
  if (applyTo === undefined) return { invoices: await invoices.findReceivables(account.tenantId, account.partnerId, account.currency), named: false };
  const targets: Invoice[] = [];
  for (const [index, invoiceId] of applyTo.entries()) {
    // A repeat counts once; an error names the position the caller gave the invoice first.
    if (targets.some((target) => target.id === invoiceId)) continue;
    const invoice = loaded.find((document) => document.id === invoiceId) ?? (await load(invoices, account.tenantId, invoiceId, 'invoice'));
    assertPayable(invoice, account.partnerId, account.currency, index);
    targets.push(invoice);
  }
  return { invoices: targets, named: true };
}

/**
 * The postings applying up to `available` of a payment to invoices in order, each for what it still owes as of the
 * ledger state; a written-off invoice is paid by reversing its write-off first, and only when named. Invoices settled,
 * voided (unless named), written off (unless named) or already holding this payment since they were chosen are passed
 * over: the ledger, not the documents, decides.
 * @throws InvalidStateError `invoice.voided` when a named invoice is void as of the ledger state
 */
async function applications(state: LedgerState, paymentId: PaymentId, available: Money, targets: Targets, appliedOn: CalendarDate): Promise<Posting[]> {
  // A named invoice voided since it was read refuses the payment, as its document would have: the void came first.
  if (targets.named) {
    for (const invoice of targets.invoices) if ((await state.invoice(invoice.id)).voided.isPositive()) throw voidedError(invoice.id);
  }
  const postings: Posting[] = [];
  let remaining = available;
  for (const invoice of targets.invoices) {
    if (!remaining.isPositive()) break;
    if (await state.hasApplied(paymentId, invoice.id)) continue;
    const standing = await invoiceStanding(state, invoice);
    // Chosen as receivable from its document, which a write-off may not have reached yet.
    if (!targets.named && standing.writtenOff.isPositive()) continue;
    const amount = remaining.min(standing.owed);
    if (standing.voided || !amount.isPositive()) continue;
    postings.push(...settlementPostings(standing, { type: 'applied', amount, paymentId, invoiceId: invoice.id, invoiceDue: standing.due, appliedOn }));
    remaining = remaining.subtract(amount);
  }
  return postings;
}

/**
 * Refuses a payment that the invoices it names, as the ledger has them now, would not take in full: one recorded for
 * what an invoice owed when it was read (an import's difference), which a payment at the same moment made too large.
 * The rest would become credit the partner never paid.
 * @throws ConflictError `payment.exceeds_owed`
 */
function assertWhollyApplied(amount: Money, postings: readonly Posting[], paymentId: PaymentId): void {
  const applied = Money.sum(
    amount.currency,
    postings.flatMap((posting) => (posting.type === 'applied' ? [posting.amount] : [])),
  );
  if (applied.equals(amount)) return;
  throw new ConflictError('payment.exceeds_owed', `payment ${paymentId} of ${amount.toString()} ${amount.currency} is more than the invoices it names still owe (${applied.toString()}): nothing was recorded`, {
    paymentId,
    amount: amount.toJSON(),
    owed: applied.toJSON(),
  });
}

/**
 * Records money received from a partner and applies it: to the invoices named, in that order, or by default to
 * the partner's oldest receivables in the payment's currency. What is left over is the partner's unapplied credit.
 *
 * The payment and its applications are one ledger transaction (ADR 0006): stored whole or not at all, under a
 * unique operation id, so concurrent payments cannot settle an invoice twice and a retry cannot record a payment twice.
 * The payment document and the invoices' payments are then projected from it.
 */
@injectable()
export class RecordPayment {
  constructor(
    @inject(LEDGER) private readonly ledger: Ledger,
    @inject(LedgerProjection) private readonly projection: LedgerProjection,
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * `id`, when given, makes the call idempotent by construction: it is the id of the payment a retry of the same
   * request would record (the API derives it from the tenant and the `Idempotency-Key`), and the ledger operation is
   * named after it. A retry finds the transaction stored, whatever happened to the first attempt's answer: nothing new is
   * recorded, the projection is completed and the payment answered as the first attempt recorded it.
   * @throws NotFoundError `partner.not_found` | `invoice.not_found`; ValidationError `payment.invalid_amount` | `payment.invoice_mismatch` | `money.*` | `request.is_array` (`applyTo`);
   * InvalidStateError when a named invoice cannot take payments; DomainError `idempotency.key_reused` when `id` names a
   * payment recorded for a different request
   */
  async execute(
    command: ReceivedPayment & { readonly tenantId: TenantId; readonly applyTo?: readonly InvoiceId[]; readonly id?: PaymentId },
  ): Promise<PaymentState> {
    return this.record(command, []);
  }

  /**
   * {@link execute}, for a caller that read the invoices it names already (`PayInvoice`), and maybe the partner (an
   * import): they are not read again.
   */
  async record(
    command: ReceivedPayment & { readonly tenantId: TenantId; readonly applyTo?: readonly InvoiceId[]; readonly id?: PaymentId },
    loaded: readonly Invoice[],
    partner?: Partner,
    options: { readonly wholly?: boolean } = {},
  ): Promise<PaymentState> {
    const { tenantId } = requiredObject(command);
    // Only an absent list means "the oldest invoices that owe": anything else must be the list of those to pay.
    if (command.applyTo !== undefined) requiredList(command.applyTo, 'applyTo');
    if (partner?.tenantId !== tenantId || partner.id !== command.partnerId) await load(this.partners, tenantId, command.partnerId, 'partner');
    const id = command.id ?? this.ids.next<'Payment'>();
    const asked = Payment.receive(command, { tenantId, id, at: this.clock.now() });
    const account: LedgerAccount = { tenantId, partnerId: asked.partnerId, currency: asked.currency };
    const operationId = `payment:${id}`;
    const digest = requestDigest({ applyTo: command.applyTo });
    const lookUp = async (): Promise<LedgerTransaction | undefined> => {
      const found = await this.ledger.byOperation(tenantId, operationId);
      if (found && !inAccount(found, account)) throw keyReused(id);
      return found;
    };
    // A fresh id cannot be stored; a derived one may be: a retry answers what the first attempt recorded, even when a
    // named invoice was settled by someone else since.
    let stored = command.id === undefined ? undefined : await lookUp();
    let targets = NO_TARGETS;
    if (!stored) {
      try {
        targets = await targetInvoices(this.invoices, account, command.applyTo, loaded);
      } catch (error) {
        // Refused on documents that another attempt of this request may have settled after the lookup (the first
        // attempt, slow to answer, in another process): what it stored is the answer.
        if (command.id === undefined || !(error instanceof DomainError)) throw error;
        stored = await lookUp();
        if (!stored) throw error;
      }
    }
    const { transaction, read } = stored
      ? { transaction: stored, read: undefined }
      : await postTransaction(
          this.ledger,
          { account, operationId },
          async (state) => {
            const received: Posting = { type: 'received', amount: asked.amount, paymentId: id, receivedOn: asked.receivedOn, ...definedFields({ reference: asked.toState().reference }) };
            const applied = await applications(state, id, asked.amount, targets, asked.receivedOn);
            if (options.wholly) assertWhollyApplied(asked.amount, applied, id);
            return { kind: 'payment', postings: [received, ...applied], at: this.clock.now(), requestDigest: digest };
          },
          { operationLookedUp: true },
        ).catch((error: unknown) => {
          throw error instanceof ConflictError && error.code === 'ledger.operation_reused' ? keyReused(id) : error;
        });
    const receipt = transaction.postings.find((posting) => posting.type === 'received');
    if (
      transaction.kind !== 'payment' ||
      receipt?.type !== 'received' ||
      receipt.paymentId !== id ||
      !receipt.amount.equals(asked.amount) ||
      receipt.receivedOn !== asked.receivedOn ||
      receipt.reference !== asked.toState().reference ||
      !namesTheSame(transaction, command.applyTo, digest)
    ) {
      throw keyReused(id);
    }
    const projected = (await this.projection.project(transaction, read, targets.invoices)).payments.get(id);
    if (!projected) throw new NotFoundError('payment', id);
    return projected.toState();
  }
}

/** A payment brought up to date with the ledger. @throws NotFoundError `payment.not_found` */
async function syncedPayment(projection: LedgerProjection, tenantId: TenantId, paymentId: PaymentId): Promise<Payment> {
  const payment = await projection.syncPayment(tenantId, paymentId);
  if (!payment) throw new NotFoundError('payment', paymentId);
  return payment;
}

function backfillRequired(paymentId: PaymentId): InvalidStateError {
  return new InvalidStateError('ledger.backfill_required', `payment ${paymentId} was recorded before the ledger recorded money: run npm run db:ledger-backfill to carry it into the ledger first`, {
    paymentId,
  });
}

/**
 * The digest of what a request asked that its postings cannot show, stored with its transaction: what a retry must ask
 * again. `applyTo` is each invoice named once, in order, or null for none named (the oldest receivables), which an
 * empty list is not.
 */
function requestDigest(request: { readonly paymentId?: PaymentId; readonly applyTo: readonly InvoiceId[] | undefined }): string {
  const { applyTo, ...rest } = request;
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify({ ...rest, applyTo: applyTo === undefined ? null : [...new Set(applyTo)] }))));
}

/**
 * Whether the stored payment was asked for the invoices this request names. A transaction stored before the request was
 * kept (no digest) tells only the invoices it settled: one it settled that this request does not name means another
 * request (a named invoice it did not settle cannot be told apart).
 */
function namesTheSame(transaction: LedgerTransaction, applyTo: readonly InvoiceId[] | undefined, digest: string): boolean {
  if (transaction.requestDigest !== undefined) return transaction.requestDigest === digest;
  if (applyTo === undefined) return true;
  const named = new Set(applyTo);
  return !transaction.postings.some((posting) => posting.type === 'applied' && !named.has(posting.invoiceId));
}

/**
 * Whether a stored application was asked for this payment and these invoices. One stored before the request was kept
 * (no digest) is compared by what it shows: its payment, and the invoices it settled.
 */
function appliesTheSame(transaction: LedgerTransaction, paymentId: PaymentId, applyTo: readonly InvoiceId[] | undefined, digest: string): boolean {
  if (transaction.kind !== 'application') return false;
  if (transaction.requestDigest !== undefined) return transaction.requestDigest === digest;
  if (transaction.postings.some((posting) => posting.type === 'applied' && posting.paymentId !== paymentId)) return false;
  return namesTheSame(transaction, applyTo, digest);
}

function applicationKeyReused(paymentId: PaymentId): DomainError {
  return new DomainError('idempotency.key_reused', `the idempotency key was used to apply another payment or other invoices than payment ${paymentId}'s: use a new key`, { paymentId });
}

function keyReused(paymentId: PaymentId): DomainError {
  return new DomainError('idempotency.key_reused', `payment ${paymentId} was recorded for a different request: use a new idempotency key`, { paymentId });
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
    return this.recordPayment.record({ ...received, partnerId: invoice.buyerId, applyTo: [invoice.id] }, [invoice]);
  }
}

/**
 * Applies a payment's unapplied credit to invoices (named, or the partner's oldest receivables), as one ledger
 * transaction. Invoices that hold the payment already are passed over, so repeating the call applies nothing twice;
 * with `operationId` (the API derives it from the `Idempotency-Key`), a retry answers without appending again.
 */
@injectable()
export class ApplyPayment {
  constructor(
    @inject(LEDGER) private readonly ledger: Ledger,
    @inject(LedgerProjection) private readonly projection: LedgerProjection,
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * @throws NotFoundError `payment.not_found` | `invoice.not_found`; ValidationError `payment.invoice_mismatch`; InvalidStateError when a named
   * invoice cannot take payments, `ledger.backfill_required` when the ledger never received the payment (recorded before it)
   */
  async execute(command: { readonly tenantId: TenantId; readonly paymentId: PaymentId; readonly applyTo?: readonly InvoiceId[]; readonly operationId?: string }): Promise<PaymentState> {
    const { tenantId, paymentId } = command;
    const payment = await syncedPayment(this.projection, tenantId, paymentId);
    const account: LedgerAccount = { tenantId, partnerId: payment.partnerId, currency: payment.currency };
    const operationId = `application:${command.operationId ?? this.ids.next<'Operation'>()}`;
    const digest = requestDigest({ paymentId, applyTo: command.applyTo });
    // What an operation id stored for another application answers would be taken for this one: refused instead.
    const sameRequest = (transaction: LedgerTransaction | undefined): void => {
      if (transaction && !appliesTheSame(transaction, paymentId, command.applyTo, digest)) throw applicationKeyReused(paymentId);
    };
    const stored = command.operationId === undefined ? undefined : await this.ledger.byOperation(tenantId, operationId);
    if (stored && !inAccount(stored, account)) throw applicationKeyReused(paymentId);
    sameRequest(stored);
    const targets = stored ? NO_TARGETS : await targetInvoices(this.invoices, account, command.applyTo);
    const outcome = await postTransactionIfAny(this.ledger, { account, operationId }, async (state) => {
      const position = await state.payment(paymentId);
      // Its document holds credit the ledger never received: counting it as none would answer an application that did nothing.
      if (position.receipts === 0) throw backfillRequired(paymentId);
      const postings = await applications(state, paymentId, position.unapplied, targets, payment.receivedOn);
      return postings.length === 0 ? undefined : { kind: 'application', postings, at: this.clock.now(), requestDigest: digest };
    }).catch((error: unknown) => {
      throw error instanceof ConflictError && error.code === 'ledger.operation_reused' ? applicationKeyReused(paymentId) : error;
    });
    sameRequest(outcome?.transaction);
    // With nothing left to apply, the documents are still brought up to date: what the call finds may be the work of an
    // attempt that stopped after its ledger append.
    if (outcome) await this.projection.project(outcome.transaction, outcome.read);
    else await this.projection.syncPaymentAndInvoices(tenantId, paymentId);
    return (await syncedPayment(this.projection, tenantId, paymentId)).toState();
  }
}

/**
 * Pays unapplied credit back to a partner, drawing on its payments oldest first; refuses to go below zero.
 * A refund is one ledger transaction, however many payments it draws on: it is stored whole or not at all, so
 * concurrent refunds can never take more than the credit, nor keep part of a refund that was refused (issue 12).
 * Each call without `refundId` is a new refund; with one (the API derives it from the tenant and the
 * `Idempotency-Key`), a retry answers the refund the first attempt made.
 */
@injectable()
export class RefundCredit {
  constructor(
    @inject(LEDGER) private readonly ledger: Ledger,
    @inject(LedgerProjection) private readonly projection: LedgerProjection,
    @inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * @throws NotFoundError `partner.not_found`; InvalidStateError `account.insufficient_credit`; DomainError
   * `idempotency.key_reused` (`refundId` names a refund made for another request); ValidationError
   */
  async execute(command: RefundCommand): Promise<RefundResult> {
    const { tenantId } = command;
    await load(this.partners, tenantId, command.partnerId, 'partner');
    const currency = atPath('currency', () => parseCurrencyCode(command.currency));
    const amount = atPath('amount', () => Money.of(command.amount, currency));
    if (!amount.isPositive()) throw ValidationError.of('amount', 'payment.invalid_amount', 'a refund is above zero');
    const refundedOn: CalendarDate = atPath('refundedOn', () => parseCalendarDate(command.refundedOn));
    const reference = atPath('reference', () => optionalText(command.reference, '', 100));
    const refundId = command.refundId ?? this.ids.next<'Refund'>();
    const account: LedgerAccount = { tenantId, partnerId: command.partnerId, currency };
    const { transaction, read } = await postTransaction(this.ledger, { account, operationId: `refund:${refundId}` }, async (state) => {
      if (amount.greaterThan(state.totals.unapplied)) throw new InsufficientCreditError(amount, state.totals.unapplied);
      const postings: Posting[] = [];
      let remaining = amount;
      for await (const paymentId of this.creditSources(state)) {
        const take = remaining.min((await state.payment(paymentId)).unapplied);
        if (!take.isPositive()) continue;
        postings.push({ type: 'refunded', amount: take, refundId, paymentId, refundedOn, ...definedFields({ reference }) });
        remaining = remaining.subtract(take);
        if (!remaining.isPositive()) break;
      }
      return { kind: 'refund', postings, at: this.clock.now() };
    }).catch((error: unknown) => {
      throw error instanceof ConflictError && error.code === 'ledger.operation_reused' ? refundKeyReused(refundId) : error;
    });
    const parts = transaction.postings.filter((posting): posting is RefundedPosting => posting.type === 'refunded');
    const same =
      transaction.kind === 'refund' &&
      parts.every((part) => part.refundId === refundId && part.refundedOn === refundedOn && part.reference === reference) &&
      Money.sum(currency, parts.map((part) => part.amount)).equals(amount);
    if (!same) throw refundKeyReused(refundId);
    await this.projection.project(transaction, read);
    return { refundId, amount, payments: parts.map((part) => part.paymentId) };
  }

  /**
   * The payments that may hold credit, oldest first: those the documents say hold some, then, should a projection lag
   * behind the ledger, every other payment the account received. The ledger state decides how much each one holds.
   */
  private async *creditSources(state: LedgerState): AsyncGenerator<PaymentId> {
    const { tenantId, partnerId, currency } = state.account;
    const seen = new Set<PaymentId>();
    const documented = (await this.payments.findWithUnappliedCredit(tenantId, partnerId, currency)).map((payment) => ({
      id: payment.id,
      receivedOn: payment.receivedOn,
      at: payment.toState().createdAt,
    }));
    for (const id of oldestFirst(documented)) {
      seen.add(id);
      yield id;
    }
    const lagging: CreditSource[] = [];
    let cursor: PageRequest['cursor'];
    read: do {
      const page = await this.ledger.transactions(state.account, { limit: 100, ...definedFields({ cursor }) });
      for (const transaction of page.items) {
        if (transaction.seq > (state.head?.seq ?? 0)) break read;
        for (const posting of transaction.postings) {
          if (posting.type === 'received' && !seen.has(posting.paymentId)) {
            seen.add(posting.paymentId);
            lagging.push({ id: posting.paymentId, receivedOn: posting.receivedOn, at: transaction.at });
          }
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    yield* oldestFirst(lagging);
  }
}

/** A payment a refund may draw on, with what orders it: when the money came in, then when it was recorded. */
interface CreditSource {
  readonly id: PaymentId;
  readonly receivedOn: CalendarDate;
  readonly at: Date;
}

/**
 * Payment ids, oldest payment first: by date received, then time recorded, then id. Ids do not tell (those derived
 * from an idempotency key or an import do not sort by time), so neither does the order the store answers in.
 */
function oldestFirst(sources: readonly CreditSource[]): PaymentId[] {
  return [...sources]
    .sort((left, right) => compare(left.receivedOn, right.receivedOn) || left.at.getTime() - right.at.getTime() || compare(left.id, right.id))
    .map((source) => source.id);
}

function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function refundKeyReused(refundId: RefundId): DomainError {
  return new DomainError('idempotency.key_reused', `refund ${refundId} was made for a different request: use a new idempotency key`, { refundId });
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

/** The partner's credit is smaller than the refund asked for; nothing was refunded. */
export class InsufficientCreditError extends InvalidStateError {
  constructor(requested: Money, available: Money) {
    super('account.insufficient_credit', `cannot refund ${requested.toString()} ${requested.currency}: unapplied credit is ${available.toString()}`, {
      requested: requested.toJSON(),
      available: available.toJSON(),
    });
  }
}

/** Reads one payment; one the ledger recorded but whose document a crash left unwritten is projected first. */
@injectable()
export class GetPayment {
  constructor(
    @inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @inject(LedgerProjection) private readonly projection: LedgerProjection,
  ) {}

  /** @throws NotFoundError `payment.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly paymentId: PaymentId }): Promise<PaymentState> {
    const payment = (await this.payments.get(query.tenantId, query.paymentId)) ?? (await syncedPayment(this.projection, query.tenantId, query.paymentId));
    return payment.toState();
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
    const page = pageRequest(query.page);
    await load(this.partners, query.tenantId, query.partnerId, 'partner');
    return this.payments.listByPartner(query.tenantId, query.partnerId, page);
  }
}

