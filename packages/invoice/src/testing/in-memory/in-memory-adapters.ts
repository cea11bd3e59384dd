import {
  CLOCK,
  EVENT_PUBLISHER,
  ID_GENERATOR,
  SystemClock,
  UuidV7IdGenerator,
  type Clock,
  type DomainEvent,
  type EventPublisher,
  type IdGenerator,
} from '@invoicing/core';
import { ContainerModule } from 'inversify';
import type { InvoiceState } from '../../invoice/invoice';
import { INVOICE_REPOSITORY, type InvoiceRepository } from '../../invoice/invoice-repository.port';
import { NUMBER_SEQUENCE, type NumberSequence } from '../../invoice/number-sequence.port';
import type { MarketableState } from '../../marketable/marketable';
import { MARKETABLE_REPOSITORY, type MarketableRepository } from '../../marketable/marketable-repository.port';
import type { PartnerState } from '../../partner/partner';
import { PARTNER_QUERIES, PARTNER_REPOSITORY, type PartnerQueries, type PartnerRepository } from '../../partner/partner-repository.port';
import type { PartnershipState } from '../../partnership/partnership';
import { PARTNERSHIP_REPOSITORY, type PartnershipRepository } from '../../partnership/partnership-repository.port';
import type { PaymentState } from '../../payment/payment';
import { PAYMENT_REPOSITORY, type PaymentRepository } from '../../payment/payment-repository.port';
import { INVOICE_QUERIES, type InvoiceQueries } from '../../queries/invoice-queries.port';
import { OUTBOX, type Outbox } from '../../shared/outbox.port';
import { InMemoryCollection } from './in-memory-database';
import { InMemoryInvoiceQueries, InMemoryPartnerQueries } from './in-memory-invoice-queries';
import { InMemoryNumberSequence, InMemoryOutbox, RecordingEventPublisher } from './in-memory-ports';
import {
  InMemoryInvoiceRepository,
  InMemoryMarketableRepository,
  InMemoryPartnerRepository,
  InMemoryPartnershipRepository,
  InMemoryPaymentRepository,
} from './in-memory-repositories';

/** Every port of `@invoicing/invoice`, implemented by one adapter family. Contract suites take a factory of these. */
export interface InvoiceAdapters {
  readonly partners: PartnerRepository;
  readonly partnerQueries: PartnerQueries;
  readonly marketables: MarketableRepository;
  readonly partnerships: PartnershipRepository;
  readonly invoices: InvoiceRepository;
  readonly payments: PaymentRepository;
  readonly queries: InvoiceQueries;
  readonly numbers: NumberSequence;
  readonly outbox: Outbox;
}

/** In-memory adapters, plus the recording publisher their events can be relayed to. */
export interface InMemoryAdapters extends InvoiceAdapters {
  readonly publisher: RecordingEventPublisher;
}

/** A fresh, empty set of in-memory adapters sharing one store (so queries see what repositories saved). */
export function createInMemoryAdapters(): InMemoryAdapters {
  const events: DomainEvent[] = [];
  const partners = new InMemoryCollection<PartnerState>(events);
  const marketables = new InMemoryCollection<MarketableState>(events, [{ code: 'marketable.sku_taken', key: (state) => state.sku }]);
  const partnerships = new InMemoryCollection<PartnershipState>(events);
  const invoices = new InMemoryCollection<InvoiceState>(events, [
    { code: 'invoice.duplicate_number', key: (state) => (state.number === undefined ? undefined : state.number) },
    {
      code: 'invoice.duplicate_external_reference',
      key: (state) => (state.externalReference === undefined ? undefined : `${state.sellerId}\u0000${state.buyerId}\u0000${state.externalReference}`),
    },
  ]);
  const payments = new InMemoryCollection<PaymentState>(events);
  return {
    partners: new InMemoryPartnerRepository(partners),
    partnerQueries: new InMemoryPartnerQueries(partners),
    marketables: new InMemoryMarketableRepository(marketables),
    partnerships: new InMemoryPartnershipRepository(partnerships),
    invoices: new InMemoryInvoiceRepository(invoices),
    payments: new InMemoryPaymentRepository(payments),
    queries: new InMemoryInvoiceQueries(invoices, partners, payments),
    numbers: new InMemoryNumberSequence(),
    outbox: new InMemoryOutbox(events),
    publisher: new RecordingEventPublisher(),
  };
}

/** Binds every port of an adapter set (plus clock, ids and publisher) in a container. */
export function invoiceAdaptersModule(
  adapters: InvoiceAdapters,
  options: { readonly clock?: Clock; readonly ids?: IdGenerator; readonly publisher: EventPublisher },
): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(PARTNER_REPOSITORY).toConstantValue(adapters.partners);
    bind(PARTNER_QUERIES).toConstantValue(adapters.partnerQueries);
    bind(MARKETABLE_REPOSITORY).toConstantValue(adapters.marketables);
    bind(PARTNERSHIP_REPOSITORY).toConstantValue(adapters.partnerships);
    bind(INVOICE_REPOSITORY).toConstantValue(adapters.invoices);
    bind(PAYMENT_REPOSITORY).toConstantValue(adapters.payments);
    bind(INVOICE_QUERIES).toConstantValue(adapters.queries);
    bind(NUMBER_SEQUENCE).toConstantValue(adapters.numbers);
    bind(OUTBOX).toConstantValue(adapters.outbox);
    bind(EVENT_PUBLISHER).toConstantValue(options.publisher);
    bind(CLOCK).toConstantValue(options.clock ?? new SystemClock());
    bind(ID_GENERATOR).toConstantValue(options.ids ?? new UuidV7IdGenerator());
  });
}

/**
 * A container module with in-memory adapters for every port: for tests, demos and library users who need no database.
 * Pass a clock or id generator to control time and ids.
 */
export function inMemoryInvoiceAdapters(options: { readonly clock?: Clock; readonly ids?: IdGenerator; readonly adapters?: InMemoryAdapters } = {}): ContainerModule {
  const adapters = options.adapters ?? createInMemoryAdapters();
  return invoiceAdaptersModule(adapters, { ...options, publisher: adapters.publisher });
}

