import {
  AddOneOffCharge,
  GetInvoiceBilling,
  ListBillingRuns,
  ListRunBills,
  PreviewUpcomingInvoice,
  RecordUsage,
  RunBilling,
  SetBillingPlan,
  StartBillingRun,
  type BillState,
  type BillingPlanState,
  type BillingRunState,
  type OneOffCharge,
  type PlanTermsInput,
  type UsageBatchResult,
} from '@invoicing/billing';
import { createBillingScenario } from '@invoicing/billing/testing';
import type { Page } from '@invoicing/core';
import { CreatePartnership, UpdatePartnershipTerms, type PartnershipId } from '@invoicing/invoice';
import { SCENARIO_TERMS } from '@invoicing/invoice/testing';

type Result<UseCase extends { execute(...args: never[]): unknown }> = Awaited<ReturnType<UseCase['execute']>>;

/** Every kind of billing state the API answers with, each in its fullest and its barest forms. */
export interface BillingSamples {
  readonly plans: readonly BillingPlanState[];
  readonly usage: readonly UsageBatchResult[];
  readonly oneOffs: readonly OneOffCharge[];
  readonly runs: readonly BillingRunState[];
  readonly runPage: Page<BillingRunState>;
  /** The bills of runs, as a run lists them. */
  readonly runBills: readonly BillState[];
  /** The bills invoices were made from, as an invoice's billing shows them. */
  readonly invoiceBills: readonly BillState[];
  readonly upcoming: readonly { readonly partnershipId: PartnershipId; readonly preview: NonNullable<Result<PreviewUpcomingInvoice>> }[];
}

const VAT = { code: 'S', rate: '20' } as const;
const EXEMPT = { code: 'E', exemptionReason: 'Exempt training', exemptionReasonCode: 'VATEX-EU-F' } as const;

/**
 * Terms with every kind of charge, price model and discount: a seat fee in advance, a support fee in arrears, usage
 * priced per unit, graduated with a flat fee, by volume, in packages with free units and as a percentage with per-event
 * fees and limits, a minimum, a percentage discount for a few periods and a fixed one; invoices issued.
 */
function fullTerms(marketableId: string): PlanTermsInput {
  return {
    interval: 'monthly',
    charges: [
      { kind: 'recurring', code: 'seats', name: 'Seats', marketableId: marketableId as never, quantity: '10', unitPrice: '30', timing: 'advance', vat: VAT },
      { kind: 'recurring', code: 'support', name: 'Support', unitCode: 'MON', unitPrice: '12.50', timing: 'arrears', vat: EXEMPT },
      { kind: 'usage', code: 'api_calls', name: 'API calls', metric: { code: 'api_calls', aggregation: 'count' }, price: { kind: 'per_unit', unitPrice: '0.01' }, vat: VAT },
      {
        kind: 'usage',
        code: 'storage',
        name: 'Storage',
        metric: { code: 'storage_gb', aggregation: 'max', property: 'gb', filters: { region: ['eu'] } },
        price: { kind: 'graduated', tiers: [{ upTo: '10', unitPrice: '1', flatFee: '5' }, { unitPrice: '0.5' }] },
        vat: VAT,
      },
      { kind: 'usage', code: 'users', name: 'Active users', metric: { code: 'users', aggregation: 'unique_count', property: 'user' }, price: { kind: 'volume', tiers: [{ upTo: '5', unitPrice: '3' }, { unitPrice: '2' }] }, vat: VAT },
      { kind: 'usage', code: 'sms', name: 'SMS', metric: { code: 'sms', aggregation: 'count' }, price: { kind: 'package', size: '100', price: '4', freeUnits: '50' }, vat: VAT },
      {
        kind: 'usage',
        code: 'payments',
        name: 'Payment fees',
        metric: { code: 'payments', aggregation: 'sum', property: 'amount' },
        price: { kind: 'percentage', rate: '1.5', fixedFeePerEvent: '0.25', minPerEvent: '0.5', maxPerEvent: '3' },
        vat: VAT,
      },
    ],
    minimum: { amount: '2000.00', name: 'Minimum commitment', vat: VAT },
    discounts: [
      { code: 'launch', kind: 'percentage', percent: '10', periods: 2, reason: 'Launch offer' },
      { code: 'loyalty', kind: 'fixed', amount: '5.00' },
    ],
    invoiceMode: 'issue',
  };
}

/** The barest terms: one fee, drafts. */
const BARE_TERMS: PlanTermsInput = { interval: 'quarterly', alignment: 'anniversary', charges: [{ kind: 'recurring', code: 'fee', name: 'Fee', unitPrice: '90', vat: VAT }] };

