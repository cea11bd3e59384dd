import { describe, expect, it } from '@jest/globals';
import type { PartnershipId } from '@invoicing/invoice';
import { createBillingScenario } from '../testing';
import { SetBillingPlan } from '../plans/billing-plan.use-cases';
import { AddOneOffCharge } from './one-off.use-cases';

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
});
