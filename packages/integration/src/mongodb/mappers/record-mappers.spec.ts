import { Decimal, Money } from '@invoicing/core';
import { SYSTEM_ACTOR, runAs } from '../../events/event-origin';
import { eventToDomain, eventToPersistence, outboxEntryOf, storedEventOf } from './domain-event.mapper';
import { recordToDomain, recordToPersistence } from './idempotency-record.mapper';
import { hintedSequence, reservationToPersistence, reservedSequence } from './number-reservation.mapper';
import { EVENT_FIXTURE, FIXTURE_TENANT } from './stored-format-1.data';
import { UnsupportedStoredFormatError } from './stored-format';
import { moneyToDomain, toBigInt, type AllFieldsOf } from './value.mapper';

describe('domain event mapper', () => {
  describe('eventToDomain', () => {
    it('reads an outbox entry stored without _v as format 1', () => {
      expect(eventToDomain(EVENT_FIXTURE.stored)).toEqual(EVENT_FIXTURE.event);
    });

    it('refuses an entry of an unknown format', () => {
      expect(() => eventToDomain({ ...EVENT_FIXTURE.stored, _v: 3 })).toThrow(UnsupportedStoredFormatError);
      expect(() => eventToDomain({ ...EVENT_FIXTURE.stored, _v: 3 })).toThrow(/outbox event acme\/inv-1\/5\/0 is stored in format 3/);
    });
  });

  describe('eventToPersistence', () => {
    it('writes the entry as format 1 stored it, marked _v: 2, with the system as actor outside any request, and reads it back', () => {
      expect(eventToPersistence(EVENT_FIXTURE.event)).toEqual({ ...EVENT_FIXTURE.stored, _v: 2, actor: SYSTEM_ACTOR });
      expect(eventToDomain(eventToPersistence(EVENT_FIXTURE.event))).toEqual({ ...EVENT_FIXTURE.event, actor: SYSTEM_ACTOR });
    });

    it('stamps the actor and request id of the work storing the event, unless the event names its own', () => {
      const origin = { actor: { type: 'user' as const, id: 'u-7', name: 'alice' }, requestId: 'req-42' };
      expect(runAs(origin, () => eventToPersistence(EVENT_FIXTURE.event))).toMatchObject({ actor: origin.actor, requestId: 'req-42' });
      const own = { ...EVENT_FIXTURE.event, actor: { type: 'system' as const, id: 'billing-run' } };
      expect(runAs(origin, () => eventToDomain(eventToPersistence(own)))).toEqual({ ...own, requestId: 'req-42' });
    });

    it('writes an outbox entry as one string holding the stored event, which reads back in either format', () => {
      const entry = outboxEntryOf(EVENT_FIXTURE.event);
      expect(typeof entry).toBe('string');
      expect(storedEventOf(entry)).toEqual({ ...EVENT_FIXTURE.stored, _v: 2, actor: SYSTEM_ACTOR });
      expect(eventToDomain(storedEventOf(entry))).toEqual({ ...EVENT_FIXTURE.event, actor: SYSTEM_ACTOR });
      expect(storedEventOf(EVENT_FIXTURE.stored)).toBe(EVENT_FIXTURE.stored);
    });

    it('keeps dates and drops undefined members of the payload', () => {
      const at = new Date('2026-02-01T00:00:00Z');
      const stored = eventToPersistence({ ...EVENT_FIXTURE.event, payload: { at, reason: undefined, tags: ['a', null] } });
      expect(stored.payload).toEqual({ at, tags: ['a', null] });
      expect(stored.payload).not.toHaveProperty('reason');
    });

    it('refuses a payload holding a value without an agreed encoding instead of guessing one', () => {
      expect(() => eventToPersistence({ ...EVENT_FIXTURE.event, payload: { amount: Money.of('1.00', 'EUR') } })).toThrow(/payload\.amount is not JSON data \(Money\)/);
      expect(() => eventToPersistence({ ...EVENT_FIXTURE.event, payload: { rate: [new Decimal('1.5')] } })).toThrow(/payload\.rate\[0\]/);
      expect(() => eventToPersistence({ ...EVENT_FIXTURE.event, payload: { count: 1n } })).toThrow(TypeError);
    });
  });
});

