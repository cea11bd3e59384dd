import { describe, expect, it } from '@jest/globals';
import { checkJsonComplexity, JSON_LIMITS } from './json-body';

const refusal = (text: string, limits = JSON_LIMITS) => {
  try {
    checkJsonComplexity(text, limits);
    return undefined;
  } catch (error) {
    return error as { status: number; code: string };
  }
};

describe('checkJsonComplexity', () => {
  const small = { maxDepth: 3, maxMembers: 4, maxStringLength: 5 };

  it('takes a body within every limit, whatever its strings hold', () => {
    expect(refusal('{"a":[1,2,{"b":"[[[[,,,,"}]}', { ...small, maxStringLength: 8 })).toBeUndefined();
    expect(refusal('{"s":"\\"[[[[\\""}', { ...small, maxStringLength: 12 })).toBeUndefined();
  });

  it('refuses nesting beyond maxDepth with request.too_deep, however short the body', () => {
    expect(refusal('[[[1]]]', small)).toBeUndefined();
    expect(refusal('[[[[1]]]]', small)).toMatchObject({ status: 400, code: 'request.too_deep' });
    expect(refusal(`${'['.repeat(100_000)}`)).toMatchObject({ code: 'request.too_deep' });
  });

  it('refuses more members than maxMembers in one array or object with request.too_complex', () => {
    expect(refusal('[1,2,3,4]', small)).toBeUndefined();
    expect(refusal('[1,2,3,4,5]', small)).toMatchObject({ status: 400, code: 'request.too_complex' });
    expect(refusal('{"a":1,"b":2,"c":3,"d":4,"e":5}', small)).toMatchObject({ code: 'request.too_complex' });
    // Members of nested containers count for their own container only.
    expect(refusal('[[1,2,3],[1,2,3],[1,2,3],[1,2,3]]', small)).toBeUndefined();
  });

  it('refuses a string or key longer than maxStringLength with request.too_complex, even unterminated', () => {
    expect(refusal('["abcde"]', small)).toBeUndefined();
    expect(refusal('["abcdef"]', small)).toMatchObject({ code: 'request.too_complex' });
    expect(refusal('{"abcdef":1}', small)).toMatchObject({ code: 'request.too_complex' });
    expect(refusal('["abcdefgh', small)).toMatchObject({ code: 'request.too_complex' });
  });

  it('holds the documented limits: depth 32, 10 000 members, 65 536 characters', () => {
    expect(JSON_LIMITS).toEqual({ maxDepth: 32, maxMembers: 10_000, maxStringLength: 65_536 });
    expect(refusal(`[${'0,'.repeat(9_999)}0]`)).toBeUndefined();
    expect(refusal(`[${'0,'.repeat(10_000)}0]`)).toMatchObject({ code: 'request.too_complex' });
    expect(refusal(`${'['.repeat(32)}${']'.repeat(32)}`)).toBeUndefined();
  });
});
