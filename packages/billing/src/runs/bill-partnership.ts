import {
  CLOCK,
  ConflictError,
  DomainError,
  collectIssues,
  decimal,
  definedFields,
  formatDecimal,
  ID_GENERATOR,
  InvalidStateError,
  NotFoundError,
  Money,
  ValidationError,
  addDays,
  startOfDay,
  type CalendarDate,
  type Clock,
  type CurrencyCode,
  type IdGenerator,
  type TenantId,
} from '@invoicing/core';
import {
  CreateCreditNote,
  CreateInvoiceDraft,
  CreateIssuedInvoice,
  INVOICE_REPOSITORY,
  INVOICING_SETTINGS,
  computeTotals,
  documentAllowanceCharge,
  invoiceLine,
  isReasonCode,
  isVatexCode,
  vatBreakdown,
  vatKey,
  type AllowanceChargeSide,
  type DocumentAllowanceCharge,
  type DocumentAllowanceChargeInput,
  type InvoiceLine,
  type InvoiceTotals,
  PARTNER_REPOSITORY,
  PARTNERSHIP_REPOSITORY,
  type InvoiceId,
  type InvoiceParties,
  type InvoiceRepository,
  type InvoicingSettings,
  type Partner,
  type PartnerId,
  type PartnerRepository,
  type PartnershipId,
  type PartnershipRepository,
  type VatCategoryInput,
} from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import { oneOffIdsOf, type OneOffCharge } from '../one-off/one-off-charge';
import { ONE_OFF_CHARGE_STORE, type OneOffChargeStore } from '../one-off/one-off-charge-store.port';
import type { BillingPlan } from '../plans/billing-plan';
import { BILLING_PLAN_REPOSITORY, type BillingPlanRepository } from '../plans/billing-plan-repository.port';
import type { DateRange } from '../periods/billing-period';
import { USAGE_EVENT_STORE, type InstantRange, type UsageEventStore } from '../usage/usage-event-store.port';
import { billInvoicePeriod, billKey, billLinePeriod, type BillCreditNote, type BillCreditNoteOutcome, type BillOutcome, type BillState } from './bill';
import { invoicedPart, withCreditNotes, type SourceInvoice } from './final-credit';
import { BILL_REPOSITORY, BillPositionTakenError, type BillRepository } from './bill-repository.port';
import { BillLedger, afterLastBill, billingEndedBy, correctionQuantityAndPrice, dueBillingDates, nextBillingDate, planVersionsSeen, proposeBill, type ProposedBill } from './propose-bill';

/**
 * How long before a bill's usage cutoff an event may have been received and still be missed by it (a write that
 * committed after the bill read the usage, a server clock slightly behind): later runs look at events received since
 * the cutoff less this margin. Looking again costs one query; its result only matters if it changes a figure.
 */
export const LATE_USAGE_MARGIN_MS = 5 * 60_000;

/**
 * How many times billing one partnership reads its bills when other runs keep recording bills of it meanwhile, before
 * it gives up with `billing.bills_changed` (the run counts the partnership failed; the next run bills it).
 */
const BILL_READS = 5;

/**
 * Another run recorded a date of the partnership from a later version of its plan than this run read: the run reads
 * the bills and the plan again before it bills the dates after it. Counted with {@link BillPositionTakenError}.
 */
class PlanOvertakenError extends ConflictError {
  override readonly name: string = 'PlanOvertakenError';

  constructor(key: string) {
    super('billing.bills_changed', `bill ${key}: another run recorded it from a later version of the billing plan than this run read`, { key });
  }
}

/**
 * A one-off charge on the bill was cancelled since the run read the charges: the bill is worked out again without
 * it. Counted with {@link BillPositionTakenError}.
 */
class OneOffCancelledError extends ConflictError {
  override readonly name: string = 'OneOffCancelledError';

  constructor(key: string, ids: readonly string[]) {
    super('billing.bills_changed', `bill ${key}: one-off charges ${ids.join(', ')} were cancelled since this run read them`, { key, ids });
  }
}

/** How billing the dates due ended: a credit left due at the last one, or stopped part way. */
interface DatesBilled {
  readonly creditPending?: CreditPendingError | CreditAwaitsIssueError | CreditNoteRefusedError;
  readonly stopped?: boolean;
}

/** What billing one partnership did, date by date. */
export interface PartnershipBilling {
  readonly partnershipId: PartnershipId;
  readonly bills: readonly BilledDate[];
  /**
   * The last date due of an ended plan came to a credit not made yet: not recorded, still due, as no credit notes can
   * carry it ({@link CreditPendingError}) or until an invoice it credits is issued ({@link CreditAwaitsIssueError});
   * or recorded, and a credit note of it refused ({@link CreditNoteRefusedError}).
   */
  readonly creditPending?: CreditPendingError | CreditAwaitsIssueError | CreditNoteRefusedError;
  /** True when billing stopped part way ({@link BillPartnershipCommand.stop}): the dates after `bills` are left to the next run. */
  readonly stopped?: boolean;
}

/** Tells billing to stop at its next date once `aborted` (an `AbortSignal` is one): its process shuts down. */
export interface StopSignal {
  readonly aborted: boolean;
}

/** One billing date: the bill (recorded, or only worked out in a dry run) and whether this call recorded it. */
export interface BilledDate {
  readonly bill: BillState;
  /** False when another run (or an earlier attempt) had recorded it: this call made or found its invoice. */
  readonly recorded: boolean;
}

/**
 * Partners a run has read, by id, for the partnerships it bills next (a page of them): their seller is read once, not
 * once per invoice. Kept per page, so that a change to a partner reaches the invoices of the run's next page.
 */