/** A usage charge alone. */
const USAGE_ONLY: PlanTermsInput = { interval: 'yearly', charges: [{ kind: 'usage', code: 'calls', name: 'Calls', metric: { code: 'calls', aggregation: 'count' }, price: { kind: 'per_unit', unitPrice: '1' }, vat: VAT }] };

/**
 * Seeds billing on a billing test bed through the use cases, the way the API's routes would, and collects a sample of
 * every answer: plans with every kind of charge and discount, changed mid-period and ended; usage stored, duplicate and
 * rejected; one-off charges; runs running, completed, dry (with previews), for named partnerships and failed as a whole;
 * bills invoiced, issued, left a draft needing approval, empty and pending; corrections for late usage and a plan
 * change; upcoming invoices.
 */
export async function seedBillingSamples(): Promise<BillingSamples> {
  // Approval above 2 000.00: the fullest plan's first invoices (10 seats, a one-off) are issued, April's (its minimum of 2 000.00) is not.
  const scenario = await createBillingScenario({ tenantId: 'acme', now: '2026-03-01T08:00:00Z', terms: { policy: { approval: { kind: 'above', threshold: '2000.00' } } } });
  const { tenantId, clock } = scenario;
  const use = scenario.use.bind(scenario);
  const at = (instant: string) => clock.set(new Date(instant));
  const full = scenario.partnership.id;
  const bare = (await use(CreatePartnership).execute({ tenantId, sellerId: scenario.seller.id, buyerId: scenario.buyer.id, ...SCENARIO_TERMS })).id;
  const ended = (await use(CreatePartnership).execute({ tenantId, sellerId: scenario.seller.id, buyerId: scenario.buyer.id, ...SCENARIO_TERMS })).id;

  const plans: BillingPlanState[] = [];
  plans.push(await use(SetBillingPlan).execute({ tenantId, partnershipId: full, effectiveFrom: '2026-03-01', terms: fullTerms(scenario.marketable.id) }));
  plans.push(await use(SetBillingPlan).execute({ tenantId, partnershipId: bare, effectiveFrom: '2026-03-01', terms: BARE_TERMS }));
  // Usage only, and none sent: its bills are empty. A fee from May, replaced the same day by the end of billing.
  await use(SetBillingPlan).execute({ tenantId, partnershipId: ended, effectiveFrom: '2026-03-01', terms: USAGE_ONLY });
  await use(SetBillingPlan).execute({ tenantId, partnershipId: ended, effectiveFrom: '2026-05-01', terms: BARE_TERMS });
  plans.push(await use(SetBillingPlan).execute({ tenantId, partnershipId: ended, effectiveFrom: '2026-05-01', terms: null }));

  at('2026-03-20T10:00:00Z');
  const event = (eventId: string, metricCode: string, properties: Record<string, string> = {}) => ({ eventId, metricCode, timestamp: '2026-03-10T10:00:00Z', partnershipId: full, properties });
  const usage: UsageBatchResult[] = [];
  usage.push(
    await use(RecordUsage).execute({
      tenantId,
      events: [
        ...Array.from({ length: 120 }, (_, index) => event(`call-${index}`, 'api_calls')),
        event('gb-1', 'storage_gb', { gb: '14', region: 'eu' }),
        event('u-1', 'users', { user: 'ana' }),
        event('u-2', 'users', { user: 'ben' }),
        ...Array.from({ length: 180 }, (_, index) => event(`sms-${index}`, 'sms')),
        event('pay-1', 'payments', { amount: '10.00' }),
        event('pay-2', 'payments', { amount: '400.00' }),
      ],
    }),
  );
  usage.push(
    await use(RecordUsage).execute({
      tenantId,
      events: [event('call-0', 'api_calls'), event('call-1', 'storage_gb', { gb: '1' }), { eventId: '', metricCode: 'API', timestamp: 'yesterday', partnershipId: full }],
    }),
  );

  const oneOffs: OneOffCharge[] = [];
  oneOffs.push((await use(AddOneOffCharge).execute({ tenantId, partnershipId: full, date: '2026-03-20', name: 'Onboarding', marketableId: scenario.marketable.id, unitCode: 'DAY', quantity: '1', unitPrice: '800', vat: VAT })).charge);
  oneOffs.push((await use(AddOneOffCharge).execute({ tenantId, partnershipId: bare, date: '2026-03-20', name: 'Goodwill credit', quantity: '-1', unitPrice: '15', vat: VAT })).charge);

  // April: a dry run, then the real one for every partnership.
  at('2026-04-01T06:00:00Z');
  const runs: BillingRunState[] = [];
  runs.push(await use(RunBilling).execute({ tenantId, dryRun: true, asOf: '2026-04-15' }));
  runs.push(await use(RunBilling).execute({ tenantId }));
  const firstRun = runs[1] as BillingRunState;

  // Late usage for March, a plan change from 16 April and a run for the full plan only; another one only started.
  at('2026-04-20T10:00:00Z');
  usage.push(await use(RecordUsage).execute({ tenantId, events: Array.from({ length: 30 }, (_, index) => event(`late-${index}`, 'api_calls')) }));
  plans.push(
    await use(SetBillingPlan).execute({
      tenantId,
      partnershipId: full,
      effectiveFrom: '2026-04-16',
      terms: { ...fullTerms(scenario.marketable.id), charges: [{ kind: 'recurring', code: 'seats', name: 'Seats', quantity: '20', unitPrice: '30', vat: VAT }] },
    }),
  );
  const upcoming = [{ partnershipId: full, preview: await use(PreviewUpcomingInvoice).execute({ tenantId, partnershipId: full }) }];
  runs.push(await use(RunBilling).execute({ tenantId, partnershipIds: [full] }));
  runs.push(await use(StartBillingRun).execute({ tenantId, partnershipIds: [bare] }));
  upcoming.push({ partnershipId: bare, preview: await use(PreviewUpcomingInvoice).execute({ tenantId, partnershipId: bare, through: '2026-06-01' }) });
  // A run stopped as a whole (its partnerships could not be listed), as its record says it.
  runs.push({ ...firstRun, id: 'failed-run', status: 'failed', error: { code: 'database.unavailable', message: 'the database did not answer' } });

  const runBills = [...(await use(ListRunBills).execute({ tenantId, runId: firstRun.id })), ...(await use(ListRunBills).execute({ tenantId, runId: (runs[2] as BillingRunState).id }))];
  const invoiced = runBills.filter((bill) => bill.status !== 'empty');
  const invoiceBills = await Promise.all(invoiced.map((bill) => use(GetInvoiceBilling).execute({ tenantId, invoiceId: bill.invoiceId })));
  // A bill whose invoice is not made yet, as a run that stopped leaves it.
  const pending: BillState = { ...(invoiceBills[0] as BillState), status: 'pending', outcome: undefined, invoicedAt: undefined };
  const runPage = await use(ListBillingRuns).execute({ tenantId, limit: 2 });

  // The ended plan started again in another currency once its last bill was made: its earlier versions say theirs.
  at('2026-05-02T06:00:00Z');
  await use(RunBilling).execute({ tenantId, partnershipIds: [ended] });
  await use(UpdatePartnershipTerms).execute({ tenantId, partnershipId: ended, terms: { ...SCENARIO_TERMS, currency: 'USD' } });
  plans.push(await use(SetBillingPlan).execute({ tenantId, partnershipId: ended, effectiveFrom: '2026-05-02', terms: BARE_TERMS }));

  // A plan cancelled on 2 May, after May was invoiced, with a cancellation fee: its last bill credits May's unused days
  // on a credit note of May's invoice, and invoices the fee (ADR 0030). Its credit note skipped, as for a voided invoice.
  const cancelled = (await use(CreatePartnership).execute({ tenantId, sellerId: scenario.seller.id, buyerId: scenario.buyer.id, ...SCENARIO_TERMS })).id;
  const seats: PlanTermsInput = { interval: 'monthly', charges: [{ kind: 'recurring', code: 'seats', name: 'Seats', quantity: '10', unitPrice: '30', vat: VAT }], invoiceMode: 'issue' };
  await use(SetBillingPlan).execute({ tenantId, partnershipId: cancelled, effectiveFrom: '2026-05-01', terms: seats });
  await use(RunBilling).execute({ tenantId, partnershipIds: [cancelled] });
  await use(SetBillingPlan).execute({ tenantId, partnershipId: cancelled, effectiveFrom: '2026-05-02', terms: null, expectedVersion: 1 });
  await use(AddOneOffCharge).execute({ tenantId, partnershipId: cancelled, date: '2026-05-02', name: 'Cancellation fee', unitPrice: '50', vat: VAT });
  const cancelling = await use(RunBilling).execute({ tenantId, partnershipIds: [cancelled] });
  const [final] = await use(ListRunBills).execute({ tenantId, runId: cancelling.id });
  const credited = await use(GetInvoiceBilling).execute({ tenantId, invoiceId: (final as BillState).invoiceId });
  const note = credited.creditNotes?.[0];
  const skipped: BillState = { ...credited, outcome: { invoiceStatus: 'issued', ...(note === undefined ? {} : { creditNotes: [{ creditNoteId: note.creditNoteId, status: 'skipped', reason: 'invoice.voided' }] }) } };
  return {
    plans,
    usage,
    oneOffs,
    runs,
    runPage,
    runBills: [...runBills, pending, credited, skipped],
    invoiceBills: [...invoiceBills, pending, credited],
    upcoming: upcoming.flatMap(({ partnershipId, preview }) => (preview ? [{ partnershipId, preview }] : [])),
  };
}
