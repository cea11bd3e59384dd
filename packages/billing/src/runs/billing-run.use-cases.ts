import {
  CLOCK,
  DomainError,
  ID_GENERATOR,
  addMonths,
  NotFoundError,
  ValidationError,
  atPath,
  parseCalendarDate,
  today,
  type CalendarDate,
  type Clock,
  type IdGenerator,
  type Page,
  type PageRequest,
  type TenantId,
} from '@invoicing/core';
import { INVOICING_SETTINGS, type InvoiceId, type InvoicingSettings, type PartnershipId } from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import { LAST_CALENDAR_DAY } from '../periods/billing-period';
import { BILLING_PLAN_REPOSITORY, type BillingPlanRepository } from '../plans/billing-plan-repository.port';
import type { BillState } from './bill';
import { BILL_REPOSITORY, type BillRepository } from './bill-repository.port';
import { BillPartnership, billNetTotal, type PartnersRead, type PartnershipBilling, type StopSignal } from './bill-partnership';
import { MAX_RECORDED_FAILURES, MAX_RECORDED_PREVIEWS, NO_COUNTS, type BillingRunState, type PreviewedBill, type RunCounts, type RunFailure } from './billing-run';
import { BILLING_RUN_REPOSITORY, type BillingRunRepository } from './billing-run-repository.port';
import type { ProposedBill } from './propose-bill';

/** Settings of billing runs; bind them under {@link BILLING_SETTINGS}. */
export interface BillingSettings {
  /** Partnerships billed at once by a run: enough to keep the database busy, few enough to leave room for others. */
  readonly concurrency: number;
  /** A run's record is updated after this many partnerships (and at its end), and at least every fifth of `stalledAfterMs`. */
  readonly progressEvery: number;
  /** A run still `running` whose record was not written for this long stopped with its process: it may be taken over. */
  readonly stalledAfterMs: number;
}
export const BILLING_SETTINGS = Symbol.for('@invoicing/billing/Settings');
export const DEFAULT_BILLING_SETTINGS: BillingSettings = { concurrency: 8, progressEvery: 50, stalledAfterMs: 5 * 60_000 };

/** Most partnerships a run may name; more is a run over all of them. */
export const MAX_RUN_PARTNERSHIPS = 1000;

/**
 * The last day a dry run may bill up to: a year after `today`, as far as the upcoming invoice looks by default (every
 * cycle has a billing date within it). Further, a dry run would work out a bill for every date up to it (audit dates
 * F1: as of 9999, hundreds of thousands of bills for one partnership).
 */
function lastDryRunDay(today: CalendarDate): CalendarDate {
  return aYearAfter(today);
}

/** A year after `date`, or the calendar's last day when that is sooner. */
function aYearAfter(date: CalendarDate): CalendarDate {
  return date > '9998-12-31' ? LAST_CALENDAR_DAY : addMonths(date, 12);
}

/** What starts a run: the date it bills up to (today by default), a dry run, some partnerships only. */
export interface StartBillingRunCommand {
  readonly tenantId: TenantId;
  readonly id?: string;
  readonly asOf?: string;
  readonly dryRun?: boolean;
  readonly partnershipIds?: readonly PartnershipId[];
}

/**
 * Records a billing run as started, with the number of partnerships it will bill: {@link ExecuteBillingRun} does the
 * work, in the background of an API, and the record shows its progress.
 */
