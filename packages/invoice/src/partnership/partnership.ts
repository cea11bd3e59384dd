import {
  AggregateRoot,
  InvalidStateError,
  addDays,
  Money,
  ValidationError,
  atPath,
  collectIssues,
  definedFields,
  frozenState,
  handedOut,
  parseCalendarDate,
  parseCurrencyCode,
  requiredObject,
  type CalendarDate,
  type CurrencyCode,
  type Decimal,
  type DecimalInput,
  type TenantId,
} from '@invoicing/core';
import { storedUnitPrice } from '../invoice/invoice-line';
import type { MarketableId, PartnerId, PartnershipId } from '../shared/ids';
import { optionalText } from '../shared/text';
import { paymentTerms, type PaymentTerms, type PaymentTermsInput } from './payment-terms';
import type { InvoicePeriod } from '../invoice/invoice-period';

/**
 * Whether invoices need someone's approval before they are issued. With `separateApprover`, that someone is none of
 * the draft's authors (four eyes): an approval by one of them does not count.
 */
export type ApprovalRule =
  | { readonly kind: 'none' }
  | { readonly kind: 'always'; readonly separateApprover?: true }
  /** Only invoices whose total with VAT (BT-112) is above the threshold. */
  | { readonly kind: 'above'; readonly threshold: Money; readonly separateApprover?: true };

/** An approval rule as given: the threshold a decimal string. */
export type ApprovalRuleInput =
  | { readonly kind: 'none'; readonly separateApprover?: false }
  | { readonly kind: 'always'; readonly separateApprover?: boolean }
  | { readonly kind: 'above'; readonly threshold: string; readonly separateApprover?: boolean };

/** How issued documents are delivered to the buyer by default. */
export const DELIVERY_FORMATS = ['pdf', 'ubl', 'cii', 'factur-x', 'csv'] as const;
export type DeliveryFormat = (typeof DELIVERY_FORMATS)[number];

/** Rules of the relationship that the domain evaluates (never hard-coded per customer). */
export interface PartnershipPolicy {
  readonly approval: ApprovalRule;
  readonly deliveryFormat: DeliveryFormat;
}

/** Invoice and credit-note numbering series; numbers look like `INV-000042`. */
export interface NumberingSeries {
  readonly invoice: string;
  readonly creditNote: string;
}

export type PartnershipStatus = 'active' | 'suspended' | 'ended';

