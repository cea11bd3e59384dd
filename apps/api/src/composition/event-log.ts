import type { DomainEvent, EventPublisher } from '@invoicing/core';
import type { Logger } from 'pino';

/** Until a message broker is wired, relayed domain events go to the log (one line each, at debug level). */
export class LoggingEventPublisher implements EventPublisher {
  constructor(private readonly logger: Logger) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) this.logger.debug({ event }, `event ${event.type}`);
  }
}