@injectable()
export class StartBillingRun {
  constructor(
    @inject(BILLING_RUN_REPOSITORY) private readonly runs: BillingRunRepository,
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /**
   * `id`, when given, is derived from the request: a retry answers the run an earlier attempt started.
   * @throws ValidationError `billing_run.as_of_in_future` (a real run bills days that have begun; a dry run may look
   * ahead) | `billing_run.as_of_too_far` (a dry run looks a year ahead at most, {@link lastDryRunDay}) |
   * `billing_run.too_many_partnerships` | `date.*`
   */
  async execute(command: StartBillingRunCommand): Promise<BillingRunState> {
    return (await this.start(command)).run;
  }

  /**
   * {@link execute}, saying whether this call created the run: only then may its caller carry it out at once. A run an
   * earlier attempt started may be carried out by another process still (a retry whose key record was lost), and is
   * taken over only once stalled ({@link TakeOverStalledRun}).
   */
  async start(command: StartBillingRunCommand): Promise<{ readonly run: BillingRunState; readonly created: boolean }> {
    const now = this.clock.now();
    const current = today(this.clock, this.settings.timeZone);
    const asOf = command.asOf === undefined ? current : atPath('asOf', () => parseCalendarDate(command.asOf as string));
    if (!command.dryRun && asOf > current) {
      throw ValidationError.of('asOf', 'billing_run.as_of_in_future', `a run bills up to today (${current}) at the latest; a dry run may look ahead`);
    }
    if (command.dryRun && asOf > lastDryRunDay(current)) {
      throw ValidationError.of('asOf', 'billing_run.as_of_too_far', `a dry run bills up to a year after today (${lastDryRunDay(current)}) at the latest; preview a partnership's next bill further ahead with its upcoming invoice`);
    }
    const listed = command.partnershipIds === undefined ? undefined : [...new Set(command.partnershipIds)];
    if (listed !== undefined && (listed.length === 0 || listed.length > MAX_RUN_PARTNERSHIPS)) {
      throw ValidationError.of('partnershipIds', 'billing_run.too_many_partnerships', `name 1 to ${MAX_RUN_PARTNERSHIPS} partnerships, or none for all`);
    }
    if (command.id !== undefined) {
      const earlier = await this.runs.get(command.tenantId, command.id);
      if (earlier) return { run: earlier, created: false };
    }
    const run: BillingRunState = {
      tenantId: command.tenantId,
      id: command.id ?? this.ids.next<'BillingRun'>(),
      asOf,
      dryRun: command.dryRun ?? false,
      ...(listed === undefined ? {} : { partnershipIds: listed }),
      status: 'running',
      counts: { ...NO_COUNTS, total: listed?.length ?? (await this.plans.count(command.tenantId)) },
      failures: [],
      ...(command.dryRun ? { previews: [] } : {}),
      startedAt: now,
      updatedAt: now,
    };
    try {
      await this.runs.create(run);
    } catch (error) {
      const stored = command.id === undefined ? undefined : await this.runs.get(command.tenantId, command.id);
      // This attempt's own insert, answered with an error after it landed, is this attempt's run to carry out.
      if (stored) return { run: stored, created: stored.startedAt.getTime() === now.getTime() && stored.counts.processed === 0 && stored.status === 'running' };
      throw error;
    }
    return { run, created: true };
  }
}

/**
 * Carries out a started run: bills each partnership (several at once, {@link BillingSettings.concurrency}) and updates
 * the run's record as it goes. A partnership that fails is counted and named, and the run goes on. Running the same
 * run again, or another run for the same date, bills nothing twice: bills are unique per partnership and date.
 */
@injectable()
export class ExecuteBillingRun {
  constructor(
    @inject(BILLING_RUN_REPOSITORY) private readonly runs: BillingRunRepository,
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(BillPartnership) private readonly billing: BillPartnership,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(BILLING_SETTINGS) private readonly settings: BillingSettings,
  ) {}

  /**
   * `stop`, once aborted (its process shuts down; an `AbortSignal`), stops the run at the next date of a partnership: the run is left
   * `running`, its progress written, for another process to take over once stalled ({@link TakeOverStalledRun}), which
   * bills what is left and nothing twice.
   * @throws NotFoundError `billing_run.not_found`
   */
  async execute(command: { readonly tenantId: TenantId; readonly runId: string; readonly stop?: StopSignal }): Promise<BillingRunState> {
    const stopped = (): boolean => command.stop?.aborted === true;
    const started = await this.runs.get(command.tenantId, command.runId);
    if (!started) throw new NotFoundError('billing_run', command.runId);
    let run = started;
    let counts: RunCounts = { ...run.counts, processed: 0, bills: 0, emptyBills: 0, invoicesIssued: 0, invoicesDrafted: 0, billsFoundRecorded: 0, failed: 0 };
    const failures: RunFailure[] = [];
    const previews: PreviewedBill[] = [];
    let sinceUpdate = 0;
    const save = async (changes: Partial<BillingRunState>): Promise<void> => {
      run = { ...run, counts, failures: [...failures], ...(run.dryRun ? { previews: [...previews] } : {}), updatedAt: this.clock.now(), ...changes };
      await this.runs.update(run);
    };
    const fail = (partnershipId: PartnershipId, error: unknown): void => {
      counts = { ...counts, failed: counts.failed + 1 };
      if (failures.length < MAX_RECORDED_FAILURES) {
        const known = error instanceof DomainError;
        failures.push({ partnershipId, code: known ? error.code : 'billing.unexpected_error', message: error instanceof Error ? error.message : String(error) });
      }
    };
    const billOne = async (partnershipId: PartnershipId, partnersRead: PartnersRead): Promise<void> => {
      if (stopped()) return;
      try {
        const stop = command.stop;
        const result = await this.billing.execute({ tenantId: run.tenantId, partnershipId, asOf: run.asOf, dryRun: run.dryRun, runId: run.id, partnersRead, ...(stop === undefined ? {} : { stop }) });
        counts = add(counts, result);
        // Stopped part way: the partnership is not processed, and the run that takes over bills the rest of it.
        if (result.stopped) return;
        if (run.dryRun) for (const { bill } of result.bills) if (previews.length < MAX_RECORDED_PREVIEWS) previews.push(previewOf(bill));
        // Its bills are counted; the credit left due is named, as a partnership not billed to the end.
        if (result.creditPending) fail(partnershipId, result.creditPending);
      } catch (error) {
        fail(partnershipId, error);
      }
      counts = { ...counts, processed: counts.processed + 1 };
      sinceUpdate += 1;
      // Often enough that a run going on is never taken for one whose process stopped (TakeOverStalledRun).
      if (sinceUpdate >= this.settings.progressEvery || this.clock.now().getTime() - run.updatedAt.getTime() >= this.settings.stalledAfterMs / 5) {
        sinceUpdate = 0;
        await save({});
      }
    };
    try {
      for await (const batch of this.partnerships(run)) {
        if (stopped()) break;
        // The partners read for a page (its seller, mostly) serve the whole page, and only it.
        const partnersRead: PartnersRead = new Map();
        await pool(batch, this.settings.concurrency, (partnershipId) => billOne(partnershipId, partnersRead));
      }
      if (stopped()) {
        await save({});
        return run;
      }
      await save({ status: 'completed', finishedAt: this.clock.now(), counts: { ...counts, total: Math.max(counts.total, counts.processed) } });
    } catch (error) {
      const known = error instanceof DomainError;
      await save({ status: 'failed', finishedAt: this.clock.now(), error: { code: known ? error.code : 'billing.unexpected_error', message: error instanceof Error ? error.message : String(error) } });
    }
    return run;
  }