/** The stored form of a partnership. */
export interface PartnershipState {
  readonly tenantId: TenantId;
  readonly id: PartnershipId;
  readonly version: number;
  readonly sellerId: PartnerId;
  readonly buyerId: PartnerId;
  readonly currency: CurrencyCode;
  readonly paymentTerms: PaymentTerms;
  /** Negotiated unit prices in the partnership's currency, replacing list prices. */
  readonly priceOverrides: readonly { readonly marketableId: MarketableId; readonly unitPrice: Decimal }[];
  readonly numbering: NumberingSeries;
  readonly policy: PartnershipPolicy;
  readonly status: PartnershipStatus;
  readonly validFrom: CalendarDate;
  readonly validUntil?: CalendarDate;
  /** The buyer's reference for the relationship (contract number …), copied onto invoices as buyer reference. */
  readonly buyerReference?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What an invoice draft takes from its partnership ({@link Partnership.draftTerms}). */
export interface InvoiceDraftTerms {
  readonly partnershipId: PartnershipId;
  readonly sellerId: PartnerId;
  readonly buyerId: PartnerId;
  readonly currency: CurrencyCode;
  readonly paymentTerms: PaymentTerms;
  /** The invoice series of the partnership's numbering. */
  readonly series: string;
}

/** Input for the terms of a partnership. */
export interface PartnershipTermsInput {
  readonly currency: string;
  readonly paymentTerms: PaymentTermsInput;
  readonly numbering?: Partial<NumberingSeries>;
  readonly policy?: {
    readonly approval?: ApprovalRuleInput;
    readonly deliveryFormat?: string;
  };
  readonly validFrom: string;
  readonly validUntil?: string;
  readonly buyerReference?: string;
}

const SERIES = /^[A-Z0-9][A-Z0-9-]{0,19}$/;

function series(value: unknown, fallback: string): string {
  const given = value ?? fallback;
  if (typeof given !== 'string' || !SERIES.test(given)) {
    throw ValidationError.of('', 'partnership.invalid_series', 'a series is 1–20 upper-case letters, digits or dashes, e.g. INV');
  }
  return given;
}

/**
 * A rule given again without `separateApprover` keeps the current one's: restating a threshold (as a change of currency
 * asks) must not turn four eyes off unsaid (audit approval F4). `none` drops it, as it drops the approval.
 */
function keptSeparateApprover(current: ApprovalRule, given: unknown): { readonly approval?: ApprovalRuleInput } {
  if (current.kind === 'none' || current.separateApprover !== true) return {};
  const stated = given as { readonly kind?: unknown; readonly separateApprover?: unknown } | null;
  if (typeof given !== 'object' || stated === null || (stated.separateApprover !== undefined && stated.separateApprover !== null) || stated.kind === 'none') return {};
  return { approval: { ...(given as ApprovalRuleInput), separateApprover: true } as ApprovalRuleInput };
}

// Optional objects (numbering, policy and its approval) may be left out or null; anything but an object is refused by
// type, not read as an empty one.
function terms(input: PartnershipTermsInput) {
  return collectIssues((attempt) => {
    const currency = attempt('currency', () => parseCurrencyCode(input.currency)) as CurrencyCode;
    const parsedTerms = attempt('paymentTerms', () => paymentTerms(input.paymentTerms));
    const numbering = attempt('numbering', () => {
      const given = requiredObject(input.numbering ?? {}, '');
      return collectIssues((inner) => ({
        invoice: inner('invoice', () => series(given.invoice, 'INV')) as string,
        creditNote: inner('creditNote', () => series(given.creditNote, 'CN')) as string,
      }));
    });
    const policy = attempt('policy', () => requiredObject(input.policy ?? {}, ''));
    const approval = attempt('policy.approval', (): ApprovalRule => {
      const rule = requiredObject(policy?.approval ?? ({ kind: 'none' } as const), '');
      const separate = (rule as { readonly separateApprover?: unknown }).separateApprover;
      if (separate !== undefined && typeof separate !== 'boolean') throw ValidationError.of('separateApprover', 'partnership.invalid_approval', 'separateApprover is true or false');
      if (rule.kind === 'none') {
        if (separate === true) throw ValidationError.of('separateApprover', 'partnership.invalid_approval', 'a separate approver needs an approval: kind always or above');
        return { kind: 'none' };
      }
      const four = separate === true ? ({ separateApprover: true } as const) : {};
      if (rule.kind === 'always') return { kind: 'always', ...four };
      if (rule.kind === 'above') {
        const threshold = atPath('threshold', () => Money.of(rule.threshold, currency));
        if (threshold.isNegative()) throw ValidationError.of('threshold', 'partnership.invalid_threshold', 'the threshold is not negative');
        return { kind: 'above', threshold, ...four };
      }
      throw ValidationError.of('kind', 'partnership.invalid_approval', 'approval kind is none, always or above');
    });
    const deliveryFormat = attempt('policy.deliveryFormat', () => {
      const format = policy?.deliveryFormat ?? 'pdf';
      if (!(DELIVERY_FORMATS as readonly string[]).includes(format)) {
        throw ValidationError.of('', 'partnership.invalid_delivery_format', `one of ${DELIVERY_FORMATS.join(', ')}`);
      }
      return format as DeliveryFormat;
    });
    const validFrom = attempt('validFrom', () => parseCalendarDate(input.validFrom));
    const validUntil = input.validUntil === undefined ? undefined : attempt('validUntil', () => parseCalendarDate(input.validUntil as string));
    if (validFrom && validUntil && validUntil < validFrom) {
      attempt('validUntil', () => {
        throw ValidationError.of('', 'partnership.invalid_validity', 'validUntil is on or after validFrom');
      });
    }
    const buyerReference = attempt('buyerReference', () => optionalText(input.buyerReference, '', 100));
    return {
      currency,
      paymentTerms: parsedTerms as PaymentTerms,
      numbering: numbering as NumberingSeries,
      policy: { approval: approval as ApprovalRule, deliveryFormat: deliveryFormat as DeliveryFormat },
      validFrom: validFrom as CalendarDate,
      ...definedFields({ validUntil, buyerReference }),
    };
  });
}

/**
 * The commercial relationship between a seller and a buyer (one of them normally the tenant's own company):
 * the currency they trade in, payment terms, negotiated prices, numbering and the policies invoices follow.
 */
export class Partnership extends AggregateRoot<PartnershipId> {
  readonly aggregateType = 'partnership';

