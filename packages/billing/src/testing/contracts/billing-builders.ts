import { Money, UuidV7IdGenerator, parseCalendarDate, type CalendarDate, type TenantId } from '@invoicing/core';
import type { InvoiceId, MarketableId, PartnershipId } from '@invoicing/invoice';
import { oneOffCharge, type OneOffCharge, type OneOffChargeInput } from '../../one-off/one-off-charge';
import { BillingPlan } from '../../plans/billing-plan';
import type { PlanTermsInput } from '../../plans/plan-terms';
import { billKey, type BillState } from '../../runs/bill';
import { NO_COUNTS, type BillingRunState } from '../../runs/billing-run';
import { usageEvent, type UsageEventInput } from '../../usage/usage-event';
import type { RecordedUsageEvent } from '../../usage/usage-event-store.port';

const ids = new UuidV7IdGenerator();
const AT = new Date('2026-01-10T08:00:00Z');
const VAT = { code: 'S', rate: '20' } as const;

/** A partnership id no other test uses. */
export function aPartnershipId(): PartnershipId {
  return ids.next<'Partnership'>();
}

/**
 * Terms that use every stored shape: each charge kind and price model, tiers with and without an upper bound, a
 * percentage price with and without per-event limits, metric filters, VAT with a null rate and exemption reasons, a
 * minimum and both discount kinds.
 */
export const RICH_TERMS: PlanTermsInput = {
  interval: 'monthly',
  alignment: 'anniversary',
  anchor: '2026-01-15',
  invoiceMode: 'issue',
  charges: [
    { kind: 'recurring', code: 'seats', name: 'Seats', marketableId: 'mk-seat' as MarketableId, quantity: '12.5', unitPrice: '19.9999', timing: 'arrears', vat: VAT },
    {
      kind: 'usage',
      code: 'api_calls',
      name: 'API calls',
      unitCode: 'H87',
      metric: { code: 'api_calls', aggregation: 'count', filters: { region: ['eu', 'us'], 'tier.name': ['gold'] } },
      price: { kind: 'graduated', tiers: [{ upTo: '1000', unitPrice: '0', flatFee: '5' }, { unitPrice: '0.0000000015' }] },
      vat: VAT,
    },
    {
      kind: 'usage',
      code: 'storage',
      name: 'Storage',
      metric: { code: 'storage_gb', aggregation: 'max', property: 'gb' },
      price: { kind: 'volume', tiers: [{ upTo: '10', unitPrice: '1' }, { unitPrice: '0.5', flatFee: '2' }] },
      vat: { code: 'E', rate: '0', exemptionReason: 'Exempt under Article 132', exemptionReasonCode: 'VATEX-EU-132' },
    },
    {
      kind: 'usage',
      code: 'transfers',
      name: 'Transfers',
      metric: { code: 'transfers', aggregation: 'sum', property: 'amount' },
      price: { kind: 'percentage', rate: '1.5', fixedFeePerEvent: '0.25', maxPerEvent: '10' },
      vat: { code: 'O', exemptionReason: 'Not subject to VAT' },
    },
    { kind: 'usage', code: 'users', name: 'Users', metric: { code: 'users', aggregation: 'unique_count', property: 'user_id' }, price: { kind: 'package', size: '10', price: '50', freeUnits: '5' }, vat: VAT },
    { kind: 'usage', code: 'balance', name: 'Balance', metric: { code: 'balance', aggregation: 'latest', property: 'gb' }, price: { kind: 'percentage', rate: '0.5' }, vat: VAT },
  ],
  minimum: { amount: '100.05', name: 'Monthly minimum', vat: VAT },
  discounts: [
    { code: 'launch', kind: 'percentage', percent: '12.5', periods: 3, reason: 'Launch offer' },
    { code: 'loyal', kind: 'fixed', amount: '10.00' },
  ],
};

/**
 * A plan with three versions: the rich terms from 2026-01-01, other terms from 2026-03-01 (replaced before it started),
 * and billing ended from 2026-02-01.
 */
export function aPlan(tenantId: TenantId, partnershipId = aPartnershipId()): BillingPlan {
  const plan = BillingPlan.start({ partnershipId, currency: 'EUR', effectiveFrom: '2026-01-01', terms: RICH_TERMS }, { tenantId, at: AT });
  plan.replaceFrom('2026-03-01', { interval: 'quarterly', charges: [{ kind: 'recurring', code: 'seats', name: 'Seats', unitPrice: '0.0000000001', vat: VAT }] }, new Date('2026-01-11T08:00:00Z'));
  plan.replaceFrom('2026-02-01', null, new Date('2026-01-12T08:00:00.123Z'));
  return plan;
}

/** A usage event received at `receivedAt` (default: an hour after it happened). */
export function anEvent(
  tenantId: TenantId,
  partnershipId: PartnershipId,
  input: Partial<UsageEventInput> & { readonly eventId: string; readonly timestamp: string },
  receivedAt?: string,
): RecordedUsageEvent {
  const received = receivedAt === undefined ? new Date(Date.parse(input.timestamp) + 3_600_000) : new Date(receivedAt);
  const event = usageEvent(tenantId, { metricCode: 'api_calls', partnershipId, ...input }, received);
  return { ...event, partnershipId, receivedAt: received };
}

