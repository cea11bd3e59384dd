import { describe, expect, it } from '@jest/globals';
import { ID_GENERATOR, UuidV7IdGenerator, parseId, tenantId, type Id } from './id';

const validationError = (code: string) => expect.objectContaining({ name: 'ValidationError', code });
/** RFC 9562: version nibble 7, variant bits 10. */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('parseId', () => {
  it.each(['a', 'inv-1', 'INV_2026.0001', 'urn:partner:42', '0190a5c2-7b3e-7c1d-8f00-123456789abc', 'x'.repeat(128)])('accepts %j', (value) => {
    expect(parseId<'Invoice'>(value)).toBe(value);
  });

  it.each(['', '-leading-dash', '.hidden', 'has space', 'slash/inside', 'x'.repeat(129), 'é', 'a\n', '{"$ne":null}'])('throws id.malformed for %j', (value) => {
    expect(() => parseId(value)).toThrow(validationError('id.malformed'));
  });

  it('throws id.malformed for a value that is not a string', () => {
    for (const value of [42, null, undefined, { $ne: null }]) {
      expect(() => parseId(value as never)).toThrow(validationError('id.malformed'));
    }
  });

  it('reports the issue under the given path, or under id by default', () => {
    expect(() => parseId('', 'partnerId')).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'partnerId' })] }));
    expect(() => parseId('')).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'id' })] }));
  });
});

describe('tenantId', () => {
  it('accepts a valid id', () => {
    expect(tenantId('acme')).toBe('acme');
  });

  it('throws id.malformed under the path tenantId for an invalid one', () => {
    expect(() => tenantId('a b')).toThrow(
      expect.objectContaining({ code: 'id.malformed', issues: [expect.objectContaining({ path: 'tenantId' })] }),
    );
  });
});

describe('UuidV7IdGenerator', () => {
  describe('next', () => {
    it('makes RFC 9562 version 7 UUIDs', () => {
      const id = new UuidV7IdGenerator().next<'Invoice'>();

      expect(id).toMatch(UUID_V7);
      expect(parseId(id)).toBe(id);
    });

    it('puts the creation time, in milliseconds, in the first 48 bits', () => {
      const before = Date.now();
      const id = new UuidV7IdGenerator().next();
      const after = Date.now();
      const stamp = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

      expect(stamp).toBeGreaterThanOrEqual(before);
      expect(stamp).toBeLessThanOrEqual(after);
    });

    it('makes unique ids that sort in creation order, also within one millisecond and across milliseconds', () => {
      const generator = new UuidV7IdGenerator();
      const ids: Id<'Invoice'>[] = [];
      const started = Date.now();
      // Enough ids to span several milliseconds on any machine, and many within one.
      while (ids.length < 1_000 || Date.now() - started < 3) ids.push(generator.next<'Invoice'>());

      for (const id of ids) expect(id).toMatch(UUID_V7);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(ids);
      const stamps = new Set(ids.map((id) => id.slice(0, 13)));
      expect(stamps.size).toBeGreaterThan(1);
    });
  });
});

describe('ID_GENERATOR', () => {
  it('is a registered symbol, so two copies of the package bind the same token', () => {
    expect(Symbol.keyFor(ID_GENERATOR)).toBe('@invoicing/core/IdGenerator');
  });
});