  private frozen!: PartnershipState;

  private constructor(state: PartnershipState) {
    super(state.tenantId, state.id, state.version);
    this.state = state;
  }

  // Frozen whenever it is replaced: nothing handed out or taken in can change it afterwards.
  private get state(): PartnershipState {
    return this.frozen;
  }

  private set state(next: PartnershipState) {
    this.frozen = frozenState(next);
  }

  /**
   * Opens a partnership. The use case checks that both partners exist and are active.
   * @throws ValidationError (`partnership.same_partner` when seller and buyer are one partner)
   */
  static create(
    command: PartnershipTermsInput & { readonly sellerId: PartnerId; readonly buyerId: PartnerId },
    context: { tenantId: TenantId; id: PartnershipId; at: Date },
  ): Partnership {
    if (command.sellerId === command.buyerId) {
      throw ValidationError.of('buyerId', 'partnership.same_partner', 'seller and buyer are two different partners');
    }
    const partnership = new Partnership({
      tenantId: context.tenantId,
      id: context.id,
      version: 0,
      sellerId: command.sellerId,
      buyerId: command.buyerId,
      ...terms(command),
      priceOverrides: [],
      status: 'active',
      createdAt: context.at,
      updatedAt: context.at,
    });
    partnership.raise('partnership.created', { partnershipId: context.id, sellerId: command.sellerId, buyerId: command.buyerId }, context.at);
    return partnership;
  }

  /** Rebuilds a partnership from its stored state (no validation, no events); freezes the plain data of `state` it keeps. */
  static restore(state: PartnershipState): Partnership {
    return new Partnership(state);
  }

  /** The current state, for repositories and readers: frozen, with Dates of its own. */
  toState(): PartnershipState {
    return { ...handedOut(this.state), version: this.version };
  }

  get sellerId(): PartnerId {
    return this.state.sellerId;
  }

  get buyerId(): PartnerId {
    return this.state.buyerId;
  }

  get currency(): CurrencyCode {
    return this.state.currency;
  }

  get paymentTerms(): PaymentTerms {
    return this.state.paymentTerms;
  }

  get numbering(): NumberingSeries {
    return this.state.numbering;
  }

  get policy(): PartnershipPolicy {
    return this.state.policy;
  }

  get buyerReference(): string | undefined {
    return this.state.buyerReference;
  }

  get status(): PartnershipStatus {
    return this.state.status;
  }

  /** The first day of its validity. */
  get validFrom(): CalendarDate {
    return this.state.validFrom;
  }

  /** The last day of its validity (none: open); for an ended partnership, its last day in force. */
  get validUntil(): CalendarDate | undefined {
    return this.state.validUntil;
  }

  /** True when the partnership is active and `date` falls in its validity. */
  isActiveOn(date: CalendarDate): boolean {
    return this.state.status === 'active' && this.isValidOn(date);
  }

