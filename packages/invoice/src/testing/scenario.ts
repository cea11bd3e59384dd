import 'reflect-metadata';
import { coreModule, tenantId as parseTenantId, type TenantId } from '@invoicing/core';
import { FixedClock, SequentialIdGenerator } from '@invoicing/core/testing';
import { Container, type Newable } from 'inversify';
import { invoiceModule } from '../invoice.module';
import { CreateMarketable } from '../marketable/marketable.use-cases';
import type { MarketableDetails, MarketableState } from '../marketable/marketable';
import type { ContactInput, PartnerDetails, PartnerState } from '../partner/partner';
import { CreatePartner } from '../partner/partner.use-cases';
import type { PartnershipState, PartnershipTermsInput } from '../partnership/partnership';
import { CreatePartnership } from '../partnership/partnership.use-cases';
import { invoiceAdaptersModule, type InvoiceAdapters } from '../invoice-adapters.module';
import { createInMemoryAdapters } from './in-memory/in-memory-adapters';
import { RecordingEventPublisher } from './in-memory/in-memory-ports';

/** The instant a test bed's clock starts at: 10 March 2026, 10:00 in Paris. */
export const SCENARIO_NOW = '2026-03-10T09:00:00Z';
/** The time zone a test bed's use cases decide "today" in. */
export const SCENARIO_TIME_ZONE = 'Europe/Paris';

/** A container wired with adapters (in-memory unless given), a clock the test moves and ids that count (`id-000001` …). */
export interface TestBed {
  readonly container: Container;
  readonly clock: FixedClock;
  readonly ids: SequentialIdGenerator;
  /** The adapters behind the container, including the `publisher` that `RelayEvents` publishes to. */
  readonly adapters: InvoiceAdapters & { readonly publisher: RecordingEventPublisher };
  /** Resolves a use case from the container. */
  use<T>(useCase: Newable<T>): T;
}

/** How to build a {@link TestBed}. */
export interface TestBedOptions {
  /** Where the clock starts; {@link SCENARIO_NOW} by default. */
  readonly now?: Date | string;
  /** The configured time zone; {@link SCENARIO_TIME_ZONE} by default. */
  readonly timeZone?: string;
  /**
   * Adapters to use instead of fresh in-memory ones: e.g. with a repository wrapped to fail on purpose, or another
   * adapter family (the MongoDB adapters run the same scenarios). A recording publisher is added when they have none.
   */
  readonly adapters?: InvoiceAdapters & { readonly publisher?: RecordingEventPublisher };
}

/** Builds an empty invoicing container on in-memory adapters, with a fixed clock and sequential ids. */
export function createTestBed(options: TestBedOptions = {}): TestBed {
  const clock = new FixedClock(new Date(options.now ?? SCENARIO_NOW));
  const ids = new SequentialIdGenerator();
  const given = options.adapters ?? createInMemoryAdapters();
  const adapters = { ...given, publisher: given.publisher ?? new RecordingEventPublisher() };
  const container = new Container();
  container.loadSync(
    coreModule({ clock, ids, publisher: adapters.publisher }),
    invoiceModule({ timeZone: options.timeZone ?? SCENARIO_TIME_ZONE }),
    invoiceAdaptersModule(adapters),
  );
  return { container, clock, ids, adapters, use: (useCase) => container.get(useCase) };
}

/**
 * A test bed of another API process on the same adapters: its own ledger object, so its own queue of appends and its
 * own known heads (ADR 0006), as a second process has.
 */
export function anotherProcess(bed: TestBed): TestBed {
  const ledger = bed.adapters.ledger;
  return createTestBed({ adapters: { ...bed.adapters, ledger: Object.create(ledger) as typeof ledger } });
}

/**
 * Runs `run` in {@link anotherProcess} right after `bed`'s next lookup of a ledger operation, before it reads the head:
 * the interleaving of an attempt whose append was delayed and its retry. `ran` says whether it came to that.
 */
export function afterNextLedgerLookup(bed: TestBed, run: (other: TestBed) => Promise<unknown>): { ran: boolean } {
  const ledger = bed.adapters.ledger;
  const other = anotherProcess(bed);
  const lookup = ledger.byOperation.bind(ledger);
  const outcome = { ran: false };
  Object.defineProperty(ledger, 'byOperation', {
    configurable: true,
    writable: true,
    value: async (...args: Parameters<typeof ledger.byOperation>) => {
      // Once: the next lookups are the ledger's own again.
      delete (ledger as { byOperation?: unknown }).byOperation;
      const found = await lookup(...args);
      await run(other);
      outcome.ran = true;
      return found;
    },
  });
  return outcome;
}

