import { ContainerModule } from 'inversify';
import { INVOICE_REPOSITORY, type InvoiceRepository } from './invoice/invoice-repository.port';
import { NUMBER_SEQUENCE, type NumberSequence } from './invoice/number-sequence.port';
import { LEDGER, type Ledger } from './ledger/ledger.port';
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
  /** Where every movement of money is written first (ADR 0006). */
  readonly ledger: Ledger;
  readonly queries: InvoiceQueries;
  readonly numbers: NumberSequence;
  readonly outbox: Outbox;
}

/**
 * Binds the ports of `@invoicing/invoice` to an adapter family. Core's ports (clock, ids, event publisher) are not
 * among them: load `coreModule` from `@invoicing/core` once beside it, so other domain packages can share them.
 */
export function invoiceAdaptersModule(adapters: InvoiceAdapters): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(PARTNER_REPOSITORY).toConstantValue(adapters.partners);
    bind(PARTNER_QUERIES).toConstantValue(adapters.partnerQueries);
    bind(MARKETABLE_REPOSITORY).toConstantValue(adapters.marketables);
    bind(PARTNERSHIP_REPOSITORY).toConstantValue(adapters.partnerships);
    bind(INVOICE_REPOSITORY).toConstantValue(adapters.invoices);
    bind(PAYMENT_REPOSITORY).toConstantValue(adapters.payments);
    bind(LEDGER).toConstantValue(adapters.ledger);
    bind(INVOICE_QUERIES).toConstantValue(adapters.queries);
    bind(NUMBER_SEQUENCE).toConstantValue(adapters.numbers);
    bind(OUTBOX).toConstantValue(adapters.outbox);
  });
}