  /**
   * Whether an invoice issued on `issueDate` belongs to this relationship. An active one: when its validity covers the
   * issue date, or the invoice claims only days within it: an invoicing period (BG-14) with both its dates within the
   * validity, and every date its lines' periods (BG-26) name within it too. So the final bill in arrears, issued the day
   * after the last period, can be made for that period, and nothing past the end can. An ended one: only by such a claim,
   * whatever the issue date, within its validity, which ended on its last day in force (ADR 0027): what it owes for
   * those days is invoiced after it ended. A suspended one: never.
   */
  canInvoice(
    issueDate: CalendarDate,
    claim: { readonly period?: InvoicePeriod; readonly linePeriods?: readonly (InvoicePeriod | undefined)[] } = {},
  ): boolean {
    if (this.state.status === 'suspended') return false;
    if (this.state.status === 'active' && this.isValidOn(issueDate)) return true;
    // Ended before its last day was recorded (before ADR 0027): which days were its own is not known.
    if (this.state.status === 'ended' && this.state.validUntil === undefined) return false;
    const { period, linePeriods = [] } = claim;
    if (period?.start === undefined || period.end === undefined) return false;
    const days = [period, ...linePeriods].flatMap((each) => [each?.start, each?.end]).filter((day): day is CalendarDate => day !== undefined);
    return days.every((day) => this.isValidOn(day));
  }

  private isValidOn(date: CalendarDate): boolean {
    return date >= this.state.validFrom && (this.state.validUntil === undefined || date <= this.state.validUntil);
  }

  /** The negotiated unit price of a marketable, if any. */
  priceOverride(marketableId: MarketableId): Decimal | undefined {
    return this.state.priceOverrides.find((item) => item.marketableId === marketableId)?.unitPrice;
  }

  /**
   * What an invoice drafted under this partnership takes from it: the parties, currency, payment terms and invoice
   * series. The one place these are copied into a draft, so that every way of drafting agrees.
   */
  draftTerms(): InvoiceDraftTerms {
    const { sellerId, buyerId, currency, paymentTerms, numbering } = this.state;
    return { partnershipId: this.id, sellerId, buyerId, currency, paymentTerms, series: numbering.invoice };
  }

  /**
   * Whether an invoice of this total with VAT (BT-112) needs approval before it is issued. The total, not the amount
   * due: a prepaid amount typed on a draft would otherwise take it under the threshold.
   */
  requiresApproval(total: Money): boolean {
    const rule = this.state.policy.approval;
    // A draft from before a change of currency cannot be compared with the threshold: someone approves it.
    return rule.kind === 'always' || (rule.kind === 'above' && (total.currency !== rule.threshold.currency || total.greaterThan(rule.threshold)));
  }

  /** Whether an approval counts only when given by none of the draft's authors. */
  requiresSeparateApprover(): boolean {
    const rule = this.state.policy.approval;
    return rule.kind !== 'none' && rule.separateApprover === true;
  }

  /**
   * Changes currency, payment terms, validity and buyer reference; numbering and policy change only when given
   * (a left-out series never silently falls back to the default).
   * @throws InvalidStateError `partnership.ended`; ValidationError
   */
  updateTerms(given: PartnershipTermsInput, at: Date): void {
    this.requireNotEnded();
    const input = requiredObject(given, '');
    // Checked before they are merged into the current ones: a text spread into an object adds nothing, silently.
    const { numbering, policy } = collectIssues((attempt) => ({
      numbering: attempt('numbering', () => requiredObject(input.numbering ?? {}, '')),
      policy: attempt('policy', () => requiredObject(input.policy ?? {}, '')),
    }));
    const { validUntil: _validUntil, buyerReference: _buyerReference, ...kept } = this.state;
    const current = this.state;
    // The threshold's figure read in another currency would be another amount (10000 EUR is not 10000 KWD). Compared as
    // a currency code: `eur` is no other currency but no code at all, which reading the terms refuses (`money.unknown_currency`).
    if (isOtherCurrency(input.currency, current.currency) && current.policy.approval.kind === 'above' && (policy?.approval ?? undefined) === undefined) {
      throw ValidationError.of('policy.approval.threshold', 'partnership.threshold_currency', `the approval threshold is in ${current.currency}: give one in ${String(input.currency)} with the new currency`);
    }
    const changed = terms({
      ...input,
      numbering: { ...current.numbering, ...numbering },
      policy: {
        approval: current.policy.approval.kind === 'above' ? { ...current.policy.approval, threshold: current.policy.approval.threshold.toString() } : current.policy.approval,
        deliveryFormat: current.policy.deliveryFormat,
        // A rule left out, null or undefined stays as it is (null is no rule given, as for every optional object).
        ...Object.fromEntries(Object.entries(policy ?? {}).filter(([, value]) => value !== null && value !== undefined)),
        ...keptSeparateApprover(current.policy.approval, policy?.approval),
      },
    });
    if (changed.currency !== current.currency && current.priceOverrides.length > 0) {
      throw ValidationError.of('currency', 'partnership.currency_has_prices', 'remove the price overrides before changing the currency');
    }
    this.state = { ...kept, ...changed, updatedAt: at };
    this.raise('partnership.terms_updated', { partnershipId: this.id }, at);
  }

