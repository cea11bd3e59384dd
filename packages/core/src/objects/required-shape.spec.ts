import { describe, expect, it } from '@jest/globals';
import { ValidationError, atPath } from '../errors/domain-error';
import { requiredList, requiredObject } from './required-shape';

const refusal = (run: () => unknown): ValidationError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, none was thrown');
};

describe('requiredObject', () => {
  it('returns an object as given', () => {
    const given = { a: 1 };

    expect(requiredObject(given, 'line')).toBe(given);
    expect(requiredObject(new Date(0))).toEqual(new Date(0));
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'null'],
    ['undefined', undefined, 'nothing'],
    ['a string', 'x', 'a string'],
    ['a number', 5, 'a number'],
    ['a boolean', false, 'a boolean'],
    ['a list', [], 'a list'],
  ])('refuses %s with request.is_object at the path', (_case, value, got) => {
    const error = refusal(() => requiredObject(value, 'lines.0'));

    expect(error.issues).toEqual([{ path: 'lines.0', code: 'request.is_object', message: `must be an object, not ${got}` }]);
    expect(error.code).toBe('request.is_object');
  });

  it('reports under the path its caller knows the value by', () => {
    expect(refusal(() => atPath('terms', () => requiredObject(null, 'charges.0'))).issues[0]?.path).toBe('terms.charges.0');
    expect(refusal(() => requiredObject(null)).issues[0]?.path).toBe('');
  });
});

describe('requiredList', () => {
  it('returns a list as given', () => {
    const given = [1, 2];

    expect(requiredList(given, 'notes')).toBe(given);
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'null'],
    ['a string', 'abc', 'a string'],
    ['an object', {}, 'an object'],
    ['an object with a length', { length: 1, 0: 'a' }, 'an object'],
  ])('refuses %s with request.is_array at the path', (_case, value, got) => {
    const error = refusal(() => requiredList(value, 'notes'));

    expect(error.issues).toEqual([{ path: 'notes', code: 'request.is_array', message: `must be a list, not ${got}` }]);
  });
});
