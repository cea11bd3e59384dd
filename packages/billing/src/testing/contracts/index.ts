import type { BillingAdapters } from '../../billing-adapters';
import { describeBillRepositoryContract } from './bill-repository.contract';
import { describeBillingPlanRepositoryContract } from './billing-plan-repository.contract';
import { describeBillingRunRepositoryContract } from './billing-run-repository.contract';
import type { BillingContractTarget } from './contract-target';
import { jestGlobals } from './jest-globals';
import { describeOneOffChargeStoreContract } from './one-off-charge-store.contract';
import { describeUsageEventStoreContract } from './usage-event-store.contract';

export type { BillingContractTarget } from './contract-target';
export { RICH_TERMS, aBill, aOneOff, aPartnershipId, aPlan, aRun, anEvent } from './billing-builders';
export {
  describeBillRepositoryContract,
  describeBillingPlanRepositoryContract,
  describeBillingRunRepositoryContract,
  describeOneOffChargeStoreContract,
  describeUsageEventStoreContract,
};

/**
 * Runs the contract suite of every port of `@invoicing/billing` against one adapter family.
 * Call it at the top level of a spec file: `describeBillingPortContracts('MongoDB', { setUp, tearDown })`.
 */
export function describeBillingPortContracts(name: string, target: BillingContractTarget): void {
  const { afterAll, beforeAll, describe } = jestGlobals();
  describe(`${name} billing adapters`, () => {
    let adapters: BillingAdapters | undefined;
    const current = (): BillingAdapters => {
      if (!adapters) throw new Error('the contract target was not set up');
      return adapters;
    };
    beforeAll(async () => {
      adapters = await target.setUp();
    });
    afterAll(async () => {
      await target.tearDown?.();
    });
    describeBillingPlanRepositoryContract(current);
    describeUsageEventStoreContract(current);
    describeOneOffChargeStoreContract(current);
    describeBillRepositoryContract(current);
    describeBillingRunRepositoryContract(current);
  });
}