export type PartnersRead = Map<PartnerId, Promise<Partner>>;

/** What billing one partnership needs to know. */
export interface BillPartnershipCommand {
  readonly tenantId: TenantId;
  readonly partnershipId: PartnershipId;
  readonly asOf: CalendarDate;
  readonly dryRun?: boolean;
  readonly runId?: string;
  /** Partners read already by this run (shared by the partnerships of a page), and where to keep those read here. */
  readonly partnersRead?: PartnersRead;
  /**
   * Stops billing at the next date once aborted (the process shuts down): what is recorded stays, each bill with its
   * invoice, and the next run bills the rest ({@link PartnershipBilling.stopped}).
   */
  readonly stop?: StopSignal;
}

/**
 * Bills one partnership for every date due by `asOf` (docs/billing.md#billing-runs). Each bill is recorded before its
 * invoice is made, under a key unique per partnership and date, with the invoice id it will have: a run that stops
 * between the two, a run started twice, or two runs at once all end with one bill and one invoice per date. A pending
 * bill found at the start (an earlier run stopped) gets its invoice first.
 */
@injectable()
export class BillPartnership {
  constructor(
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(BILL_REPOSITORY) private readonly bills: BillRepository,
    @inject(USAGE_EVENT_STORE) private readonly usage: UsageEventStore,
    @inject(ONE_OFF_CHARGE_STORE) private readonly oneOffs: OneOffChargeStore,
    @inject(CreateInvoiceDraft) private readonly drafts: CreateInvoiceDraft,
    @inject(CreateIssuedInvoice) private readonly issued: CreateIssuedInvoice,
    @inject(CreateCreditNote) private readonly creditNotes: CreateCreditNote,
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /**
   * @throws NotFoundError `billing_plan.not_found`; BillPositionTakenError `billing.bills_changed` when other runs
   * recorded bills of the partnership each time it read them, {@link BILL_READS} times; BillOutOfRangeError
   * `billing.amount_out_of_range` for a bill no invoice could carry (not recorded); whatever making an invoice throws
   * (the bill then stays pending and the next run tries again)
   */
  async execute(command: BillPartnershipCommand): Promise<PartnershipBilling> {
    const { tenantId, partnershipId } = command;
    // The bills first, then the plan: no bill read was worked out from a later version of the plan than this one.
    let bills = [...(await this.bills.listByPartnership(tenantId, partnershipId))];
    let plan = await this.planOf(tenantId, partnershipId);
    const results: BilledDate[] = [];
    let outcome: DatesBilled = {};
    // Read when the first invoice is made, once for all of this partnership's bills.
    let parties: Promise<InvoiceParties> | undefined;
    const partiesOnce = (): Promise<InvoiceParties> => (parties ??= this.parties(tenantId, partnershipId, command.partnersRead ?? new Map()));
    // A credit note refused holds up nothing else of the partnership: the bills after it do not depend on it.
    let awaiting: CreditNoteRefusedError | undefined;
    if (!command.dryRun) {
      for (const pending of bills.filter((bill) => bill.status === 'pending')) {
        if (command.stop?.aborted) return { partnershipId, bills: results, stopped: true };
        const made = await this.invoiceOrWait(pending, partiesOnce);
        awaiting ??= made.awaiting;
        results.push({ bill: made.bill, recorded: false });
      }
    }
    for (let reads = 1; ; reads += 1) {
      try {
        outcome = await this.billDueDates(command, plan, bills, results, partiesOnce);
        break;
      } catch (error) {
        // Another run recorded a bill since these were read: what is due, and what each date charges, may have changed.
        if (!(error instanceof BillPositionTakenError || error instanceof PlanOvertakenError || error instanceof OneOffCancelledError) || reads === BILL_READS) throw error;
        bills = [...(await this.bills.listByPartnership(tenantId, partnershipId))];
        plan = await this.planOf(tenantId, partnershipId);
      }
    }
    return { partnershipId, bills: results, ...definedFields({ creditPending: outcome.creditPending ?? awaiting, stopped: outcome.stopped }) };
  }

  private async planOf(tenantId: TenantId, partnershipId: PartnershipId): Promise<BillingPlan> {
    const plan = await this.plans.get(tenantId, partnershipId);
    if (!plan) throw new NotFoundError('billing_plan', partnershipId);
    return plan;
  }

  /**
   * Records (in a dry run, only works out) the bill of each date due, each in the position after the bills before it,
   * appending to `results` as it goes. A bill that comes to a credit is recorded with nothing on it, its items left to
   * the next bill ({@link carriedForward}); the last date due of an ended plan, which no later bill would follow, is not
   * recorded at all: its credit is returned.
   * @throws BillPositionTakenError when another run recorded a bill of the partnership since `bills` were read;
   *   PlanOvertakenError when another run recorded one of the dates from a later version of the plan than `plan`;
   *   BillOutOfRangeError `billing.amount_out_of_range` for a bill no invoice could carry (not recorded)
   */
  private async billDueDates(
    command: BillPartnershipCommand,
    plan: BillingPlan,
    read: readonly BillState[],
    results: BilledDate[],
    parties: () => Promise<InvoiceParties>,
  ): Promise<DatesBilled> {
    const bills = [...read];
    const listed = await this.oneOffs.listThrough(command.tenantId, command.partnershipId, throughLastBill(command.asOf, bills));
    // Worked out in the plan's currency only: what an earlier currency billed was billed to its end in it.
    const { plan: current, bills: inCurrency, oneOffs } = inItsCurrency(plan, bills, listed);
    const own = [...inCurrency];
    const due = await this.datesDue(current, oneOffs, own, command.asOf);
    // What the bills charged, kept up to date as this call records them, and the last day up to which a bill it
    // recorded compared every item with them: each date works out only what came after (audit dates F1).
    const ledger = new BillLedger(current, own);
    let settledThrough: CalendarDate | undefined;
    // Every bill of this call says usage received up to its start was counted: usage received while it bills is
    // looked at again by the next run, not by each later date here (which would measure every period after it again).
    const usageCutoff = this.clock.now();
    for (const [index, billingDate] of due.entries()) {
      if (command.stop?.aborted) return { stopped: true };
      const horizon = maxDate(ledger.lastBillingDate, billingDate);
      const proposed = await inRange(plan.partnershipId, billingDate, () => this.propose(current, own, oneOffs, billingDate, usageCutoff, { ledger, settledThrough }));
      let bill = withAuthors(this.billOf(command, current, proposed, usageCutoff, bills.length + 1), oneOffs);
      // Checked before it is recorded: a bill's lines never change, so one no invoice can carry would wait for ever.
      const amountDue = bill.lines.length === 0 ? undefined : await inRange(plan.partnershipId, billingDate, async () => invoiceTotalsOf(bill).amountDue);
      // A bill carried forward charged none of its items: they are compared again on the next date.
      let settles = true;
      if (amountDue?.isNegative()) {
        const ended = index === due.length - 1 && billingEndedBy(current, billingDate) !== undefined;
        if (ended) {
          // No later date of the plan would carry it: credited where its items were charged (ADR 0030), decided from
          // the invoices as they are now, and only once none it credits is a draft.
          const final = withCreditNotes(bill, own, await this.sourcesOf(command.tenantId, own), () => this.ids.next<'Invoice'>(), proposed.creditedAllowances);
          if (final.kind === 'awaits_issue') return { creditPending: new CreditAwaitsIssueError(bill, final.invoiceId, amountDue) };
          const split = final.kind === 'credit_notes' ? await inRange(plan.partnershipId, billingDate, async () => fitting(final.bill)) : final.reason;
          if (typeof split === 'string') return { creditPending: new CreditPendingError(plan.partnershipId, billingDate, amountDue, split) };
          bill = split;
        } else {
          // A credit is not invoiced: the next bill carries its items (worked out again against what was billed).
          bill = carriedForward(bill, own);
          settles = false;
        }
      }
      if (command.dryRun) {
        results.push({ bill, recorded: true });
        bills.push(bill);
        own.push(bill);
        ledger.add(bill);
        if (settles) settledThrough = horizon;
        continue;
      }
      // Its one-off charges are taken before it is recorded: one cancelled meanwhile is not billed, and once taken
      // none can be cancelled (OneOffChargeStore.claim).
      const taken = oneOffIdsOf(bill);
      const cancelled = taken.length === 0 ? [] : await this.oneOffs.claim(command.tenantId, taken, bill.key, this.clock.now());
      if (cancelled.length > 0) throw new OneOffCancelledError(bill.key, cancelled);
      const { bill: stored, recorded } = await this.bills.record(bill);
      if (stored.status === 'pending') {
        const made = await this.invoiceOrWait(stored, parties);
        results.push({ bill: made.bill, recorded });
        if (made.awaiting) return { creditPending: made.awaiting };
      } else results.push({ bill: stored, recorded });
      bills.push(stored);
      if (ofItsCurrency(plan, stored)) {
        own.push(stored);
        ledger.add(stored);
      }
      // A bill another run recorded was worked out from what that run read: the next date compares every item again.
      if (!recorded) settledThrough = undefined;
      else if (settles) settledThrough = horizon;
      // The next dates, worked out from the plan as read here, would undo what that bill charged under later terms.
      if (!recorded && (stored.planVersionsSeen ?? 0) > planVersionsSeen(plan)) throw new PlanOvertakenError(stored.key);
    }
    return {};
  }

  /**
   * The next bill of a partnership's plan, not recorded: the first a run as of `today` (or of `through`, when earlier)
   * would make; when nothing is due by then, the first date due by `through`. Looking ahead first would skip a date only
   * a run's own date makes (a change of terms over days billed) and show its difference on a later bill.
   */
  async preview(plan: BillingPlan, through: CalendarDate, today: CalendarDate): Promise<ProposedBill | undefined> {
    const all = await this.bills.listByPartnership(plan.tenantId, plan.partnershipId);
    const { plan: current, bills, oneOffs } = inItsCurrency(plan, all, await this.oneOffs.listThrough(plan.tenantId, plan.partnershipId, throughLastBill(through, all)));
    const asOf = through < today ? through : today;
    const next = (await this.datesDue(current, oneOffs, bills, asOf))[0] ?? (through > asOf ? await this.firstDateAhead(current, oneOffs, bills, asOf, through) : undefined);
    if (next === undefined) return undefined;
    // What a run would not make into an invoice, the preview does not show as one.
    const partnership = await this.partnerships.get(plan.tenantId, plan.partnershipId);
    if (partnership && partnership.currency !== plan.currency) throw new BillCurrencyMismatchError(plan.partnershipId, next, plan.currency, partnership.currency);
    return inRange(plan.partnershipId, next, async () => {
      const proposed = await this.propose(current, bills, oneOffs, next, this.clock.now());
      // What a run would refuse to record, the preview refuses to show as an invoice.
      if (proposed.lines.length > 0) invoiceTotalsOf({ ...proposed, currency: plan.currency });
      return proposed;
    });
  }

  /**
   * What the plan still has to bill in its currency as of `today`, in words, or undefined when nothing: it has ended,
   * every date due is billed and invoiced, no one-off charge waits and no usage received since its last bill waits to be
   * billed. Only then may the partnership's currency change (docs/billing.md#changing-the-currency).
   */
  async stillToBill(plan: BillingPlan, today: CalendarDate): Promise<string | undefined> {
    const all = await this.bills.listByPartnership(plan.tenantId, plan.partnershipId);
    const pending = all.find((bill) => bill.status === 'pending');
    if (pending) return `its bill of ${pending.billingDate} is not invoiced yet`;
    const { plan: current, bills, oneOffs } = inItsCurrency(plan, all, await this.oneOffs.listThrough(plan.tenantId, plan.partnershipId, LAST_DAY));
    if (billingEndedBy(current, today) === undefined) return `it has not ended by ${today}: end it (terms: null), and let its last bill be invoiced`;
    const [due] = await this.datesDue(current, oneOffs, bills, today);
    if (due !== undefined) return `its bill of ${due} is still due`;
    const charged = new Set(bills.flatMap(oneOffIdsOf));
    const waiting = oneOffs.find((charge) => !charged.has(charge.id));
    return waiting === undefined ? undefined : `its one-off charge ${waiting.id} of ${waiting.date} is not billed yet`;
  }

  /**
   * The first date due after `asOf` (nothing being due by it), up to `through`: the day after the last bill when what
   * waits for a run's own date (late usage of an ended plan, a change or one-off charge over billed days) finds a bill
   * dated `asOf` or later, else the plan's next date.
   */
  private async firstDateAhead(plan: BillingPlan, oneOffs: Awaited<ReturnType<OneOffChargeStore['listThrough']>>, bills: readonly BillState[], asOf: CalendarDate, through: CalendarDate): Promise<CalendarDate | undefined> {
    if (!afterLastBill(bills, asOf)) {
      const dayAfter = addDays(throughLastBill(asOf, bills), 1);
      const [due] = dayAfter <= through ? await this.datesDue(plan, oneOffs, bills, dayAfter) : [];
      if (due !== undefined) return due;
    }
    // The first date only: `through` may be years ahead (audit dates F2).
    return nextBillingDate(plan, oneOffs, bills, asOf, through);
  }

  /**
   * The billing dates due by `asOf` ({@link dueBillingDates}); for a plan whose billing has ended, `asOf` too when
   * usage of days already billed was received since the last bill and `asOf` is after that bill: no date of the plan
   * would ever bill it, and a bill dated before the last one would put the bills out of order (audit billinghttp F6).
   */
  private async datesDue(plan: BillingPlan, oneOffs: Awaited<ReturnType<OneOffChargeStore['listThrough']>>, bills: readonly BillState[], asOf: CalendarDate): Promise<CalendarDate[]> {
    const due = dueBillingDates(plan, oneOffs, bills, asOf);
    if (due.length > 0 || bills.length === 0 || !afterLastBill(bills, asOf) || billingEndedBy(plan, asOf) === undefined) return due;
    const late = await this.lateUsage(plan, bills, this.clock.now(), asOf);
    return late.size > 0 ? [asOf] : due;
  }

  /**
   * For each metric, the earliest timestamp of usage received since the last bill's cutoff (less the margin), among
   * events of days up to the later of `billingDate` and the last bill's date.
   */
  private async lateUsage(plan: BillingPlan, bills: readonly BillState[], upTo: Date, billingDate: CalendarDate): Promise<ReadonlyMap<string, Date>> {
    const lastCutoff = bills.reduce<number | undefined>((latest, bill) => Math.max(latest ?? 0, bill.usageCutoff.getTime()), undefined);
    // Nothing billed yet, or a plan that never measured usage: no usage can be late.
    const measuresUsage = plan.history.some((version) => version.terms?.charges.some((charge) => charge.kind === 'usage'));
    if (lastCutoff === undefined || !measuresUsage) return new Map<string, Date>();
    return this.usage.lateUsage(plan.tenantId, plan.partnershipId, { after: new Date(lastCutoff - LATE_USAGE_MARGIN_MS), upTo }, startOfDay(throughLastBill(billingDate, bills), this.settings.timeZone));
  }

  /**
   * Works out a bill, with usage received up to `usageCutoff` (the bill's own cutoff) looked at for late events; only
   * the items after `settledThrough` when an earlier bill of the same call settled the others (usage received since is
   * then the next run's).
   */
  private async propose(
    plan: BillingPlan,
    bills: readonly BillState[],
    oneOffs: Awaited<ReturnType<OneOffChargeStore['listThrough']>>,
    billingDate: CalendarDate,
    usageCutoff: Date,
    kept: { readonly ledger?: BillLedger; readonly settledThrough?: CalendarDate | undefined } = {},
  ): Promise<ProposedBill> {
    const { tenantId } = plan;
    const timeZone = this.settings.timeZone;
    const lateUsage = kept.settledThrough === undefined ? await this.lateUsage(plan, bills, usageCutoff, billingDate) : new Map<string, Date>();
    return proposeBill(
      {
        plan,
        bills,
        oneOffs,
        timeZone,
        lateUsage,
        ...definedFields({ ledger: kept.ledger, settledThrough: kept.settledThrough }),
        measure: (charge, range) =>
          this.usage.measure(tenantId, plan.partnershipId, charge.metric, instantsOf(range, timeZone), {
            eventAmounts: charge.price.kind === 'percentage' && (!charge.price.fixedFeePerEvent.isZero() || charge.price.minPerEvent !== undefined || charge.price.maxPerEvent !== undefined),
          }),
      },
      billingDate,
    );
  }

  private billOf(command: { readonly tenantId: TenantId; readonly runId?: string }, plan: BillingPlan, proposed: ProposedBill, usageCutoff: Date, position: number): BillState {
    const createdAt = this.clock.now();
    const terms = plan.history.find((each) => each.version === proposed.planVersion)?.terms;
    return {
      tenantId: command.tenantId,
      key: billKey(plan.partnershipId, proposed.billingDate),
      partnershipId: plan.partnershipId,
      billingDate: proposed.billingDate,
      planVersion: proposed.planVersion,
      planVersionsSeen: planVersionsSeen(plan),
      invoiceMode: terms?.invoiceMode ?? 'draft',
      currency: plan.currency,
      lines: proposed.lines,
      ...(proposed.settled.length === 0 ? {} : { settled: proposed.settled }),
      allowances: proposed.allowances,
      usageCutoff,
      invoiceId: this.ids.next<'Invoice'>() as InvoiceId,
      status: proposed.lines.length === 0 ? 'empty' : 'pending',
      ...(command.runId === undefined ? {} : { runId: command.runId }),
      position,
      createdAt,
    };
  }

  /** The partnership and its partners, each partner read once per `read` (the run's page). */
  private async parties(tenantId: TenantId, partnershipId: PartnershipId, read: PartnersRead): Promise<InvoiceParties> {
    const partnership = await this.partnerships.get(tenantId, partnershipId);
    if (!partnership) throw new NotFoundError('partnership', partnershipId);
    const partner = (id: PartnerId): Promise<Partner> => {
      let reading = read.get(id);
      if (!reading) {
        reading = this.partners.get(tenantId, id).then((found) => {
          if (!found) throw new NotFoundError('partner', id);
          return found;
        });
        // A failed read is not kept: the next partnership reads again.
        reading.catch(() => read.delete(id));
        read.set(id, reading);
      }
      return reading;
    };
    const [seller, buyer] = await Promise.all([partner(partnership.sellerId), partner(partnership.buyerId)]);
    return { partnership, seller, buyer };
  }

  /** {@link invoice}, or the bill still pending with why, when a credit note of it is refused. */
  private async invoiceOrWait(bill: BillState, parties: () => Promise<InvoiceParties>): Promise<{ readonly bill: BillState; readonly awaiting?: CreditNoteRefusedError }> {
    try {
      return { bill: await this.invoice(bill, parties) };
    } catch (error) {
      if (error instanceof CreditNoteRefusedError) return { bill, awaiting: error };
      throw error;
    }
  }

  /** The invoices of a partnership's bills as they are now: what the credit of its ended plan may go on. */
  private async sourcesOf(tenantId: TenantId, bills: readonly BillState[]): Promise<Map<InvoiceId, SourceInvoice>> {
    const ids = [...new Set(bills.filter((bill) => bill.status !== 'empty').map((bill) => bill.invoiceId))];
    const read = await Promise.all(ids.map((id) => this.invoices.get(tenantId, id)));
    const sources = new Map<InvoiceId, SourceInvoice>();
    for (const found of read) {
      if (!found) continue;
      const invoice = found.toState();
      const taxable = new Map<string, Money>();
      for (const each of invoice.vatBreakdown) taxable.set(vatKey(each.category), (taxable.get(vatKey(each.category)) ?? Money.zero(invoice.currency)).add(each.taxableAmount));
      sources.set(invoice.id, {
        state: invoice.status === 'draft' ? 'draft' : invoice.status === 'void' ? 'void' : 'issued',
        lineAmounts: new Map(invoice.lines.map((line) => [line.id, line.netAmount])),
        taxable,
        adjusted: !invoice.totals.prepaid.isZero() || !invoice.totals.rounding.isZero(),
        creditNoteIds: invoice.credits.map((credit) => credit.creditNoteId),
      });
    }
    return sources;
  }

  /**
   * Makes the invoice of a pending bill (the same one again if an earlier attempt made it), and its credit notes, and
   * marks the bill invoiced. With credit notes, the invoice carries the rest of the bill, and is not made when that is
   * nothing ({@link invoicedPart}).
   * @throws BillCurrencyMismatchError `billing.currency_mismatch` when the partnership is no longer in the bill's
   * currency; CreditNoteRefusedError when a credit note is refused
   */
  private async invoice(bill: BillState, parties: () => Promise<InvoiceParties>): Promise<BillState> {
    const part = bill.creditNotes === undefined ? bill : { ...bill, ...invoicedPart(bill) };
    const invoiced = part.lines.length === 0 ? undefined : await this.makeInvoice(part, parties);
    const creditNotes: BillCreditNoteOutcome[] = [];
    for (const note of bill.creditNotes ?? []) creditNotes.push(await this.creditNote(bill, note));
    const outcome: BillOutcome =
      invoiced === undefined ? { invoiceStatus: 'none', creditNotes } : bill.creditNotes === undefined ? invoiced : { ...invoiced, creditNotes };
    const at = this.clock.now();
    await this.bills.markInvoiced(bill.tenantId, bill.key, outcome, at);
    return { ...bill, status: 'invoiced', outcome, invoicedAt: at };
  }

  /**
   * Makes one credit note of a bill (the same one again if an earlier attempt made it): `skipped` when the invoice it
   * credits was voided or deleted, which took back all it charged.
   * @throws CreditNoteRefusedError when crediting it is refused (the bill then stays pending and the next run tries
   * again); whatever else it throws
   */
  private async creditNote(bill: BillState, note: BillCreditNote): Promise<BillCreditNoteOutcome> {
    const content = invoiceContentOf(creditNoteContentOf(bill, note));
    try {
      await this.creditNotes.execute({
        tenantId: bill.tenantId,
        invoiceId: note.invoiceId,
        id: note.creditNoteId,
        lines: content.lines,
        allowances: content.allowances,
        charges: [],
        reason: `Billing date ${bill.billingDate}, plan version ${bill.planVersion} of the partnership's billing plan, which has ended: what it credits of what earlier bills charged.`,
      });
      return { creditNoteId: note.creditNoteId, status: 'issued' };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'invoice.voided' || error.code === 'invoice.not_found') return { creditNoteId: note.creditNoteId, status: 'skipped', reason: error.code };
      throw new CreditNoteRefusedError(bill, note.invoiceId, error);
    }
  }

