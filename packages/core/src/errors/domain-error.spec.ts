import { describe, expect, it } from '@jest/globals';
import { ConflictError, DomainError, InvalidStateError, NotFoundError, ValidationError, atPath, collectIssues } from './domain-error';

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the function to throw');
}

describe('DomainError', () => {
  describe('constructor', () => {
    it('keeps the stable code, the message and the details when given all three', () => {
      const error = new DomainError('invoice.already_issued', 'invoice 42 is already issued', { invoiceId: '42' });

      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe('invoice.already_issued');
      expect(error.message).toBe('invoice 42 is already issued');
      expect(error.details).toEqual({ invoiceId: '42' });
      expect(error.name).toBe('DomainError');
    });

    it('defaults the details to an empty object when none are given', () => {
      expect(new DomainError('x.y', 'm').details).toEqual({});
    });
  });
});

describe('ValidationError', () => {
  describe('of', () => {
    it('uses the issue code as the error code when there is a single issue', () => {
      const error = ValidationError.of('amount', 'money.malformed', 'not a decimal');

      expect(error).toBeInstanceOf(DomainError);
      expect(error.name).toBe('ValidationError');
      expect(error.code).toBe('money.malformed');
      expect(error.issues).toEqual([{ path: 'amount', code: 'money.malformed', message: 'not a decimal' }]);
      expect(error.details).toEqual({ issues: error.issues });
    });

    it('prefixes the message with the path when the path is not empty', () => {
      expect(ValidationError.of('amount', 'money.malformed', 'not a decimal').message).toBe('amount: not a decimal');
    });

    it('leaves the message bare when the path is empty', () => {
      expect(ValidationError.of('', 'decimal.malformed', 'not a decimal').message).toBe('not a decimal');
    });
  });

  describe('constructor', () => {
    it('uses validation.failed and joins every message when there are several issues', () => {
      const error = new ValidationError([
        { path: 'name', code: 'partner.name_missing', message: 'is required' },
        { path: '', code: 'input.empty', message: 'nothing given' },
      ]);

      expect(error.code).toBe('validation.failed');
      expect(error.message).toBe('name: is required; nothing given');
      expect(error.issues).toHaveLength(2);
    });

    it('uses validation.failed when there is no issue at all', () => {
      expect(new ValidationError([]).code).toBe('validation.failed');
    });

    it('keeps an explicit code over the one derived from the issues', () => {
      expect(new ValidationError([{ path: 'a', code: 'a.bad', message: 'm' }], 'command.invalid').code).toBe('command.invalid');
    });
  });

  describe('prefixed', () => {
    it('puts the prefix before each non-empty path and in place of empty ones', () => {
      const error = new ValidationError([
        { path: 'quantity', code: 'decimal.malformed', message: 'bad' },
        { path: '', code: 'line.empty', message: 'empty' },
      ]).prefixed('lines.2');

      expect(error.issues.map((issue) => issue.path)).toEqual(['lines.2.quantity', 'lines.2']);
      expect(error.issues.map((issue) => issue.code)).toEqual(['decimal.malformed', 'line.empty']);
      expect(error.message).toBe('lines.2.quantity: bad; lines.2: empty');
    });

    it('keeps the code of the original error', () => {
      const original = ValidationError.of('x', 'money.malformed', 'bad');

      expect(original.prefixed('lines.0').code).toBe('money.malformed');
    });

    it('returns a new error and leaves the original unchanged', () => {
      const original = ValidationError.of('x', 'a.b', 'bad');
      original.prefixed('p');

      expect(original.issues[0]?.path).toBe('x');
    });
  });
});

describe('NotFoundError', () => {
  describe('constructor', () => {
    it('builds the code <resource>.not_found and names resource and id in the details', () => {
      const error = new NotFoundError('invoice', 'inv-1');

      expect(error).toBeInstanceOf(DomainError);
      expect(error.name).toBe('NotFoundError');
      expect(error.code).toBe('invoice.not_found');
      expect(error.message).toBe('invoice inv-1 was not found');
      expect(error.details).toEqual({ resource: 'invoice', id: 'inv-1' });
    });
  });
});

