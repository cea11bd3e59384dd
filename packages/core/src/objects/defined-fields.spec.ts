import { describe, expect, it } from '@jest/globals';
import { definedFields } from './defined-fields';

describe('definedFields', () => {
  it('leaves out the fields whose value is undefined', () => {
    const fields = definedFields({ a: 1, b: undefined as string | undefined, c: 'x' });

    expect(Object.keys(fields)).toEqual(['a', 'c']);
    expect(fields).toStrictEqual({ a: 1, c: 'x' });
  });

  it('keeps null, zero, false and the empty string, which are values', () => {
    expect(definedFields({ a: null, b: 0, c: false, d: '' })).toStrictEqual({ a: null, b: 0, c: false, d: '' });
  });

  it('types a field that may be undefined as optional and keeps the others required', () => {
    const fields = definedFields({ required: 1, maybe: undefined as string | undefined });
    const required: number = fields.required;
    // @ts-expect-error an optional field may be absent
    const maybe: string = fields.maybe;

    expect([required, maybe]).toEqual([1, undefined]);
  });
});