  /**
   * Makes the invoice of a bill's content (the same one again if an earlier attempt made it).
   * @throws BillCurrencyMismatchError `billing.currency_mismatch` when the partnership is no longer in the bill's currency
   */
  private async makeInvoice(bill: BillState, parties: () => Promise<InvoiceParties>): Promise<Extract<BillOutcome, { readonly invoiceStatus: 'issued' | 'draft' }>> {
    const command = { tenantId: bill.tenantId, partnershipId: bill.partnershipId, id: bill.invoiceId, ...invoiceContentOf(bill), ...definedFields({ authors: bill.authors }) };
    const read = await parties();
    // The invoice takes the currency of the partnership it is drafted from, this one: in another, the bill's figures
    // would be read as other amounts. The bill waits until its currency is the partnership's again.
    if (read.partnership.currency !== bill.currency) throw new BillCurrencyMismatchError(bill.partnershipId, bill.billingDate, bill.currency, read.partnership.currency);
    let invoice: Awaited<ReturnType<CreateInvoiceDraft['execute']>>;
    let notIssued: { readonly code: string; readonly message: string } | undefined;
    if (bill.invoiceMode === 'issue') {
      try {
        invoice = await this.issued.execute(command, read);
      } catch (error) {
        // Issuing was refused (approval needed, the document not complete): the invoice waits as a draft, and says why.
        if (!(error instanceof DomainError) || error.name === 'NotFoundError') throw error;
        notIssued = { code: error.code, message: error.message };
        invoice = await this.drafts.execute(command, read);
      }
    } else {
      invoice = await this.drafts.execute(command, read);
    }
    // What the stored invoice is, not what this attempt tried: another run may have issued it first.
    return invoice.status === 'draft' ? { invoiceStatus: 'draft', ...(notIssued === undefined ? {} : { notIssued }) } : { invoiceStatus: 'issued' };
  }
}