  /** Sets the negotiated unit price of a marketable (in the partnership's currency). @throws ValidationError `partnership.negative_price` */
  setPriceOverride(marketableId: MarketableId, unitPrice: DecimalInput, at: Date): void {
    this.requireNotEnded();
    const price = atPath('unitPrice', () => storedUnitPrice(unitPrice, 'partnership'));
    const others = this.state.priceOverrides.filter((item) => item.marketableId !== marketableId);
    this.state = { ...this.state, priceOverrides: [...others, { marketableId, unitPrice: price }], updatedAt: at };
    this.raise('partnership.price_set', { partnershipId: this.id, marketableId, unitPrice: price.toString() }, at);
  }

  /** Drops a negotiated price: the list price applies again. */
  removePriceOverride(marketableId: MarketableId, at: Date): void {
    this.requireNotEnded();
    this.state = { ...this.state, priceOverrides: this.state.priceOverrides.filter((item) => item.marketableId !== marketableId), updatedAt: at };
    this.raise('partnership.price_removed', { partnershipId: this.id, marketableId }, at);
  }

  /** Pauses invoicing. @throws InvalidStateError `partnership.not_active` */
  suspend(at: Date): void {
    if (this.state.status !== 'active') throw new InvalidStateError('partnership.not_active', `partnership ${this.id} is ${this.state.status}`);
    this.state = { ...this.state, status: 'suspended', updatedAt: at };
    this.raise('partnership.suspended', { partnershipId: this.id }, at);
  }

  /** Resumes invoicing. @throws InvalidStateError `partnership.not_suspended` */
  resume(at: Date): void {
    if (this.state.status !== 'suspended') throw new InvalidStateError('partnership.not_suspended', `partnership ${this.id} is ${this.state.status}`);
    this.state = { ...this.state, status: 'active', updatedAt: at };
    this.raise('partnership.resumed', { partnershipId: this.id }, at);
  }

  /**
   * Ends the relationship for good, `lastDay` (today, for the caller) its last day in force: it becomes the end of the
   * validity, unless the validity ended before. A partnership ended before its validity began keeps no day of it
   * (`validUntil` before `validFrom`). What it owes for its days is still invoiced ({@link canInvoice}).
   * @throws InvalidStateError `partnership.ended`
   */
  end(at: Date, lastDay: CalendarDate): void {
    this.requireNotEnded();
    const current = this.state.validUntil;
    const validUntil = current !== undefined && current < lastDay ? current : lastDay < this.state.validFrom ? addDays(this.state.validFrom, -1) : lastDay;
    this.state = { ...this.state, status: 'ended', validUntil, updatedAt: at };
    this.raise('partnership.ended', { partnershipId: this.id }, at);
  }

  private requireNotEnded(): void {
    if (this.state.status === 'ended') throw new InvalidStateError('partnership.ended', `partnership ${this.id} has ended`, { partnershipId: this.id });
  }
}

/** Whether `given` is a currency code, and another than `current`. */
function isOtherCurrency(given: unknown, current: CurrencyCode): boolean {
  if (typeof given !== 'string') return false;
  try {
    return parseCurrencyCode(given) !== current;
  } catch {
    return false;
  }
}