/** The seller a scenario registers: a French company with a billing address, a VAT id and one contact. */
export const SCENARIO_SELLER: PartnerDetails & { readonly contacts: readonly ContactInput[] } = {
  kind: 'company',
  legalName: 'Atelier Lumière SAS',
  identifiers: { vatId: 'FR12345678901' },
  addresses: [{ purpose: 'billing', lines: ['12 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
  contacts: [{ name: 'Claire Martin', email: 'claire.martin@atelier-lumiere.example', role: 'billing' }],
};

/** The buyer a scenario registers: a German company with a billing address, a VAT id and one contact. */
export const SCENARIO_BUYER: PartnerDetails & { readonly contacts: readonly ContactInput[] } = {
  kind: 'company',
  legalName: 'Nordwind GmbH',
  identifiers: { vatId: 'DE123456789' },
  addresses: [{ purpose: 'billing', lines: ['Friedrichstraße 1'], city: 'Berlin', postalCode: '10117', countryCode: 'DE' }],
  contacts: [{ name: 'Jonas Weber', email: 'jonas.weber@nordwind.example', phone: '+49 30 1234567', role: 'accounts payable' }],
};

/** The marketable a scenario registers: a consulting day at 800.00 EUR or 900 USD, standard VAT 20 %. */
export const SCENARIO_MARKETABLE: MarketableDetails = {
  sku: 'CONSULT-DAY',
  kind: 'service',
  name: 'Consulting day',
  unitCode: 'DAY',
  prices: [
    { currency: 'EUR', unitPrice: '800.00' },
    { currency: 'USD', unitPrice: '900' },
  ],
  defaultVat: { code: 'S', rate: '20' },
};

/** The terms of a scenario's partnership: EUR, net 30 days, valid from 1 January 2026, default numbering and policy. */
export const SCENARIO_TERMS: PartnershipTermsInput = {
  currency: 'EUR',
  paymentTerms: { kind: 'net', days: 30 },
  validFrom: '2026-01-01',
};

/** A test bed with one tenant's seller, buyer, marketable and the partnership between seller and buyer. */
export interface Scenario extends TestBed {
  readonly tenantId: TenantId;
  readonly seller: PartnerState;
  readonly buyer: PartnerState;
  readonly marketable: MarketableState;
  readonly partnership: PartnershipState;
}

/** How to seed a {@link Scenario}. */
export interface ScenarioOptions extends TestBedOptions {
  /** The tenant to seed; `tenant-a` by default. */
  readonly tenantId?: string;
  /** Seeds into this test bed (e.g. a second tenant beside the first) instead of a new one. */
  readonly testBed?: TestBed;
  /** Replaces parts of {@link SCENARIO_TERMS}. */
  readonly terms?: Partial<PartnershipTermsInput>;
}

/**
 * Builds a container on in-memory adapters and seeds it through the use cases, in this order: the seller
 * ({@link SCENARIO_SELLER}), the buyer ({@link SCENARIO_BUYER}), the marketable ({@link SCENARIO_MARKETABLE})
 * and the partnership between them ({@link SCENARIO_TERMS}).
 *
 * @example
 * const scenario = await createScenario();
 * const draft = await scenario.use(CreateInvoiceDraft).execute({
 *   tenantId: scenario.tenantId,
 *   partnershipId: scenario.partnership.id,
 *   lines: [{ marketableId: scenario.marketable.id, quantity: '2' }],
 * });
 */
export async function createScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const bed = options.testBed ?? createTestBed(options);
  const tenantId = parseTenantId(options.tenantId ?? 'tenant-a');
  const seller = await bed.use(CreatePartner).execute({ tenantId, ...SCENARIO_SELLER });
  const buyer = await bed.use(CreatePartner).execute({ tenantId, ...SCENARIO_BUYER });
  const marketable = await bed.use(CreateMarketable).execute({ tenantId, ...SCENARIO_MARKETABLE });
  const partnership = await bed
    .use(CreatePartnership)
    .execute({ tenantId, sellerId: seller.id, buyerId: buyer.id, ...SCENARIO_TERMS, ...options.terms });
  return { ...bed, tenantId, seller, buyer, marketable, partnership };
}
