import { coreModule, type EventPublisher } from '@invoicing/core';
import { invoiceAdaptersModule, invoiceModule, type InvoiceAdapters } from '@invoicing/invoice';
import { Container } from 'inversify';

/** What the API's one inversify container is built from. */
export interface InvoicingContainerOptions {
  /** The business calendar's IANA time zone (`TIME_ZONE`). */
  readonly timeZone: string;
  /** Where relayed domain events go. */
  readonly publisher: EventPublisher;
}

/**
 * The composition root of the domain: core's ports (system clock, UUIDv7 ids, the publisher), the invoice use cases
 * and the invoice ports bound to an adapter family (MongoDB in production). Each module binds its own ports only, so
 * the next domain package's module loads beside these.
 */
export function createInvoicingContainer(adapters: InvoiceAdapters, options: InvoicingContainerOptions): Container {
  const container = new Container();
  container.loadSync(coreModule({ publisher: options.publisher }), invoiceModule({ timeZone: options.timeZone }), invoiceAdaptersModule(adapters));
  return container;
}
