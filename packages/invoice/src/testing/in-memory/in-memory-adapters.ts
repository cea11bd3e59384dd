import type { DomainEvent } from '@invoicing/core';
import type { InvoiceAdapters } from '../../invoice-adapters.module';
import type { InvoiceState } from '../../invoice/invoice';
import type { MarketableState } from '../../marketable/marketable';
import type { PartnerState } from '../../partner/partner';
import type { PartnershipState } from '../../partnership/partnership';
import type { PaymentState } from '../../payment/payment';
import { InMemoryCollection } from './in-memory-database';
import { InMemoryInvoiceQueries, InMemoryPartnerQueries } from './in-memory-invoice-queries';
import { InMemoryLedger } from './in-memory-ledger';
import { InMemoryNumberSequence, InMemoryOutbox, RecordingEventPublisher } from './in-memory-ports';
import {
  InMemoryInvoiceRepository,
  InMemoryMarketableRepository,
  InMemoryPartnerRepository,
  InMemoryPartnershipRepository,
  InMemoryPaymentRepository,
} from './in-memory-repositories';

export type { InvoiceAdapters };

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
    ledger: new InMemoryLedger(),
    queries: new InMemoryInvoiceQueries(invoices, partners, payments),
    numbers: new InMemoryNumberSequence(),
    outbox: new InMemoryOutbox(events),
    publisher: new RecordingEventPublisher(),
  };
}
