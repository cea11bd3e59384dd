import { CLOCK, InvalidStateError, addDays, today, type CalendarDate, type Clock, type CurrencyCode, type TenantId } from '@invoicing/core';
import { INVOICE_REPOSITORY, INVOICING_SETTINGS, type CurrencyLock, type InvoiceRepository, type InvoicingSettings, type PartnershipId, type PartnershipPlans } from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import { billInvoicePeriod } from '../runs/bill';
import { BillPartnership } from '../runs/bill-partnership';
import { BILL_REPOSITORY, type BillRepository } from '../runs/bill-repository.port';
import { invoicedPart } from '../runs/final-credit';
import { billingEndedBy } from '../runs/propose-bill';
import { BILLING_PLAN_REPOSITORY, type BillingPlanRepository } from './billing-plan-repository.port';

/**
 * What a partnership's billing plan holds against a change of the partnership (`@invoicing/invoice`'s port, bound by
 * {@link billingModule}): its currency stays the plan's while the plan has something to bill in it, and ending the
 * partnership ends its billing after its last day (ADR 0027).
 */
@injectable()
export class PartnershipPlansOfBilling implements PartnershipPlans {
  constructor(
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(BillPartnership) private readonly billing: BillPartnership,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
    @inject(BILL_REPOSITORY) private readonly bills: BillRepository,
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
  ) {}

  /** Held while the plan bills in another currency and has not billed and invoiced all it had to in it. */
  async currencyLock(tenantId: TenantId, partnershipId: PartnershipId, currency: CurrencyCode): Promise<CurrencyLock | undefined> {
    const plan = await this.plans.get(tenantId, partnershipId);
    // Back to the plan's currency is always taken: it is how a bill made in it after a change is invoiced.
    if (!plan || plan.currency === currency) return undefined;
    const reason = await this.billing.stillToBill(plan, today(this.clock, this.settings.timeZone));
    return reason === undefined ? undefined : { planCurrency: plan.currency, reason };
  }

  /** What the plan still has to bill or invoice, in words; undefined without a plan or once it has nothing left. */
  async stillToBill(tenantId: TenantId, partnershipId: PartnershipId): Promise<string | undefined> {
    const plan = await this.plans.get(tenantId, partnershipId);
    return plan === undefined ? undefined : this.billing.stillToBill(plan, today(this.clock, this.settings.timeZone));
  }

  /**
   * Ends the plan from the day after `lastDay`, unless it ends by then: its fees billed in advance for later days are
   * credited, and what it owes for its days is billed on that day (docs/billing.md#when-a-partnership-ends).
   * Refused while a bill recorded for days after `lastDay` waits for its invoice (the partnership suspended when it was
   * made, say): its lines are fixed (ADR 0018), and no invoice of an ended partnership is for days past its end, so it
   * would wait for ever and hold back every later date (audit lifecycle F2). Invoiced first (resume, run), its fees for
   * the days after the end are credited like any fee billed in advance. Refused too while an invoice a bill made for
   * days after `lastDay` is a draft: ended, it could never be issued (its days are past the end), and the credit of those
   * days, which waits for it, would never be made (ADR 0030, audit finalcredit F5).
   * @throws InvalidStateError `partnership.bill_pending`; ConflictError `concurrency.conflict` when the plan changed
   * meanwhile (ending the partnership again retries)
   */
  async endAfter(tenantId: TenantId, partnershipId: PartnershipId, lastDay: CalendarDate): Promise<void> {
    const bills = await this.bills.listByPartnership(tenantId, partnershipId);
    const stuck = bills.find(
      (bill) => bill.status === 'pending' && (bill.billingDate > lastDay || (billInvoicePeriod(bill)?.end ?? bill.billingDate) > lastDay),
    );
    if (stuck) {
      throw new InvalidStateError(
        'partnership.bill_pending',
        `the bill of ${stuck.billingDate} of partnership ${partnershipId}, for days after ${lastDay}, waits for its invoice: resume the partnership (or fix what holds it) and run billing, then end it`,
        { partnershipId, billingDate: stuck.billingDate, lastDay },
      );
    }
    for (const bill of bills) {
      if (bill.status !== 'invoiced' || bill.outcome?.invoiceStatus !== 'draft' || (billInvoicePeriod(invoicedPart(bill))?.end ?? bill.billingDate) <= lastDay) continue;
      const invoice = await this.invoices.get(tenantId, bill.invoiceId);
      if (invoice?.status !== 'draft') continue;
      throw new InvalidStateError(
        'partnership.bill_pending',
        `invoice ${bill.invoiceId}, made by the bill of ${bill.billingDate} of partnership ${partnershipId} for days after ${lastDay}, is a draft: issue it (or delete it), then end the partnership`,
        { partnershipId, billingDate: bill.billingDate, invoiceId: bill.invoiceId, lastDay },
      );
    }
    const plan = await this.plans.get(tenantId, partnershipId);
    const from = addDays(lastDay, 1);
    if (!plan || billingEndedBy(plan.inCurrency(), from) !== undefined) return;
    plan.replaceFrom(from, null, this.clock.now());
    await this.plans.save(plan);
  }
}
