import { createParamDecorator, type CallHandler, type CanActivate, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import type { ExpectedVersion } from '@invoicing/core';
import { HttpProblem } from './problem';

/** What `If-Match` asks of a write, passed down as the use case's `expectedVersion`. */
export type { ExpectedVersion };

/** A resource's entity tag is its version: it changes with every stored change. */
export function etagOf(version: number): string {
  return `"${version}"`;
}


/** One member of an `If-Match` list (RFC 9110 §8.8.3, §5.6.1): an entity tag or nothing (an empty member), then `,` or the end. */
const LIST_MEMBER = /[ \t]*(?:(W\/)?"([\x21\x23-\x7e]*)")?[ \t]*(?:,|$)/y;
/** The opaque part of a tag `etagOf` gives: compared as text, so `"04"` is not `"4"`. */
const VERSION_TAG = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * The versions an `If-Match` field names (`*`: any), or `undefined` when it is no `*` nor list of entity tags. Strong
 * comparison (RFC 9110 §8.8.3.2): a weak tag never matches, so it names no version.
 */
export function ifMatchVersions(field: string): '*' | number[] | undefined {
  if (field.trim() === '*') return '*';
  const versions = new Set<number>();
  let tags = 0;
  LIST_MEMBER.lastIndex = 0;
  while (LIST_MEMBER.lastIndex < field.length) {
    const member = LIST_MEMBER.exec(field);
    if (!member) return undefined;
    const [, weak, opaque] = member;
    if (opaque === undefined) continue;
    tags += 1;
    if (!weak && VERSION_TAG.test(opaque)) versions.add(Number(opaque));
  }
  return tags === 0 ? undefined : [...versions];
}

/** Metadata on a handler that takes `@IfMatch()`: it evaluates the header, and IfMatchGuard lets it through. */
const EVALUATES_IF_MATCH = 'invoicing:evaluates-if-match';

/** How a route treats the target `If-Match` names. */
export interface IfMatchOptions {
  /**
   * The route creates its target when there is none (PUT of a billing plan): `*` then reaches the use case as `'*'`,
   * which must refuse it without one. Otherwise the target must exist, and a missing one is 404 before any condition.
   */
  readonly creates?: boolean;
}

/**
 * The version(s) an `If-Match` header asks for (`undefined` without the header). `*` is true when the target exists
 * (RFC 9110 §13.1.1): where a missing target is 404 anyway, that is no condition (`undefined`); where the route
 * creates it (`{ creates: true }`), `'*'`. The use case refuses any other version in the guarded write itself, and
 * the error becomes 412; a missing resource stays 404.
 */
export const IfMatch = createParamDecorator(
  (options: IfMatchOptions | undefined, context: ExecutionContext): ExpectedVersion | '*' | undefined => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['if-match'];
    if (header === undefined) return undefined;
    const versions = ifMatchVersions(header);
    if (versions === undefined) {
      throw new HttpProblem(400, 'precondition.malformed', 'If-Match must be "*" or entity tags from ETag headers, separated by commas, e.g. If-Match: "3".');
    }
    if (versions === '*') {
      request.conditional = '*';
      return options?.creates === true ? '*' : undefined;
    }
    request.conditional = true;
    return versions.length === 1 ? (versions[0] as number) : versions;
  },
  [
    (target, key) => {
      if (key !== undefined) Reflect.defineMetadata(EVALUATES_IF_MATCH, true, (target as Record<string | symbol, object>)[key] as object);
    },
  ],
);

/**
 * A request may carry `If-Match` only to a route that evaluates it (`@IfMatch()`): elsewhere it is refused before
 * anything runs, since going ahead would ignore the condition (RFC 9110 §13.1.1), stale or not.
 */
export class IfMatchGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.headers['if-match'] === undefined || this.reflector.get<boolean | undefined>(EVALUATES_IF_MATCH, context.getHandler())) return true;
    throw new HttpProblem(400, 'precondition.not_supported', `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]} does not take If-Match: send it only where the reference lists it.`);
  }
}

/** Puts `ETag` on every answer that is one versioned resource. */
export class EtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((body: unknown) => {
        const version = (body as { version?: unknown } | null)?.version;
        if (typeof version === 'number' && Number.isInteger(version)) void context.switchToHttp().getResponse<FastifyReply>().header('etag', etagOf(version));
        return body;
      }),
    );
  }
}
