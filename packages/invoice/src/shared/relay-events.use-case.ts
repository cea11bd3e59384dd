import { EVENT_PUBLISHER, ValidationError, type EventPublisher } from '@invoicing/core';
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

  /**
   * Relays until the outbox is empty, in batches of `batchSize` (a whole number from 1; 100 by default); returns how
   * many events were published.
   * @throws ValidationError `request.is_int` | `request.min` at `batchSize`
   */
  async execute(command: { readonly batchSize?: number } = {}): Promise<number> {
    const batchSize = command.batchSize ?? 100;
    // A fraction, 0 or NaN took no event (the relay ended at once), a negative size all but the last ones.
    if (!Number.isInteger(batchSize)) throw ValidationError.of('batchSize', 'request.is_int', 'the batch size is a whole number');
    if (batchSize < 1) throw ValidationError.of('batchSize', 'request.min', 'the batch size is at least 1');
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
