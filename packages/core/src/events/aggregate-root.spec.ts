import { describe, expect, it } from '@jest/globals';
import { tenantId } from '../ids/id';
import { AggregateRoot } from './aggregate-root';
import { EVENT_PUBLISHER } from './domain-event';

/** The smallest aggregate that raises events: a counter. */
class Counter extends AggregateRoot<'counter-1' | 'counter-2'> {
  readonly aggregateType = 'counter';
  private value = 0;

  static load(id: 'counter-1' | 'counter-2', version: number): Counter {
    return new Counter(tenantId('acme'), id, version);
  }

  get count(): number {
    return this.value;
  }

  increment(by: number, at: Date): void {
    this.value += by;
    this.raise('counter.incremented', { by }, at);
  }
}

const at = new Date('2026-01-15T09:00:00Z');

describe('AggregateRoot', () => {
  describe('constructor', () => {
    it('keeps the tenant, the id and the loaded version, with no pending event', () => {
      const counter = Counter.load('counter-1', 4);

      expect(counter.tenantId).toBe('acme');
      expect(counter.id).toBe('counter-1');
      expect(counter.version).toBe(4);
      expect(counter.pendingEvents).toEqual([]);
    });
  });

  describe('raise', () => {
    it('records an event with the id <tenant>/<aggregateType>/<aggregateId>/<version after save>/<index> and every field filled in', () => {
      const counter = Counter.load('counter-1', 0);
      counter.increment(2, at);

      expect(counter.pendingEvents).toEqual([
        {
          id: 'acme/counter/counter-1/1/0',
          type: 'counter.incremented',
          tenantId: 'acme',
          aggregateType: 'counter',
          aggregateId: 'counter-1',
          aggregateVersion: 1,
          index: 0,
          occurredAt: at,
          payload: { by: 2 },
        },
      ]);
    });

    it('numbers several events of one save in the order they were raised', () => {
      const counter = Counter.load('counter-2', 7);
      counter.increment(1, at);
      counter.increment(5, at);
      counter.increment(3, at);

      expect(counter.pendingEvents.map((event) => [event.id, event.aggregateVersion, event.index, event.payload])).toEqual([
        ['acme/counter/counter-2/8/0', 8, 0, { by: 1 }],
        ['acme/counter/counter-2/8/1', 8, 1, { by: 5 }],
        ['acme/counter/counter-2/8/2', 8, 2, { by: 3 }],
      ]);
      expect(counter.count).toBe(9);
    });
  });

  describe('markSaved', () => {
    it('bumps the version by one and clears the pending events', () => {
      const counter = Counter.load('counter-1', 3);
      counter.increment(1, at);
      counter.increment(1, at);
      counter.markSaved();

      expect(counter.version).toBe(4);
      expect(counter.pendingEvents).toEqual([]);
    });

    it('makes the events of the next change carry the next version, restarting at index 0', () => {
      const counter = Counter.load('counter-1', 0);
      counter.increment(1, at);
      const firstSave = counter.pendingEvents;
      counter.markSaved();
      counter.increment(1, at);

      expect(counter.pendingEvents.map((event) => event.id)).toEqual(['acme/counter/counter-1/2/0']);
      expect(firstSave.map((event) => event.id)).toEqual(['acme/counter/counter-1/1/0']);
    });

    it('gives every event of an aggregate a distinct id across saves', () => {
      const counter = Counter.load('counter-1', 0);
      const ids: string[] = [];
      for (let save = 0; save < 5; save += 1) {
        for (let change = 0; change < 3; change += 1) counter.increment(1, at);
        ids.push(...counter.pendingEvents.map((event) => event.id));
        counter.markSaved();
      }

      expect(new Set(ids).size).toBe(15);
      expect(counter.version).toBe(5);
    });
  });
});

describe('EVENT_PUBLISHER', () => {
  it('is a registered symbol, so two copies of the package bind the same token', () => {
    expect(Symbol.keyFor(EVENT_PUBLISHER)).toBe('@invoicing/core/EventPublisher');
  });
});