describe('ConflictError', () => {
  describe('constructor', () => {
    it('is a DomainError with its own name and the given code and details', () => {
      const error = new ConflictError('invoice.stale_version', 'stale', { expected: 3 });

      expect(error).toBeInstanceOf(DomainError);
      expect(error.name).toBe('ConflictError');
      expect(error.code).toBe('invoice.stale_version');
      expect(error.details).toEqual({ expected: 3 });
    });
  });
});

describe('InvalidStateError', () => {
  describe('constructor', () => {
    it('is a DomainError with its own name and the given code', () => {
      const error = new InvalidStateError('invoice.already_issued', 'already issued');

      expect(error).toBeInstanceOf(DomainError);
      expect(error).not.toBeInstanceOf(ConflictError);
      expect(error.name).toBe('InvalidStateError');
      expect(error.code).toBe('invoice.already_issued');
    });
  });
});

describe('atPath', () => {
  it('returns what the parser returns', () => {
    expect(atPath('rate', () => 20)).toBe(20);
  });

  it('reports the issues of a ValidationError under the path', () => {
    const error = thrownBy(() => atPath('instalments.1', () => { throw ValidationError.of('percent', 'decimal.malformed', 'bad'); }));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(['instalments.1.percent']);
    expect((error as ValidationError).code).toBe('decimal.malformed');
  });

  it('lets any other error through unchanged', () => {
    const notFound = new NotFoundError('partner', 'p-1');

    expect(thrownBy(() => atPath('partner', () => { throw notFound; }))).toBe(notFound);
  });
});

describe('collectIssues', () => {
  const positive = (value: number): number => {
    if (value <= 0) throw ValidationError.of('', 'number.not_positive', `${value} is not positive`);
    return value;
  };

  it('returns what the builder returns when every attempt succeeds', () => {
    const result = collectIssues((attempt) => ({ a: attempt('a', () => positive(1)), b: attempt('b', () => positive(2)) }));

    expect(result).toEqual({ a: 1, b: 2 });
  });

  it('throws one ValidationError with every field issue, each under its path, when several attempts fail', () => {
    const error = thrownBy(() =>
      collectIssues((attempt) => ({
        a: attempt('a', () => positive(-1)),
        b: attempt('b', () => positive(5)),
        c: attempt('lines.0', () => positive(0)),
      })),
    );

    expect(error).toBeInstanceOf(ValidationError);
    const validation = error as ValidationError;
    expect(validation.code).toBe('validation.failed');
    expect(validation.issues).toEqual([
      { path: 'a', code: 'number.not_positive', message: '-1 is not positive' },
      { path: 'lines.0', code: 'number.not_positive', message: '0 is not positive' },
    ]);
  });

  it('keeps the precise code when exactly one field fails', () => {
    const error = thrownBy(() => collectIssues((attempt) => attempt('a', () => positive(-1))));

    expect((error as ValidationError).code).toBe('number.not_positive');
  });

  it('keeps nested paths when a failing field itself reports a path', () => {
    const error = thrownBy(() =>
      collectIssues((attempt) => attempt('lines.1', () => collectIssues((inner) => inner('quantity', () => positive(0))))),
    );

    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(['lines.1.quantity']);
  });

  it('rethrows an error that is not a ValidationError at once, without running later attempts', () => {
    const boom = new Error('database down');
    let laterRan = false;

    const error = thrownBy(() =>
      collectIssues((attempt) => {
        attempt('a', () => {
          throw boom;
        });
        laterRan = true;
        return attempt('b', () => 1);
      }),
    );

    expect(error).toBe(boom);
    expect(laterRan).toBe(false);
  });

  it('rethrows a DomainError that is not a ValidationError unchanged', () => {
    const notFound = new NotFoundError('partner', 'p-1');

    expect(thrownBy(() => collectIssues((attempt) => attempt('partner', () => { throw notFound; })))).toBe(notFound);
  });
});
