import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problem';

/** How complex a JSON body may be (docs/errors.md, `request.too_deep` and `request.too_complex`). */
export interface JsonLimits {
  /** Arrays and objects nested in each other, the outermost counting 1. */
  readonly maxDepth: number;
  /** Members of one object or items of one array. */
  readonly maxMembers: number;
  /** Characters of one string (a key or a value), as sent, escapes included. */
  readonly maxStringLength: number;
}

/**
 * Far beyond any body the API takes (its deepest DTO nests 5 levels, its longest list 10 000 invoice lines, its
 * longest text a few hundred characters), and far below what overflows the stack of the recursive code a body meets
 * after parsing (the idempotency fingerprint, Nest's `stripProtoKeys`, class-transformer).
 */
export const JSON_LIMITS: JsonLimits = { maxDepth: 32, maxMembers: 10_000, maxStringLength: 65_536 };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN = new Set([0x5b, 0x7b]);
const CLOSE = new Set([0x5d, 0x7d]);

/**
 * Measures a JSON text in one loop, without parsing or recursion, and throws a 400 problem when it exceeds `limits`.
 * The text need not be valid JSON (the parser refuses that afterwards); it is only counted.
 */
export function checkJsonComplexity(text: string, limits: JsonLimits = JSON_LIMITS): void {
  // Commas seen in each open container: a container with n commas holds n + 1 members.
  const commas: number[] = [];
  let stringStart = -1;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (stringStart >= 0) {
      if (char === BACKSLASH) index += 1;
      else if (char === QUOTE) {
        if (index - stringStart - 1 > limits.maxStringLength) throw tooComplex(`a string is longer than ${limits.maxStringLength} characters`, limits);
        stringStart = -1;
      }
    } else if (char === QUOTE) stringStart = index;
    else if (OPEN.has(char)) {
      if (commas.length >= limits.maxDepth) {
        throw new HttpProblem(400, 'request.too_deep', `The JSON body nests arrays and objects more than ${limits.maxDepth} levels deep.`, { maxDepth: limits.maxDepth });
      }
      commas.push(0);
    } else if (CLOSE.has(char)) commas.pop();
    else if (char === COMMA && commas.length > 0) {
      const count = (commas[commas.length - 1] ?? 0) + 1;
      if (count >= limits.maxMembers) throw tooComplex(`an array or object has more than ${limits.maxMembers} members`, limits);
      commas[commas.length - 1] = count;
    }
  }
  if (stringStart >= 0 && text.length - stringStart - 1 > limits.maxStringLength) throw tooComplex(`a string is longer than ${limits.maxStringLength} characters`, limits);
}

function tooComplex(what: string, limits: JsonLimits): HttpProblem {
  return new HttpProblem(400, 'request.too_complex', `The JSON body is too complex: ${what}.`, { limits });
}

/**
 * Replaces Fastify's JSON parser with one that measures the body first ({@link checkJsonComplexity}), then parses it
 * as Fastify does (refusing `__proto__` and `constructor.prototype`). Bodies of any other media type, `text/plain`
 * included, are refused with 415: the API takes JSON only.
 */
export function useJsonBodies(fastify: FastifyInstance, limits: JsonLimits = JSON_LIMITS): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      checkJsonComplexity(body as string, limits);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    parse(request, body as string, done);
  });
}