  private async *partnerships(run: BillingRunState): AsyncGenerator<readonly PartnershipId[]> {
    if (run.partnershipIds !== undefined) {
      yield run.partnershipIds;
      return;
    }
    let after: PartnershipId | undefined;
    for (;;) {
      const page = await this.plans.listIds(run.tenantId, { ...(after === undefined ? {} : { after }), limit: 500 });
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1];
    }
  }
}

/**
 * Takes over a run whose process stopped (a crash, a deploy): still `running`, its record not written for
 * {@link BillingSettings.stalledAfterMs}. Its record is then marked as written now, and the caller carries it out
 * ({@link ExecuteBillingRun}), which bills nothing the stopped process billed. Of several callers at once (processes
 * answering the same poll), one gets it.
 */
@injectable()
export class TakeOverStalledRun {
  constructor(
    @inject(BILLING_RUN_REPOSITORY) private readonly runs: BillingRunRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(BILLING_SETTINGS) private readonly settings: BillingSettings,
  ) {}

  /** Whether `run`, as read, looks stalled (decided again when taken over). */
  stalled(run: BillingRunState): boolean {
    return run.status === 'running' && this.clock.now().getTime() - run.updatedAt.getTime() >= this.settings.stalledAfterMs;
  }

  /** The run, taken over by this caller; undefined when it is not stalled (any more) or another caller took it. */
  async execute(query: { readonly tenantId: TenantId; readonly runId: string }): Promise<BillingRunState | undefined> {
    const now = this.clock.now();
    return this.runs.claimStalled(query.tenantId, query.runId, new Date(now.getTime() - this.settings.stalledAfterMs), now);
  }
}

/** Starts a run and carries it out to the end: what a library user or a scheduled job calls. */
@injectable()
export class RunBilling {
  constructor(
    @inject(StartBillingRun) private readonly start: StartBillingRun,
    @inject(ExecuteBillingRun) private readonly run: ExecuteBillingRun,
  ) {}

  /** @throws as {@link StartBillingRun} */
  async execute(command: StartBillingRunCommand): Promise<BillingRunState> {
    const started = await this.start.execute(command);
    if (started.status !== 'running') return started;
    return this.run.execute({ tenantId: command.tenantId, runId: started.id });
  }
}

/** A billing run's record: its progress while it runs, its counts and failures once done. */
@injectable()
export class GetBillingRun {
  constructor(@inject(BILLING_RUN_REPOSITORY) private readonly runs: BillingRunRepository) {}

  /** @throws NotFoundError `billing_run.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly runId: string }): Promise<BillingRunState> {
    const run = await this.runs.get(query.tenantId, query.runId);
    if (!run) throw new NotFoundError('billing_run', query.runId);
    return run;
  }
}

/** A tenant's billing runs, newest first. */
@injectable()
export class ListBillingRuns {
  constructor(@inject(BILLING_RUN_REPOSITORY) private readonly runs: BillingRunRepository) {}