/** The bill with the authors of its invoice: who added the one-off charges it bills (ADR 0031). */
function withAuthors(bill: BillState, oneOffs: readonly OneOffCharge[]): BillState {
  const billed = new Set(oneOffIdsOf(bill));
  const authors = [...new Set(oneOffs.flatMap((charge) => (billed.has(charge.id) && charge.addedBy !== undefined ? [charge.addedBy] : [])))];
  return authors.length === 0 ? bill : { ...bill, authors };
}

/** What a bill's invoice is made from. */
type BillContent = Pick<BillState, 'billingDate' | 'planVersion' | 'currency' | 'lines' | 'allowances'>;

/**
 * What a bill's invoice holds: its lines (each with its days), its discounts, the days it is for. A reason or VAT
 * exemption code the invoice would refuse, recorded before codes were checked (on the bill, or on the plan or one-off
 * charge it is worked out from), is left out, its text kept as the reason: as a full credit note's copy does, so that
 * such a bill is still invoiced rather than refused at every run.
 */
function invoiceContentOf(bill: BillContent) {
  return {
    lines: bill.lines.map((each) => ({ ...each.line, vat: invoicedVat(each.line.vat), ...definedFields({ period: billLinePeriod(each) }) })),
    allowances: bill.allowances.filter((each) => each.side === 'allowance').map((each) => invoicedAllowance(each.allowance, 'allowance')),
    charges: bill.allowances.filter((each) => each.side === 'charge').map((each) => invoicedAllowance(each.allowance, 'charge')),
    notes: [`Billing date ${bill.billingDate}, plan version ${bill.planVersion} of the partnership's billing plan.`],
    ...definedFields({ invoicePeriod: billInvoicePeriod(bill) }),
  };
}