/** A one-off charge of a partnership, added by alice@acme.example: 2 × 49.50 EUR on `date`, unless overridden. */
export function aOneOff(tenantId: TenantId, partnershipId: PartnershipId, id: string, overrides: Partial<OneOffChargeInput> = {}, at = AT): OneOffCharge {
  return oneOffCharge({ date: '2026-02-10', name: 'Setup', quantity: '2', unitPrice: '49.50', vat: VAT, ...overrides }, { tenantId, id, partnershipId, currency: 'EUR', at, by: 'alice@acme.example' });
}

/** A pending bill of a partnership on `billingDate`, with lines and allowances that use every stored field. */
export function aBill(tenantId: TenantId, partnershipId: PartnershipId, billingDate: string, overrides: Partial<BillState> = {}): BillState {
  const date = parseCalendarDate(billingDate);
  const period = { start: '2026-01-01' as CalendarDate, end: '2026-02-01' as CalendarDate };
  return {
    tenantId,
    key: billKey(partnershipId, date),
    partnershipId,
    billingDate: date,
    planVersion: 2,
    planVersionsSeen: 3,
    invoiceMode: 'issue',
    currency: 'EUR',
    lines: [
      {
        line: {
          id: '1',
          name: 'Seats',
          marketableId: 'mk-seat' as MarketableId,
          description: 'Seats 2026-01-01 – 2026-01-31',
          sellerItemId: 'SEAT',
          period: { start: '2026-01-01', end: '2026-01-31' },
          quantity: '12.5',
          unitCode: 'C62',
          netPrice: '19.9999',
          priceBaseQuantity: '1',
          allowances: [{ amount: '1.00', reason: 'Goodwill', reasonCode: '95' }],
          charges: [{ percent: '2.5', baseAmount: '10.00', reason: 'Handling' }],
          vat: VAT,
        },
        amount: Money.of('249.99', 'EUR'),
        computation: {
          item: 'seats@v2:2026-01-01',
          kind: 'recurring',
          purpose: 'charge',
          chargeCode: 'seats',
          planVersion: 2,
          period,
          range: { start: '2026-01-10' as CalendarDate, end: '2026-02-01' as CalendarDate },
          proration: { days: 22, periodDays: 31, factor: '0.7096774193548387096774193548387097' },
          fee: { quantity: '12.5', unitPrice: '19.9999', amount: '249.99875' },
          amount: '249.99',
          formula: '12.5 × 19.9999 × 22/31 days',
        },
      },
      {
        line: { id: '2', name: 'API calls — late usage', quantity: '-1', unitCode: 'C62', netPrice: '0.30', vat: { code: 'O', rate: null, exemptionReason: 'Not subject to VAT' } },
        amount: Money.of('-0.30', 'EUR'),
        computation: {
          item: 'api_calls@v2:2026-01-01',
          kind: 'usage',
          purpose: 'correction',
          reason: 'late_usage',
          usage: { metric: 'api_calls', aggregation: 'count', units: '1203', events: 1203 },
          pricePart: { kind: 'tier', tier: 2, quantity: '203', unitPrice: '0.0015' },
          minimum: { amount: '100.00', usageAmount: '4.50' },
          previouslyBilled: '5.10',
          nowComputed: '4.80',
          amount: '-0.30',
          formula: '4.80 now − 5.10 billed',
        },
      },
    ],
    settled: [
      {
        item: 'storage@v2:2026-01-01',
        kind: 'usage',
        purpose: 'charge',
        chargeCode: 'storage',
        planVersion: 2,
        period,
        range: period,
        usage: { metric: 'storage_gb', aggregation: 'max', property: 'gb', units: '0', events: 0 },
        amount: '0.00',
        formula: 'no usage priced: 0 units',
      },
    ],
    allowances: [
      { discountCode: 'launch', planVersion: 2, side: 'allowance', allowance: { amount: '31.25', percent: '12.5', baseAmount: '249.99', reason: 'Launch offer', reasonCode: '95', vat: VAT } },
      { discountCode: 'loyal', planVersion: 1, side: 'charge', periodStart: '2026-01-01' as CalendarDate, allowance: { amount: '10.00', reason: 'Loyalty', vat: VAT } },
    ],
    usageCutoff: new Date('2026-02-01T09:00:00.250Z'),
    invoiceId: ids.next<'Invoice'>() as InvoiceId,
    status: 'pending',
    authors: ['alice@acme.example'],
    runId: 'run-1',
    createdAt: new Date('2026-02-01T09:00:00.250Z'),
    ...overrides,
  };
}

/** A running billing run started at `startedAt`, with every optional field filled. */
export function aRun(tenantId: TenantId, id: string, startedAt = '2026-02-01T06:00:00Z', overrides: Partial<BillingRunState> = {}): BillingRunState {
  const partnershipId = aPartnershipId();
  return {
    tenantId,
    id,
    asOf: parseCalendarDate('2026-02-01'),
    dryRun: true,
    partnershipIds: [partnershipId, aPartnershipId()],
    status: 'running',
    counts: { ...NO_COUNTS, total: 2, processed: 1, bills: 1, failed: 1 },
    failures: [{ partnershipId, code: 'billing_plan.not_found', message: `billing_plan ${partnershipId} was not found` }],
    previews: [{ partnershipId, billingDate: parseCalendarDate('2026-02-01'), currency: 'EUR', lines: 3, corrections: 1, netTotal: '1234.56' }],
    startedAt: new Date(startedAt),
    updatedAt: new Date(startedAt),
    error: { code: 'billing_run.failed', message: 'partnerships could not be listed' },
    ...overrides,
  };
}
