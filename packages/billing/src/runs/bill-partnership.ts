import {
  CLOCK,
  ConflictError,
  DomainError,
  definedFields,
  ID_GENERATOR,
  NotFoundError,
  Money,
  startOfDay,
  type CalendarDate,
  type Clock,
  type IdGenerator,
  type TenantId,
} from '@invoicing/core';
import {
  CreateInvoiceDraft,
  CreateIssuedInvoice,
  INVOICING_SETTINGS,
  PARTNER_REPOSITORY,
  PARTNERSHIP_REPOSITORY,
  type InvoiceId,
  type InvoiceParties,
  type InvoicingSettings,
  type Partner,
  type PartnerId,
  type PartnerRepository,
  type PartnershipId,
  type PartnershipRepository,
} from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import { ONE_OFF_CHARGE_STORE, type OneOffChargeStore } from '../one-off/one-off-charge-store.port';
import type { BillingPlan } from '../plans/billing-plan';
import { BILLING_PLAN_REPOSITORY, type BillingPlanRepository } from '../plans/billing-plan-repository.port';
import type { DateRange } from '../periods/billing-period';
import { USAGE_EVENT_STORE, type InstantRange, type UsageEventStore } from '../usage/usage-event-store.port';
import { billInvoicePeriod, billKey, billLinePeriod, type BillOutcome, type BillState } from './bill';
import { BILL_REPOSITORY, BillPositionTakenError, type BillRepository } from './bill-repository.port';
import { billingEndedBy, dueBillingDates, planVersionsSeen, proposeBill, type ProposedBill } from './propose-bill';

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

/** What billing one partnership did, date by date. */
export interface PartnershipBilling {
  readonly partnershipId: PartnershipId;
  readonly bills: readonly BilledDate[];
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
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /**
   * @throws NotFoundError `billing_plan.not_found`; BillPositionTakenError `billing.bills_changed` when other runs
   * recorded bills of the partnership each time it read them, {@link BILL_READS} times; whatever making an invoice
   * throws (the bill then stays pending and the next run tries again)
   */
  async execute(command: BillPartnershipCommand): Promise<PartnershipBilling> {
    const { tenantId, partnershipId } = command;
    // The bills first, then the plan: no bill read was worked out from a later version of the plan than this one.
    let bills = [...(await this.bills.listByPartnership(tenantId, partnershipId))];
    let plan = await this.planOf(tenantId, partnershipId);
    const results: BilledDate[] = [];
    // Read when the first invoice is made, once for all of this partnership's bills.
    let parties: Promise<InvoiceParties> | undefined;
    const partiesOnce = (): Promise<InvoiceParties> => (parties ??= this.parties(tenantId, partnershipId, command.partnersRead ?? new Map()));
    if (!command.dryRun) {
      for (const pending of bills.filter((bill) => bill.status === 'pending')) results.push({ bill: await this.invoice(pending, partiesOnce), recorded: false });
    }
    for (let reads = 1; ; reads += 1) {
      try {
        await this.billDueDates(command, plan, bills, results, partiesOnce);
        break;
      } catch (error) {
        // Another run recorded a bill since these were read: what is due, and what each date charges, may have changed.
        if (!(error instanceof BillPositionTakenError || error instanceof PlanOvertakenError) || reads === BILL_READS) throw error;
        bills = [...(await this.bills.listByPartnership(tenantId, partnershipId))];
        plan = await this.planOf(tenantId, partnershipId);
      }
    }
    return { partnershipId, bills: results };
  }

  private async planOf(tenantId: TenantId, partnershipId: PartnershipId): Promise<BillingPlan> {
    const plan = await this.plans.get(tenantId, partnershipId);
    if (!plan) throw new NotFoundError('billing_plan', partnershipId);
    return plan;
  }

  /**
   * Records (in a dry run, only works out) the bill of each date due, each in the position after the bills before it,
   * appending to `results` as it goes.
   * @throws BillPositionTakenError when another run recorded a bill of the partnership since `bills` were read;
   *   PlanOvertakenError when another run recorded one of the dates from a later version of the plan than `plan`
   */
  private async billDueDates(command: BillPartnershipCommand, plan: BillingPlan, read: readonly BillState[], results: BilledDate[], parties: () => Promise<InvoiceParties>): Promise<void> {
    let bills = read;
    const oneOffs = await this.oneOffs.listThrough(command.tenantId, command.partnershipId, throughLastBill(command.asOf, bills));
    for (const billingDate of await this.datesDue(plan, oneOffs, bills, command.asOf)) {
      const usageCutoff = this.clock.now();
      const proposed = await this.propose(plan, bills, oneOffs, billingDate, usageCutoff);
      const bill = this.billOf(command, plan, proposed, usageCutoff, bills.length + 1);
      if (command.dryRun) {
        results.push({ bill, recorded: true });
        bills = [...bills, bill];
        continue;
      }
      const { bill: stored, recorded } = await this.bills.record(bill);
      if (stored.status === 'pending') results.push({ bill: await this.invoice(stored, parties), recorded });
      else results.push({ bill: stored, recorded });
      bills = [...bills, stored];
      // The next dates, worked out from the plan as read here, would undo what that bill charged under later terms.
      if (!recorded && (stored.planVersionsSeen ?? 0) > planVersionsSeen(plan)) throw new PlanOvertakenError(stored.key);
    }
  }