/** A document allowance or charge as its invoice takes it ({@link invoiceContentOf}); 95 on a charge, among others. */
function invoicedAllowance(given: DocumentAllowanceChargeInput, side: AllowanceChargeSide): DocumentAllowanceChargeInput {
  const { reasonCode, ...rest } = given;
  const listed = typeof reasonCode !== 'string' || isReasonCode(reasonCode, side);
  return { ...(listed ? given : { ...rest, reason: given.reason ?? reasonCode }), vat: invoicedVat(given.vat) };
}

/** A VAT category as an invoice takes it: an exemption code outside VATEX left out, kept as the reason when none. */
function invoicedVat(given: VatCategoryInput): VatCategoryInput {
  if (given === null || typeof given !== 'object') return given;
  const { exemptionReasonCode: code, ...rest } = given;
  return typeof code !== 'string' || isVatexCode(code) ? given : { ...rest, exemptionReason: given.exemptionReason ?? code };
}

/**
 * A credit note of a bill as a bill's content: the credit lines it takes, credited: their quantity turned positive, or,
 * for a part of a line (net of its discount, or split over invoices), 1 × that part, which its description says.
 */
function creditNoteContentOf(bill: BillState, note: BillCreditNote): BillContent {
  const lines = note.lines.map((part) => {
    const line = bill.lines.find((each) => each.line.id === part.lineId);
    if (line === undefined) throw new TypeError(`bill ${bill.key}: credit note ${note.creditNoteId} names line ${part.lineId}, which the bill does not have`);
    const credit = line.amount.negate();
    if (part.amount.equals(credit)) return { ...line, line: { ...line.line, quantity: formatDecimal(decimal(line.line.quantity).negated()) }, amount: part.amount };
    const said = `${part.amount.toString()} of its ${credit.toString()} credited here, net of the discount its days had and of what other invoices take`;
    const description = line.line.description === undefined ? said : `${line.line.description}; ${said}`;
    return { ...line, line: { ...line.line, ...correctionQuantityAndPrice(part.amount), description }, amount: part.amount };
  });
  return { billingDate: bill.billingDate, planVersion: bill.planVersion, currency: bill.currency, lines, allowances: [] };
}