describe('number reservation mapper', () => {
  const reservation = { tenantId: FIXTURE_TENANT, series: 'INV', documentId: 'inv-1', sequence: 42, reservedAt: new Date('2026-01-15T09:00:00Z') };

  it('writes a reservation with every field and _v: 2', () => {
    expect(reservationToPersistence(reservation)).toEqual({ _v: 2, ...reservation });
  });

  it('reads the number of a reservation or hint stored without _v, and refuses an unknown format', () => {
    expect(reservedSequence({ sequence: 42 }, 'acme/INV/inv-1')).toBe(42);
    expect(hintedSequence({ last: 42 }, 'acme/INV')).toBe(42);
    expect(() => reservedSequence({ _v: 3, sequence: 42 }, 'acme/INV/inv-1')).toThrow(UnsupportedStoredFormatError);
    expect(() => hintedSequence({ _v: 3, last: 42 }, 'acme/INV')).toThrow(UnsupportedStoredFormatError);
  });
});

describe('idempotency record mapper', () => {
  const record = {
    tenantId: FIXTURE_TENANT,
    key: 'key-1',
    fingerprint: 'POST /invoices abc',
    state: 'completed' as const,
    response: { status: 201, headers: { location: '/invoices/inv-1' }, body: { $ref: 'x', 'a.b': 1 } },
    createdAt: new Date('2026-01-15T09:00:00Z'),
    expiresAt: new Date('2026-01-16T09:00:00Z'),
  };

  it('stores the response as JSON text (bodies may hold keys BSON refuses) and reads it back', () => {
    const stored = recordToPersistence(record);
    expect(stored).toEqual({ ...record, _v: 2, response: JSON.stringify(record.response) });
    expect(recordToDomain(stored)).toEqual(record);
  });

  it('reads a record stored without _v and leaves a missing response out', () => {
    const { response: _response, ...started } = record;
    expect(recordToDomain({ ...started, state: 'in_progress' })).toEqual({ ...started, state: 'in_progress' });
    expect(recordToPersistence({ ...started, state: 'in_progress' })).not.toHaveProperty('response');
  });

  it('refuses a record of an unknown format', () => {
    expect(() => recordToDomain({ ...recordToPersistence(record), _v: 3 })).toThrow(/idempotency_keys acme\/key-1 is stored in format 3/);
  });
});

describe('value mappers', () => {
  it('reads minor units however the driver promoted the Int64', () => {
    expect(moneyToDomain({ minor: 1250n, currency: 'EUR' })).toEqual(Money.of('12.50', 'EUR'));
    expect(toBigInt(1250)).toBe(1250n);
    expect(toBigInt({ toBigInt: () => 1250n })).toBe(1250n);
    expect(() => toBigInt(12.5)).toThrow(/not a 64-bit integer/);
  });

  it('makes a mapper that does not name every field of its domain type a compile error', () => {
    const named = { kind: 'company', legalName: 'Acme' } satisfies AllFieldsOf<{ kind: string; legalName: string }>;
    // @ts-expect-error `tradingName` (optional in the domain) is not named: tsc refuses the mapper
    const missing = { kind: 'company', legalName: 'Acme' } satisfies AllFieldsOf<{ kind: string; legalName: string; tradingName?: string }>;
    // @ts-expect-error `name` is not a field of the domain type (a rename left behind): tsc refuses it too
    const renamed = { kind: 'company', name: 'Acme' } satisfies AllFieldsOf<{ kind: string; legalName: string }>;
    expect([named, missing, renamed]).toHaveLength(3);
  });
});
