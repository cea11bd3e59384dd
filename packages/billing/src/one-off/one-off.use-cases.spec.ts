import { describe, expect, it } from '@jest/globals';
import { CreatePartnership, SetMarketableActive, type MarketableId, type PartnershipId } from '@invoicing/invoice';
import { SCENARIO_TERMS } from '@invoicing/invoice/testing';
import { createBillingScenario, type BillingTestBed } from '../testing';
import { SetBillingPlan } from '../plans/billing-plan.use-cases';
import { BillPartnership } from '../runs/bill-partnership';
import { RunBilling } from '../runs/billing-run.use-cases';
import { oneOffCharge, oneOffIdsOf } from './one-off-charge';
import { AddOneOffCharge, CancelOneOffCharge } from './one-off.use-cases';

const VAT = { code: 'S', rate: '20' } as const;

/** A scenario whose partnership has a billing plan: the charges its runs bill. */
async function plannedScenario() {
  const scenario = await createBillingScenario();
  await scenario.use(SetBillingPlan).execute({
    tenantId: scenario.tenantId,
    partnershipId: scenario.partnership.id,
    effectiveFrom: '2026-03-01',
    terms: { interval: 'monthly', charges: [{ kind: 'recurring', code: 'seats', name: 'Seats', quantity: '1', unitPrice: '10', vat: VAT }] },
  });
  return scenario;
}