/**
 * A bill with credit notes when each of its documents is one an invoice or credit note can be: every credit note
 * crediting something, its invoice charging nothing below zero; otherwise why not.
 * @throws ValidationError as drafting them would (`money.out_of_range`)
 */
function fitting(bill: BillState): BillState | string {
  const part = { ...bill, ...invoicedPart(bill) };
  if (part.lines.length > 0 && invoiceTotalsOf(part).amountDue.isNegative()) return 'the invoice of what it charges would come to less than zero';
  return (bill.creditNotes ?? []).every((note) => invoiceTotalsOf(creditNoteContentOf(bill, note)).amountDue.isPositive()) ? bill : 'a credit note of it would credit nothing';
}

/**
 * The totals of a bill's invoice, worked out as the invoice works them out (its lines, allowances and charges parsed,
 * VAT per category): what the invoice will say, before the bill is recorded.
 * @throws ValidationError as drafting the invoice would (`money.out_of_range` for an amount no invoice can carry)
 */
function invoiceTotalsOf(bill: BillContent): InvoiceTotals {
  const { currency } = bill;
  const content = invoiceContentOf(bill);
  if (content.lines.length > MAX_INVOICE_LINES) throw ValidationError.of('lines', 'invoice.too_many_lines', `at most ${MAX_INVOICE_LINES} lines`);
  const parsed = collectIssues((attempt) => ({
    lines: content.lines.map((line, index) => attempt(`lines.${index}`, () => invoiceLine(line, currency, index))) as InvoiceLine[],
    allowances: content.allowances.map((each, index) => attempt(`allowances.${index}`, () => documentAllowanceCharge(each, currency, 'allowance'))) as DocumentAllowanceCharge[],
    charges: content.charges.map((each, index) => attempt(`charges.${index}`, () => documentAllowanceCharge(each, currency, 'charge'))) as DocumentAllowanceCharge[],
  }));
  const totals = { currency, ...parsed, prepaid: Money.zero(currency), rounding: Money.zero(currency) };
  return computeTotals(totals, vatBreakdown(totals));
}

