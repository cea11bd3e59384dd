import 'reflect-metadata';
import { createScenario, createTestBed, type Scenario, type ScenarioOptions, type TestBed } from '@invoicing/invoice/testing';
import { billingAdaptersModule, billingModule } from '../billing.module';
import type { BillingAdapters } from '../billing-adapters';
import type { BillingSettings } from '../runs/billing-run.use-cases';
import { createInMemoryBillingAdapters } from './in-memory/in-memory-billing';

/** An invoicing test bed (`@invoicing/invoice/testing`) with billing's use cases and adapters loaded too. */
export interface BillingTestBed extends TestBed {
  readonly billing: BillingAdapters;
}

/** How to build a {@link BillingTestBed}: the invoicing test bed's options, billing adapters and settings. */
export interface BillingTestBedOptions extends ScenarioOptions {
  readonly billing?: BillingAdapters;
  readonly billingSettings?: Partial<BillingSettings>;
}

/** An empty container for billing: in-memory adapters unless given, a fixed clock, sequential ids. */
export function createBillingTestBed(options: BillingTestBedOptions = {}): BillingTestBed {
  const bed = createTestBed(options);
  const billing = options.billing ?? createInMemoryBillingAdapters();
  bed.container.loadSync(billingModule(options.billingSettings), billingAdaptersModule(billing));
  return { ...bed, billing };
}

/** The invoicing scenario (a seller, a buyer, a marketable and their partnership) on a billing test bed (a new one unless given). */
export async function createBillingScenario(options: BillingTestBedOptions & { readonly testBed?: BillingTestBed } = {}): Promise<Scenario & { readonly billing: BillingAdapters }> {
  const bed = options.testBed ?? createBillingTestBed(options);
  const scenario = await createScenario({ ...options, testBed: bed });
  return { ...scenario, billing: bed.billing };
}
