import { describe, expect, it } from '@jest/globals';
import { AggregateRoot, tenantId, type DomainEvent, type TenantId } from '@invoicing/core';
import { tamperWith } from '../tamper';
import { InMemoryCollection } from './in-memory-database';

/** A state as an aggregate that does not freeze its own would hand it over: plain, mutable, with Dates inside (Money and Decimal, immutable values, are kept as they are). */
interface NoteState {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly version: number;
  readonly tags: string[];
  readonly review: { by: string; at: Date; steps: { name: string }[] };
  readonly createdAt: Date;
}

class Note extends AggregateRoot {
  readonly aggregateType = 'note';

  constructor(readonly state: NoteState) {
    super(state.tenantId, state.id, state.version);
    this.raise('note.written', { noteId: state.id, review: state.review }, state.createdAt);
  }
}

const tenant = tenantId('acme');
const at = new Date('2026-02-01T10:00:00Z');

function aNote(id = 'note-1'): NoteState {
  return { tenantId: tenant, id, version: 0, tags: ['a', 'b'], review: { by: 'alice', at: new Date(at), steps: [{ name: 'read' }] }, createdAt: new Date(at) };
}

describe('InMemoryCollection', () => {
  describe('save', () => {
    it('stores a copy: changing the state or the events it was given afterwards changes nothing stored (review of 12 December 2026)', () => {
      const events: DomainEvent[] = [];
      const collection = new InMemoryCollection<NoteState>(events);
      const state = aNote();
      const note = new Note(state);
      const event = note.pendingEvents[0] as DomainEvent;

      collection.save(note, state);
      tamperWith(state);
      tamperWith(event);

      expect(collection.get(tenant, 'note-1')).toEqual({ ...aNote(), version: 1 });
      expect(events).toEqual([expect.objectContaining({ type: 'note.written', occurredAt: at, payload: { noteId: 'note-1', review: aNote().review } })]);
    });
  });

  describe('get and all', () => {
    it('hand out copies: changing what they returned changes nothing stored (review of 12 December 2026)', () => {
      const collection = new InMemoryCollection<NoteState>([]);
      collection.save(new Note(aNote('note-1')), aNote('note-1'));
      collection.save(new Note(aNote('note-2')), aNote('note-2'));

      tamperWith(collection.get(tenant, 'note-1'));
      tamperWith(collection.all(tenant));

      expect(collection.all(tenant)).toEqual([
        { ...aNote('note-1'), version: 1 },
        { ...aNote('note-2'), version: 1 },
      ]);
    });
  });
});