/** The most lines an invoice holds (`invoice.too_many_lines`). */
const MAX_INVOICE_LINES = 10_000;

/**
 * Works a bill out (or checks it) and reports an amount beyond what an invoice can carry as the bill's, typed: a
 * usage figure or a sum of charges the plan's bounds could not foresee. Nothing is recorded, so changing the plan lets
 * the next run bill the date (a one-off credit cannot: the lines are summed in order, and the overflow comes first).
 */
async function inRange<T>(partnershipId: PartnershipId, billingDate: CalendarDate, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValidationError && error.issues.some((issue) => issue.code === 'money.out_of_range')) throw new BillOutOfRangeError(partnershipId, billingDate, error);
    throw error;
  }
}

/**
 * A bill of a partnership comes to an amount no invoice can carry (a line, the VAT or the total beyond the currency's
 * largest amount): it is not recorded, and the run names the partnership with `billing.amount_out_of_range`.
 */
export class BillOutOfRangeError extends InvalidStateError {
  override readonly name: string = 'BillOutOfRangeError';

  constructor(partnershipId: PartnershipId, billingDate: CalendarDate, cause: ValidationError) {
    super(
      'billing.amount_out_of_range',
      `the bill of ${billingDate} comes to an amount no invoice can carry (${cause.message}): nothing was recorded; change the plan for that period, and the next run bills the date`,
      { partnershipId, billingDate, issues: cause.issues },
    );
  }
}

/**
 * A bill is in another currency than its partnership now is (the currency changed after the bill's plan was set, past
 * the check that refuses it, ADR 0027): no invoice is made of it, which would read its figures in the other currency.
 * The bill stays pending, and the run names the partnership with `billing.currency_mismatch`.
 */
export class BillCurrencyMismatchError extends InvalidStateError {
  override readonly name: string = 'BillCurrencyMismatchError';

  constructor(partnershipId: PartnershipId, billingDate: CalendarDate, billCurrency: CurrencyCode, partnershipCurrency: CurrencyCode) {
    super(
      'billing.currency_mismatch',
      `the bill of ${billingDate} is in ${billCurrency}, the partnership in ${partnershipCurrency}: no invoice is made in another currency than its bill's; put the partnership's currency back to ${billCurrency} and the next run invoices it`,
      { partnershipId, billingDate, billCurrency, partnershipCurrency },
    );
  }
}

/**
 * The bill of the last date of a plan that has ended comes to a credit that no later bill would carry, and no credit
 * notes can carry it either (ADR 0030: more than the invoices earlier bills made can still be credited, those edited
 * or credited by hand left out). It is not recorded, so the credit stays due (the upcoming invoice shows it) and any
 * later bill of the partnership carries it.
 */
export class CreditPendingError extends InvalidStateError {
  override readonly name: string = 'CreditPendingError';

