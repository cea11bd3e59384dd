import { EVENT_PUBLISHER, type EventPublisher } from '@invoicing/core';
import { inject, injectable } from 'inversify';
import { OUTBOX, type Outbox } from './outbox.port';

/**
 * Publishes what repositories stored in the outbox, oldest first, and marks it published.
 * At least once: a crash between publishing and marking publishes again, so consumers de-duplicate by event id.
 */
@injectable()
export class RelayEvents {
  constructor(
    @inject(OUTBOX) private readonly outbox: Outbox,
    @inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
  ) {}

  /** Relays until the outbox is empty, in batches; returns how many events were published. */
  async execute(command: { readonly batchSize?: number } = {}): Promise<number> {
    const batchSize = command.batchSize ?? 100;
    let published = 0;
    for (;;) {
      const events = await this.outbox.pending(batchSize);
      if (events.length === 0) return published;
      await this.publisher.publish(events);
      await this.outbox.markPublished(events.map((event) => event.id));
      published += events.length;
    }
  }
}
