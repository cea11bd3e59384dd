import {
  CLOCK,
  EVENT_PUBLISHER,
  ID_GENERATOR,
  SystemClock,
  UuidV7IdGenerator,
  type Clock,
  type EventPublisher,
  type IdGenerator,
} from '@invoicing/core';
import { ContainerModule } from 'inversify';
import { INVOICE_REPOSITORY, type InvoiceRepository } from './invoice/invoice-repository.port';
import { NUMBER_SEQUENCE, type NumberSequence } from './invoice/number-sequence.port';
import { MARKETABLE_REPOSITORY, type MarketableRepository } from './marketable/marketable-repository.port';
import { PARTNER_QUERIES, PARTNER_REPOSITORY, type PartnerQueries, type PartnerRepository } from './partner/partner-repository.port';
import { PARTNERSHIP_REPOSITORY, type PartnershipRepository } from './partnership/partnership-repository.port';
import { PAYMENT_REPOSITORY, type PaymentRepository } from './payment/payment-repository.port';
import { INVOICE_QUERIES, type InvoiceQueries } from './queries/invoice-queries.port';
import { OUTBOX, type Outbox } from './shared/outbox.port';

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