  constructor(partnershipId: PartnershipId, billingDate: CalendarDate, amountDue: Money, reason: string) {
    super(
      'billing.credit_pending',
      `the bill of ${billingDate} comes to a credit of ${amountDue.negate().toString()} ${amountDue.currency} and the billing plan has ended: no credit notes can carry it (${reason}), and no later bill does; set new terms or add a one-off charge, and their bill carries it`,
      { partnershipId, billingDate, credit: amountDue.negate().toJSON(), reason },
    );
  }
}

/**
 * The last bill of an ended plan comes to a credit that goes on credit notes of the invoices earlier bills made (ADR
 * 0030), and one of those that charged a credited item is still a draft: no credit note credits a draft, and what a
 * draft will charge once issued is not known yet. The bill is not recorded: its date stays due, the run names the
 * partnership, and the first run after the invoice is issued (or deleted) works the credit notes out. Nothing else of
 * the partnership waits for it.
 */
export class CreditAwaitsIssueError extends InvalidStateError {
  override readonly name: string = 'CreditAwaitsIssueError';

  constructor(bill: Pick<BillState, 'partnershipId' | 'billingDate'>, invoiceId: InvoiceId, amountDue: Money) {
    super(
      'billing.credit_awaits_issue',
      `the bill of ${bill.billingDate} comes to a credit of ${amountDue.negate().toString()} ${amountDue.currency} for items invoice ${invoiceId} charged, and that invoice is a draft: issue it (or delete it), and the next run credits it`,
      { partnershipId: bill.partnershipId, billingDate: bill.billingDate, invoiceId, credit: amountDue.negate().toJSON() },
    );
  }
}

/**
 * A credit note of a recorded bill was refused: the invoice it credits was credited by hand (or otherwise changed)
 * between the bill's recording and the credit note. The bill stays pending, named by each run with the refusal's code,
 * and holds up nothing else of the partnership.
 */
export class CreditNoteRefusedError extends DomainError {
  override readonly name: string = 'CreditNoteRefusedError';

  constructor(bill: Pick<BillState, 'partnershipId' | 'billingDate'>, invoiceId: InvoiceId, cause: DomainError) {
    super(cause.code, `the bill of ${bill.billingDate} credits invoice ${invoiceId}, and its credit note was refused: ${cause.message}`, { partnershipId: bill.partnershipId, billingDate: bill.billingDate, invoiceId });
  }
}

/**
 * A bill that comes to a credit, recorded with nothing on it: its date is billed, and the partnership's next bill,
 * which compares every item with what was billed, charges and credits its items there. Its usage cutoff stays the last
 * bill's, so usage it measured is measured again, not taken as billed.
 */
function carriedForward(bill: BillState, bills: readonly BillState[]): BillState {
  const { settled: _settled, ...rest } = bill;
  const cutoff = bills.reduce<number | undefined>((latest, each) => Math.max(latest ?? 0, each.usageCutoff.getTime()), undefined);
  return { ...rest, lines: [], allowances: [], status: 'empty', ...(cutoff === undefined ? {} : { usageCutoff: new Date(cutoff) }) };
}

/** Reads every one-off charge of a partnership, whatever its date. */
const LAST_DAY = '9999-12-31' as CalendarDate;

/**
 * Whether a bill was worked out from the plan in its present currency: in it, and from a plan that had the version
 * that started it in that currency (a bill of an earlier currency was recorded before that version).
 */
function ofItsCurrency(plan: BillingPlan, bill: BillState): boolean {
  const start = plan.currencyStart;
  return start === undefined || (bill.currency === plan.currency && (bill.planVersionsSeen ?? 0) >= start.version);
}

/**
 * The plan, bills and one-off charges billing works a partnership's next bills out from: those of the plan's currency
 * (ADR 0027). A plan started again in a new currency billed its earlier versions, and their charges, to their end in
 * the earlier one: compared with the new terms, they would be credited, or worked out again in the new currency.
 */
function inItsCurrency(plan: BillingPlan, bills: readonly BillState[], oneOffs: readonly OneOffCharge[]) {
  if (plan.currencyStart === undefined) return { plan, bills, oneOffs };
  const earlier = new Set(bills.filter((bill) => !ofItsCurrency(plan, bill)).flatMap(oneOffIdsOf));
  return { plan: plan.inCurrency(), bills: bills.filter((bill) => ofItsCurrency(plan, bill)), oneOffs: oneOffs.filter((charge) => !earlier.has(charge.id)) };
}

/** The net total of a bill: its lines less its discounts (document charges that give a discount back added). */
export function billNetTotal(bill: Pick<BillState, 'lines' | 'allowances' | 'currency'>): Money {
  const lines = Money.sum(bill.currency, bill.lines.map((each) => each.amount));
  return bill.allowances.reduce((total, each) => {
    const amount = Money.of(each.allowance.amount as string, bill.currency);
    return each.side === 'allowance' ? total.subtract(amount) : total.add(amount);
  }, lines);
}

/**
 * How far a bill's one-off charges are read: to `asOf`, and at least to the last bill's date. A bill looks at every item
 * due up to the last bill (`proposeBill`'s horizon) and credits one billed before that it does not see: a run with an
 * `asOf` before a billed charge's date would take that charge back.
 */
function throughLastBill(asOf: CalendarDate, bills: readonly BillState[]): CalendarDate {
  return bills.reduce((latest, bill) => (bill.billingDate > latest ? bill.billingDate : latest), asOf);
}

function maxDate(left: CalendarDate | undefined, right: CalendarDate): CalendarDate {
  return left !== undefined && left > right ? left : right;
}

/** The instants a range of days covers in the business time zone: from the first day's start to the end day's start. */
function instantsOf(range: DateRange, timeZone: string): InstantRange {
  return { from: startOfDay(range.start, timeZone), to: startOfDay(range.end, timeZone) };
}
