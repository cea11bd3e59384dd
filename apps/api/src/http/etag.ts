import { createParamDecorator, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { HttpProblem } from './problem';

/** A resource's entity tag is its version: it changes with every stored change. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an `If-Match` header asks for (`undefined` without the header, or with `*`). The use case then refuses
 * a stale version, and the error becomes 412.
 */
export const IfMatch = createParamDecorator((_data: unknown, context: ExecutionContext): number | undefined => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match) throw new HttpProblem(400, 'precondition.malformed', 'If-Match must be one entity tag from an ETag header, e.g. If-Match: "3".');
  request.conditional = true;
  return Number(match[1]);
});

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