  async execute(query: PageRequest & { readonly tenantId: TenantId }): Promise<Page<BillingRunState>> {
    return this.runs.list(query.tenantId, query);
  }
}

/** The bills a run recorded, each with the invoice it made. */
@injectable()
export class ListRunBills {
  constructor(
    @inject(BILLING_RUN_REPOSITORY) private readonly runs: BillingRunRepository,
    @inject(BILL_REPOSITORY) private readonly bills: BillRepository,
  ) {}

  /** @throws NotFoundError `billing_run.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly runId: string; readonly after?: string; readonly limit?: number }): Promise<readonly BillState[]> {
    const run = await this.runs.get(query.tenantId, query.runId);
    if (!run) throw new NotFoundError('billing_run', query.runId);
    return this.bills.listByRun(query.tenantId, query.runId, { ...(query.after === undefined ? {} : { after: query.after }), limit: Math.min(Math.max(query.limit ?? 50, 1), 200) });
  }
}

/**
 * The upcoming invoice of a partnership, as Stripe shows it: its next bill worked out now (usage so far included) and
 * nothing written. That is the bill a run today would make (as of `through`, when earlier); with nothing due today, the
 * first date due by `through` (a year ahead by default).
 */
@injectable()
export class PreviewUpcomingInvoice {
  constructor(
    @inject(BillPartnership) private readonly billing: BillPartnership,
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /**
   * A next bill that comes to a credit is shown with its lines (a run records it empty and carries them to the bill
   * after, docs/billing.md#a-bill-that-comes-to-a-credit).
   * @throws NotFoundError `billing_plan.not_found`; ValidationError `date.*`; InvalidStateError
   * `billing.amount_out_of_range` when no invoice could carry the next bill
   */
  async execute(query: { readonly tenantId: TenantId; readonly partnershipId: PartnershipId; readonly through?: string }): Promise<(ProposedBill & { readonly netTotal: string; readonly currency: string }) | undefined> {
    const plan = await this.plans.get(query.tenantId, query.partnershipId);
    if (!plan) throw new NotFoundError('billing_plan', query.partnershipId);
    const current = today(this.clock, this.settings.timeZone);
    // A year ahead bounds the search: every cycle has a billing date within it. A later `through` costs nothing more:
    // the preview works out the first date due only.
    const through = query.through === undefined ? aYearAfter(current) : atPath('through', () => parseCalendarDate(query.through as string));
    const proposed = await this.billing.preview(plan, through, current);
    return proposed && { ...proposed, currency: plan.currency, netTotal: billNetTotal({ ...proposed, currency: plan.currency }).toString() };
  }
}

/** How an invoice made by billing was computed: its bill, and each line's computation by line id. */
@injectable()
export class GetInvoiceBilling {
  constructor(@inject(BILL_REPOSITORY) private readonly bills: BillRepository) {}

  /** @throws NotFoundError `invoice_billing.not_found` when no bill made the invoice (it was not made by billing) */
  async execute(query: { readonly tenantId: TenantId; readonly invoiceId: InvoiceId }): Promise<BillState> {
    const bill = await this.bills.findByInvoice(query.tenantId, query.invoiceId);
    if (!bill) throw new NotFoundError('invoice_billing', query.invoiceId);
    return bill;
  }
}

function add(counts: RunCounts, result: PartnershipBilling): RunCounts {
  let next = counts;
  for (const { bill, recorded } of result.bills) {
    next = {
      ...next,
      bills: next.bills + (recorded ? 1 : 0),
      billsFoundRecorded: next.billsFoundRecorded + (recorded ? 0 : 1),
      emptyBills: next.emptyBills + (bill.status === 'empty' ? 1 : 0),
      invoicesIssued: next.invoicesIssued + (bill.outcome?.invoiceStatus === 'issued' ? 1 : 0),
      invoicesDrafted: next.invoicesDrafted + (bill.outcome?.invoiceStatus === 'draft' ? 1 : 0),
    };
  }
  return next;
}

function previewOf(bill: BillState): PreviewedBill {
  return {
    partnershipId: bill.partnershipId,
    billingDate: bill.billingDate,
    currency: bill.currency,
    lines: bill.lines.length,
    corrections: bill.lines.filter((line) => line.computation.purpose === 'correction').length,
    netTotal: billNetTotal(bill).toString(),
  };
}

/** Runs `task` over `items`, at most `concurrency` at once. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
