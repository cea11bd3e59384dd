import { billingAdaptersModule, billingModule, type BillingAdapters, type BillingSettings } from '@invoicing/billing';
import { coreModule, type EventPublisher } from '@invoicing/core';
import { INTEGRITY_READER, invoiceAdaptersModule, invoiceModule, type IntegrityReader, type InvoiceAdapters } from '@invoicing/invoice';
import { Container } from 'inversify';

/** What the API's one inversify container is built from. */
export interface InvoicingContainerOptions {
  /** The business calendar's IANA time zone (`TIME_ZONE`). */
  readonly timeZone: string;
  /** Where relayed domain events go. */
  readonly publisher: EventPublisher;
  /** What the invariant checker reads the stored data through (the same database as the adapters). */
  readonly integrityReader: IntegrityReader;
  /** The ports of `@invoicing/billing`, on the same database as the invoice adapters. */
  readonly billing: BillingAdapters;
  /** How billing runs work through partnerships (`BILLING_RUN_CONCURRENCY`). */
  readonly billingSettings?: Partial<BillingSettings>;
}

/**
 * The composition root of the domain: core's ports (system clock, UUIDv7 ids, the publisher), the invoice use cases
 * and the invoice ports bound to an adapter family (MongoDB in production), billing's use cases and ports beside them
 * (billing makes its invoices through the invoice use cases of this same container), and the invariant checker's
 * reader. Each module binds its own ports only.
 */
export function createInvoicingContainer(adapters: InvoiceAdapters, options: InvoicingContainerOptions): Container {
  const container = new Container();
  container.loadSync(
    coreModule({ publisher: options.publisher }),
    invoiceModule({ timeZone: options.timeZone }),
    invoiceAdaptersModule(adapters),
    billingModule(options.billingSettings),
    billingAdaptersModule(options.billing),
  );
  container.bind(INTEGRITY_READER).toConstantValue(options.integrityReader);
  return container;
}
