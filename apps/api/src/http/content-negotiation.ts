import type { FastifyRequest } from 'fastify';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from './problem';

/** What the API's JSON routes answer: their resources, and problems. */
export const JSON_MEDIA_TYPES: readonly string[] = ['application/json', PROBLEM_CONTENT_TYPE];
/** What the docs site's pages answer. */
export const HTML_MEDIA_TYPES: readonly string[] = ['text/html'];

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly quality: number;
}

const TOKEN = "[a-z0-9!#$%&'*+.^_`|~-]+";
const RANGE = new RegExp(`^(${TOKEN})/(${TOKEN})$`, 'i');
const QUALITY = /^q=((?:0(?:\.\d{0,3})?)|(?:1(?:\.0{0,3})?))$/i;

/** The media ranges of an `Accept` header; a malformed one matches nothing. */
function mediaRanges(header: string): MediaRange[] {
  return header.split(',').flatMap((part) => {
    const [range = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    const match = RANGE.exec(range);
    if (!match) return [];
    const quality = parameters.map((parameter) => QUALITY.exec(parameter)?.[1]).find((value) => value !== undefined);
    return [{ type: (match[1] ?? '').toLowerCase(), subtype: (match[2] ?? '').toLowerCase(), quality: quality === undefined ? 1 : Number(quality) }];
  });
}

/** A full type is more specific than a type with any subtype, which is more specific than any type. */
function specificity(range: MediaRange): number {
  if (range.type === '*') return 0;
  return range.subtype === '*' ? 1 : 2;
}

/**
 * Whether an `Accept` header (RFC 9110 §12.5.1) allows one of `offered`: for each offered type, the most specific
 * range that matches it decides its quality, and quality 0 refuses it. No header, or an empty one, allows anything.
 */
export function acceptsOneOf(header: string | undefined, offered: readonly string[]): boolean {
  if (header === undefined || header.trim() === '') return true;
  const ranges = mediaRanges(header);
  return offered.some((mediaType) => {
    const [type, subtype] = mediaType.split('/');
    const matching = ranges.filter((range) => (range.type === '*' && range.subtype === '*') || (range.type === type && (range.subtype === '*' || range.subtype === subtype)));
    const decisive = matching.sort((left, right) => specificity(right) - specificity(left))[0];
    return decisive !== undefined && decisive.quality > 0;
  });
}

/**
 * An `onRequest` hook that answers 406 `request.not_acceptable` when the request's `Accept` allows nothing its route
 * answers, before authentication and before the handler runs. `mediaTypesOf(route)` names what a route (its URL
 * pattern) answers; a route it does not name (static files) is served as it is, and an unknown path stays a 404.
 */
export function notAcceptableHook(mediaTypesOf: (route: string) => readonly string[] | undefined): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const route = request.routeOptions.url;
    const offered = route === undefined ? undefined : mediaTypesOf(route);
    if (offered === undefined || acceptsOneOf(request.headers.accept, offered)) return;
    const path = request.url.split('?')[0] ?? '/';
    throw new HttpProblem(406, 'request.not_acceptable', `${path} answers ${offered.join(' or ')}, which the Accept header does not allow; send Accept: ${offered[0]}.`, {
      acceptable: offered,
    });
  };
}