describe('AddOneOffCharge', () => {
  it('adds a charge once per id: the same request again answers the stored charge, other details under the id are refused', async () => {
    const scenario = await plannedScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, id: 'setup-1', date: '2026-03-05', name: ' Setup ', unitPrice: '150.00', vat: VAT };

    const first = await scenario.use(AddOneOffCharge).execute(command);
    scenario.clock.advance(60_000);
    const retry = await scenario.use(AddOneOffCharge).execute(command);

    expect(first).toMatchObject({ created: true, charge: { id: 'setup-1', name: 'Setup', unitCode: 'C62', date: '2026-03-05' } });
    expect(first.charge.quantity.toString()).toBe('1');
    expect(retry).toEqual({ created: false, charge: first.charge });
    await expect(scenario.use(AddOneOffCharge).execute({ ...command, unitPrice: '151' })).rejects.toMatchObject({ code: 'one_off.id_taken' });
  });

  it('refuses an unknown partnership and figures no invoice line can carry', async () => {
    const scenario = await plannedScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, date: '2026-03-05', name: 'Setup', unitPrice: '1', vat: VAT };

    await expect(scenario.use(AddOneOffCharge).execute({ ...command, partnershipId: 'nope' as PartnershipId })).rejects.toMatchObject({ code: 'partnership.not_found' });
    await expect(scenario.use(AddOneOffCharge).execute({ ...command, unitPrice: '-1', quantity: '1000000001', name: '\u0000' })).rejects.toMatchObject({
      issues: [
        expect.objectContaining({ path: 'name', code: 'one_off.invalid_name' }),
        expect.objectContaining({ path: 'quantity', code: 'one_off.out_of_range' }),
        expect.objectContaining({ path: 'unitPrice', code: 'one_off.out_of_range' }),
      ],
    });
  });

  it('refuses a charge whose quantity × unit price, rounded as its line is, is beyond the largest amount of the partnership’s currency', async () => {
    // Each figure fits a line, but 10^14 EUR does not: every run of the partnership would fail, for good.
    const scenario = await plannedScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, date: '2026-03-05', name: 'Setup', vat: VAT };
    const refused = { issues: [expect.objectContaining({ path: '', code: 'one_off.out_of_range' })] };

    await expect(scenario.use(AddOneOffCharge).execute({ ...command, quantity: '1000000', unitPrice: '100000000' })).rejects.toMatchObject(refused);
    await expect(scenario.use(AddOneOffCharge).execute({ ...command, quantity: '-1000000', unitPrice: '100000000' })).rejects.toMatchObject(refused);
    // 9 999 999 999 999.995 rounds half up past the largest amount, 9 999 999 999 999.99.
    await expect(scenario.use(AddOneOffCharge).execute({ ...command, quantity: '10', unitPrice: '999999999999.9995' })).rejects.toMatchObject(refused);
    expect(await scenario.billing.oneOffs.listThrough(scenario.tenantId, scenario.partnership.id, '2027-01-01' as never)).toEqual([]);
    // The largest amount, without VAT (zero-rated): the invoice of the charge alone can be made.
    const largest = await scenario.use(AddOneOffCharge).execute({ ...command, quantity: '10', unitPrice: '999999999999.999', vat: { code: 'Z', rate: '0' } });
    expect(largest.created).toBe(true);
  });

  it('refuses a charge whose amount with its VAT no invoice could carry, and takes it without VAT', async () => {
    // 9 × 10^12 EUR is within the largest amount; with 20 % VAT (10.8 × 10^12) its invoice could never be made.
    const scenario = await plannedScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, date: '2026-03-05', name: 'Setup', quantity: '9', unitPrice: '1000000000000' };

    await expect(scenario.use(AddOneOffCharge).execute({ ...command, vat: VAT })).rejects.toMatchObject({ issues: [expect.objectContaining({ path: '', code: 'one_off.out_of_range' })] });
    await expect(scenario.use(AddOneOffCharge).execute({ ...command, quantity: '-9', vat: VAT })).rejects.toMatchObject({ code: 'one_off.out_of_range' });
    expect(await scenario.billing.oneOffs.listThrough(scenario.tenantId, scenario.partnership.id, '2027-01-01' as never)).toEqual([]);
    expect((await scenario.use(AddOneOffCharge).execute({ ...command, vat: { code: 'Z', rate: '0' } })).created).toBe(true);
  });

  it('refuses an exemption code outside the VATEX list at its VAT, as drafting its invoice would, and stores nothing (review of 7 December 2026)', async () => {
    // Taken, every run failed the partnership with vat.unknown_exemption_code, and the charge can only be cancelled.
    const scenario = await plannedScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, id: 'exempt-1', date: '2026-03-05', name: 'Training', unitPrice: '100' };

    await expect(scenario.use(AddOneOffCharge).execute({ ...command, vat: { code: 'E', exemptionReason: 'Training', exemptionReasonCode: 'VATEX-FAKE' } })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'vat.exemptionReasonCode', code: 'vat.unknown_exemption_code' })],
    });
    const taken = await scenario.use(AddOneOffCharge).execute({ ...command, vat: { code: 'E', exemptionReasonCode: 'VATEX-EU-J' } });
    expect(taken).toMatchObject({ created: true, charge: { vat: { exemptionReasonCode: 'VATEX-EU-J' } } });
  });

  it('bounds a one-off charge’s amount by the partnership’s currency: 10^14 is too much in EUR, not in JPY', async () => {
    const scenario = await createBillingScenario({ terms: { currency: 'JPY' } });
    await scenario.use(SetBillingPlan).execute({
      tenantId: scenario.tenantId,
      partnershipId: scenario.partnership.id,
      effectiveFrom: '2026-03-01',
      terms: { interval: 'monthly', charges: [{ kind: 'recurring', code: 'seats', name: 'Seats', quantity: '1', unitPrice: '10', vat: VAT }] },
    });

    const added = await scenario.use(AddOneOffCharge).execute({ tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, date: '2026-03-05', name: 'Setup', quantity: '100', unitPrice: '1000000000000', vat: VAT });

    expect(added.created).toBe(true);
  });

  it('refuses a charge for a partnership without a billing plan, which no run would ever bill', async () => {
    const scenario = await createBillingScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, date: '2026-03-05', name: 'Setup', unitPrice: '150.00', vat: VAT };
    await expect(scenario.use(AddOneOffCharge).execute(command)).rejects.toMatchObject({ code: 'one_off.no_billing_plan' });
    expect(await scenario.billing.oneOffs.listThrough(scenario.tenantId, scenario.partnership.id, '2027-01-01' as never)).toEqual([]);
  });

  it("refuses another tenant's marketable, an unknown one and an inactive one, at `marketableId`, and stores nothing", async () => {
    // Audit T1: such a charge was taken (201), and every run of the partnership then failed for good on its line.
    const scenario = await plannedScenario();
    const globex = await createBillingScenario({ testBed: scenario as unknown as BillingTestBed, tenantId: 'tenant-b' });
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, date: '2026-03-05', name: 'Setup', unitPrice: '150.00', vat: VAT };
    await scenario.use(SetMarketableActive).execute({ tenantId: scenario.tenantId, marketableId: scenario.marketable.id, active: false });

    for (const [marketableId, code] of [
      [globex.marketable.id, 'line.marketable_not_found'],
      ['0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b', 'line.marketable_not_found'],
      [scenario.marketable.id, 'line.marketable_inactive'],
    ] as const) {
      await expect(scenario.use(AddOneOffCharge).execute({ ...command, marketableId: marketableId as MarketableId })).rejects.toMatchObject({ code, issues: [expect.objectContaining({ path: 'marketableId', code })] });
    }
    // Reported with the charge's other faults at once.
    await expect(scenario.use(AddOneOffCharge).execute({ ...command, name: ' ', marketableId: globex.marketable.id })).rejects.toMatchObject({
      code: 'validation.failed',
      issues: [expect.objectContaining({ path: 'name', code: 'one_off.invalid_name' }), expect.objectContaining({ path: 'marketableId', code: 'line.marketable_not_found' })],
    });
    expect(await scenario.billing.oneOffs.listThrough(scenario.tenantId, scenario.partnership.id, '2027-01-01' as never)).toEqual([]);
  });

  it('takes an active marketable of the tenant, and the run bills the charge on its date', async () => {
    const scenario = await plannedScenario();
    const { tenantId } = scenario;
    const partnershipId = scenario.partnership.id;
    await scenario.use(AddOneOffCharge).execute({ tenantId, partnershipId, id: 'setup', date: '2026-03-05', name: 'Setup', marketableId: scenario.marketable.id, unitPrice: '150.00', vat: VAT });
    scenario.clock.set(new Date('2026-03-06T09:00:00Z'));

    const run = await scenario.use(RunBilling).execute({ tenantId });

    expect(run.counts).toMatchObject({ failed: 0, invoicesDrafted: 2 });
    const bills = await scenario.billing.bills.listByPartnership(tenantId, partnershipId);
    expect(bills.map((bill) => [bill.billingDate, bill.status, bill.lines.map((line) => line.line.marketableId ?? null)])).toEqual([
      ['2026-03-01', 'invoiced', [null]],
      ['2026-03-05', 'invoiced', [scenario.marketable.id]],
    ]);
  });
});

