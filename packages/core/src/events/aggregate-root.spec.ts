import { describe, expect, it } from '@jest/globals';
import { tenantId } from '../ids/id';
import { AggregateRoot } from './aggregate-root';
import { EVENT_PUBLISHER, type DomainEvent } from './domain-event';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

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

  remind(when: Date, at: Date): void {
    this.raise('counter.reminded', { reminder: { when } }, at);
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

  describe('pendingEvents', () => {
    /** Runs a change a caller might try; a frozen event refuses it with a TypeError. */
    const attempt = (change: () => unknown): void => {
      try {
        change();
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
      }
    };

    it('hands out a copy: pushing, splicing or emptying what it returned changes nothing to be saved (review of 14 December 2026)', () => {
      const counter = Counter.load('counter-1', 0);
      counter.increment(1, at);
      counter.increment(2, at);
      const expected = counter.pendingEvents.map((event) => event.id);

      const handedOut = counter.pendingEvents as DomainEvent[];
      attempt(() => handedOut.push({ ...(handedOut[0] as DomainEvent), id: 'forged', type: 'counter.forged' }));
      attempt(() => handedOut.splice(0, 1));
      attempt(() => {
        handedOut.length = 0;
      });

      expect(counter.pendingEvents.map((event) => event.id)).toEqual(expected);
    });

    it('keeps a Date of its own for when an event occurred: changing the Date given to raise, or one handed out, changes nothing (review of 14 December 2026)', () => {
      const counter = Counter.load('counter-1', 0);
      const given = new Date(at);
      counter.increment(1, given);

      given.setUTCFullYear(1999);
      attempt(() => counter.pendingEvents[0]?.occurredAt.setTime(0));

      expect(counter.pendingEvents[0]?.occurredAt).toEqual(at);
    });

    it('keeps Dates of its own in a payload too', () => {
      const counter = Counter.load('counter-1', 0);
      const when = new Date(at);
      counter.remind(when, at);

      when.setTime(0);
      attempt(() => (counter.pendingEvents[0]?.payload as { reminder: { when: Date } }).reminder.when.setTime(0));

      expect(counter.pendingEvents[0]?.payload).toEqual({ reminder: { when: at } });
    });

    it('cannot be changed through an event it handed out: its fields or its payload (review of 14 December 2026)', () => {
      const counter = Counter.load('counter-1', 0);
      counter.increment(1, at);
      const [event] = counter.pendingEvents as Writable<DomainEvent<string, { by: number }>>[];

      attempt(() => Object.assign(event as object, { type: 'counter.forged', aggregateVersion: 9 }));
      attempt(() => {
        (event as Writable<DomainEvent<string, { by: number }>>).payload.by = 1000;
      });

      expect(counter.pendingEvents).toEqual([expect.objectContaining({ type: 'counter.incremented', aggregateVersion: 1, payload: { by: 1 } })]);
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