  /**
   * The next bill of a partnership's plan, not recorded: the first a run as of `today` (or of `through`, when earlier)
   * would make; when nothing is due by then, the first date due by `through`. Looking ahead first would skip a date only
   * a run's own date makes (a change of terms over days billed) and show its difference on a later bill.
   */
  async preview(plan: BillingPlan, through: CalendarDate, today: CalendarDate): Promise<ProposedBill | undefined> {
    const bills = await this.bills.listByPartnership(plan.tenantId, plan.partnershipId);
    const oneOffs = await this.oneOffs.listThrough(plan.tenantId, plan.partnershipId, throughLastBill(through, bills));
    const asOf = through < today ? through : today;
    const next = (await this.datesDue(plan, oneOffs, bills, asOf))[0] ?? (through > asOf ? dueBillingDates(plan, oneOffs, bills, through)[0] : undefined);
    return next === undefined ? undefined : this.propose(plan, bills, oneOffs, next, this.clock.now());
  }

  /**
   * The billing dates due by `asOf` ({@link dueBillingDates}); for a plan whose billing has ended, `asOf` too when
   * usage of days already billed was received since the last bill: no date of the plan would ever bill it.
   */
  private async datesDue(plan: BillingPlan, oneOffs: Awaited<ReturnType<OneOffChargeStore['listThrough']>>, bills: readonly BillState[], asOf: CalendarDate): Promise<CalendarDate[]> {
    const due = dueBillingDates(plan, oneOffs, bills, asOf);
    if (due.length > 0 || bills.length === 0 || bills.some((bill) => bill.billingDate === asOf) || billingEndedBy(plan, asOf) === undefined) return due;
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

  /** Works out a bill, with usage received up to `usageCutoff` (the bill's own cutoff) looked at for late events. */
  private async propose(plan: BillingPlan, bills: readonly BillState[], oneOffs: Awaited<ReturnType<OneOffChargeStore['listThrough']>>, billingDate: CalendarDate, usageCutoff: Date): Promise<ProposedBill> {
    const { tenantId } = plan;
    const timeZone = this.settings.timeZone;
    const lateUsage = await this.lateUsage(plan, bills, usageCutoff, billingDate);
    return proposeBill(
      {
        plan,
        bills,
        oneOffs,
        timeZone,
        lateUsage,
        measure: (charge, range) =>
          this.usage.measure(tenantId, plan.partnershipId, charge.metric, instantsOf(range, timeZone), {
            eventAmounts: charge.price.kind === 'percentage' && (!charge.price.fixedFeePerEvent.isZero() || charge.price.minPerEvent !== undefined || charge.price.maxPerEvent !== undefined),
          }),
      },
      billingDate,
    );
  }

  private billOf(command: { readonly tenantId: TenantId; readonly runId?: string }, plan: BillingPlan, proposed: ProposedBill, usageCutoff: Date, position: number): BillState {
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
      createdAt: usageCutoff,
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

  /** Makes the invoice of a pending bill (the same one again if an earlier attempt made it) and marks the bill invoiced. */
  private async invoice(bill: BillState, parties: () => Promise<InvoiceParties>): Promise<BillState> {
    const command = {
      tenantId: bill.tenantId,
      partnershipId: bill.partnershipId,
      id: bill.invoiceId,
      lines: bill.lines.map((each) => ({ ...each.line, ...definedFields({ period: billLinePeriod(each) }) })),
      allowances: bill.allowances.filter((each) => each.side === 'allowance').map((each) => each.allowance),
      charges: bill.allowances.filter((each) => each.side === 'charge').map((each) => each.allowance),
      notes: [`Billing date ${bill.billingDate}, plan version ${bill.planVersion} of the partnership's billing plan.`],
      ...definedFields({ invoicePeriod: billInvoicePeriod(bill) }),
    };
    const read = await parties();
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
    const outcome: BillOutcome = invoice.status === 'draft' ? { invoiceStatus: 'draft', ...(notIssued === undefined ? {} : { notIssued }) } : { invoiceStatus: 'issued' };
    const at = this.clock.now();
    await this.bills.markInvoiced(bill.tenantId, bill.key, outcome, at);
    return { ...bill, status: 'invoiced', outcome, invoicedAt: at };
  }
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

/** The instants a range of days covers in the business time zone: from the first day's start to the end day's start. */
function instantsOf(range: DateRange, timeZone: string): InstantRange {
  return { from: startOfDay(range.start, timeZone), to: startOfDay(range.end, timeZone) };
}