describe('CancelOneOffCharge', () => {
  /** A planned scenario on 10 March, with a charge `setup` dated 5 March (a billing date of its own). */
  async function withCharge() {
    const scenario = await plannedScenario();
    const { tenantId } = scenario;
    const partnershipId = scenario.partnership.id;
    await scenario.use(AddOneOffCharge).execute({ tenantId, partnershipId, id: 'setup', date: '2026-03-05', name: 'Setup', unitPrice: '150.00', vat: VAT });
    const cancel = (chargeId = 'setup', partnership: PartnershipId = partnershipId) => scenario.use(CancelOneOffCharge).execute({ tenantId, partnershipId: partnership, chargeId });
    const billedItems = async () => (await scenario.billing.bills.listByPartnership(tenantId, partnershipId)).map((bill) => [bill.billingDate, oneOffIdsOf(bill)]);
    return { ...scenario, partnershipId, cancel, billedItems };
  }

  it('cancels a charge no bill took: no run bills it, cancelling again answers it, adding it again is refused', async () => {
    const scenario = await withCharge();

    const cancelled = await scenario.cancel();
    const again = await scenario.cancel();
    const run = await scenario.use(RunBilling).execute({ tenantId: scenario.tenantId });

    expect(cancelled).toMatchObject({ id: 'setup', cancelledAt: scenario.clock.now() });
    expect(again).toEqual(cancelled);
    expect(run.counts).toMatchObject({ failed: 0, bills: 1 });
    // 5 March was a billing date only for the charge: no bill comes for it.
    expect(await scenario.billedItems()).toEqual([['2026-03-01', []]]);
    await expect(
      scenario.use(AddOneOffCharge).execute({ tenantId: scenario.tenantId, partnershipId: scenario.partnershipId, id: 'setup', date: '2026-03-05', name: 'Setup', unitPrice: '150.00', vat: VAT }),
    ).rejects.toMatchObject({ code: 'one_off.cancelled' });
  });

  it('refuses to cancel a charge a bill carries (409), and answers 404 for a charge that is not the partnership’s', async () => {
    const scenario = await withCharge();
    await scenario.use(RunBilling).execute({ tenantId: scenario.tenantId });
    const other = await scenario.use(CreatePartnership).execute({ tenantId: scenario.tenantId, sellerId: scenario.seller.id, buyerId: scenario.buyer.id, ...SCENARIO_TERMS });

    await expect(scenario.cancel()).rejects.toMatchObject({ code: 'one_off.already_billed', details: { id: 'setup', bill: `${scenario.partnershipId}/2026-03-05` } });
    await expect(scenario.cancel('none')).rejects.toMatchObject({ code: 'one_off.not_found' });
    await expect(scenario.cancel('setup', other.id)).rejects.toMatchObject({ code: 'one_off.not_found' });
    await expect(scenario.cancel('setup', 'nope' as PartnershipId)).rejects.toMatchObject({ code: 'partnership.not_found' });
    await expect(scenario.use(CancelOneOffCharge).execute({ tenantId: 'tenant-b' as never, partnershipId: scenario.partnershipId, chargeId: 'setup' })).rejects.toMatchObject({ code: 'partnership.not_found' });
    expect(await scenario.billedItems()).toEqual([
      ['2026-03-01', []],
      ['2026-03-05', ['setup']],
    ]);
  });

  it('wins against a run that read the charge before it was cancelled: the run works its bill out again without it', async () => {
    const scenario = await withCharge();
    const claim = scenario.billing.oneOffs.claim.bind(scenario.billing.oneOffs);
    const cancelled: unknown[] = [];
    // The cancel lands after the run worked out the bill of 5 March with the charge, before the run takes it.
    scenario.billing.oneOffs.claim = async (...args) => {
      if (cancelled.length === 0) cancelled.push(await scenario.cancel());
      return claim(...args);
    };

    const billed = await scenario.use(BillPartnership).execute({ tenantId: scenario.tenantId, partnershipId: scenario.partnershipId, asOf: '2026-03-10' as never });

    expect(cancelled).toEqual([expect.objectContaining({ id: 'setup', cancelledAt: expect.any(Date) })]);
    expect(billed.bills.map((each) => each.bill.billingDate)).toEqual(['2026-03-01']);
    expect(await scenario.billedItems()).toEqual([['2026-03-01', []]]);
  });

  it('loses against a run that takes the charge after the cancel read the bills: refused, and the charge billed once', async () => {
    const scenario = await withCharge();
    const listByPartnership = scenario.billing.bills.listByPartnership.bind(scenario.billing.bills);
    let armed = true;
    // The run bills the partnership between the cancel's read of the bills (none carries the charge) and its write.
    scenario.billing.bills.listByPartnership = async (...args) => {
      const read = await listByPartnership(...args);
      if (armed) {
        armed = false;
        await scenario.use(BillPartnership).execute({ tenantId: scenario.tenantId, partnershipId: scenario.partnershipId, asOf: '2026-03-10' as never });
      }
      return read;
    };

    await expect(scenario.cancel()).rejects.toMatchObject({ code: 'one_off.already_billed', details: { id: 'setup', bill: `${scenario.partnershipId}/2026-03-05` } });

    expect(armed).toBe(false);
    expect((await scenario.billing.oneOffs.get(scenario.tenantId, 'setup'))?.cancelledAt).toBeUndefined();
    expect(await scenario.billedItems()).toEqual([
      ['2026-03-01', []],
      ['2026-03-05', ['setup']],
    ]);
  });

  it('lets a partnership bill again once a charge stored before marketables were checked (another tenant’s) is cancelled before a run reaches it', async () => {
    // Audit T1, data stored before the fix: the store takes what it is given, as the use case did then.
    const scenario = await plannedScenario();
    const { tenantId } = scenario;
    const partnershipId = scenario.partnership.id;
    const globex = await createBillingScenario({ testBed: scenario as unknown as BillingTestBed, tenantId: 'tenant-b' });
    const stored = (id: string, date: string) =>
      scenario.billing.oneOffs.add(oneOffCharge({ date, name: 'Foreign', marketableId: globex.marketable.id, unitPrice: '10', vat: VAT }, { tenantId, id, partnershipId, currency: 'EUR', at: scenario.clock.now() }));
    await stored('foreign', '2026-03-05');

    await scenario.use(CancelOneOffCharge).execute({ tenantId, partnershipId, chargeId: 'foreign' });
    scenario.clock.set(new Date('2026-04-02T09:00:00Z'));
    const run = await scenario.use(RunBilling).execute({ tenantId });

    expect(run.counts).toMatchObject({ failed: 0, bills: 2, invoicesDrafted: 2 });
    expect((await scenario.billing.bills.listByPartnership(tenantId, partnershipId)).map((bill) => [bill.billingDate, bill.status])).toEqual([
      ['2026-03-01', 'invoiced'],
      ['2026-04-01', 'invoiced'],
    ]);
  });

  it('cannot free a partnership whose run recorded such a charge already: its pending bill keeps the line, and the cancel is refused', async () => {
    // Left as it is (a bill's lines never change): the bill waits, and so do the partnership's later dates. Voiding a
    // pending bill whose invoice can never be made is a change to runs, not to one-off charges.
    const scenario = await plannedScenario();
    const { tenantId } = scenario;
    const partnershipId = scenario.partnership.id;
    const globex = await createBillingScenario({ testBed: scenario as unknown as BillingTestBed, tenantId: 'tenant-b' });
    await scenario.billing.oneOffs.add(oneOffCharge({ date: '2026-03-05', name: 'Foreign', marketableId: globex.marketable.id, unitPrice: '10', vat: VAT }, { tenantId, id: 'foreign', partnershipId, currency: 'EUR', at: scenario.clock.now() }));
    const first = await scenario.use(RunBilling).execute({ tenantId });
    expect(first.failures).toEqual([expect.objectContaining({ partnershipId, code: 'line.marketable_not_found' })]);

    await expect(scenario.use(CancelOneOffCharge).execute({ tenantId, partnershipId, chargeId: 'foreign' })).rejects.toMatchObject({ code: 'one_off.already_billed' });
  });
});
