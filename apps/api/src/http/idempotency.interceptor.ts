import { createHash } from 'node:crypto';
import { HttpStatus, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { Reflector } from '@nestjs/core';
import type { IdempotencyStore } from '@invoicing/integration';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, type Observable } from 'rxjs';
import { StoredAnswer } from './problem.filter';
import { HttpProblem, RequestValidationError, problemOf } from './problem';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const IDEMPOTENT_KEY = 'invoicing:idempotent';
/** Headers a replay must repeat. */
const KEPT_HEADERS = ['etag', 'location'];

/** How a route honours `Idempotency-Key`. */
export interface IdempotentOptions {
  /**
   * False for an answer that must not be kept (it shows a secret once): the key's record still refuses another
   * request under the key and a concurrent one, but keeps no answer, and a retry runs the handler again, which finds
   * what the key made (its id derives from the key) and decides what to show.
   */
  readonly storeAnswer?: boolean;
}

/** A creating POST that honours `Idempotency-Key`. */
export const Idempotent = (options: IdempotentOptions = {}) => SetMetadata(IDEMPOTENT_KEY, { storeAnswer: options.storeAnswer ?? true });

/** What identifies a request under its key: SHA-256 of its method, URL and canonical JSON body. */
export function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256').update(`${request.method} ${request.url}\n${canonical(request.body ?? null)}`).digest('base64url');
}

/**
 * What a key's record holds: the request's fingerprint and who sent it. A key is its sender's (Stripe keeps keys per
 * API key): another user or client sending it gets 422, never the first sender's answer.
 */
function recordFingerprintOf(request: FastifyRequest): string {
  return createHash('sha256').update(`${request.principal?.subject ?? ''}\n${fingerprintOf(request)}`).digest('base64url');
}

/** JSON with sorted keys: the same body sent with its keys in another order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Stripe's idempotency: the first request with a key runs and its answer is stored (also a refusal, once the request
 * reached the use case); a retry with the same key and body by the same caller gets that answer back
 * (`Idempotent-Replayed: true`), with another body or from another caller 422, while the first is still running 409.
 * Failures that changed nothing (invalid request, server error, a conflict, a refused If-Match, a missing permission)
 * are forgotten, so the retry runs. A route with `storeAnswer: false` keeps no answer: its retries run the handler.
 *
 * The record and the effect are separate writes: a server error may come after the effect was stored, and forgetting
 * the key then lets the retry run again. Where that must never create twice (payments, refunds), the handler takes
 * `@IdempotentId(kind)` (idempotent-id.ts): the created id derives from the tenant and the key, so the effect's own
 * insert refuses the second one and the use case answers what is stored. This record then only replays answers.
 *
 * A failure that cannot be forgotten (the database is down for the record too) leaves the key locked, but only until
 * the attempt that holds it has passed its deadline: the store's lock lasts the request deadline plus a margin
 * (`timeouts.idempotencyLockMs`), then a retry takes the key over. Even if the failed attempt still runs, the retry
 * cannot make a second effect, for the same reason: every creation's id derives from its key.
 */
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
    private readonly typeBase: string,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = request.headers[IDEMPOTENCY_KEY_HEADER];
    const options = this.reflector.get<Required<IdempotentOptions> | undefined>(IDEMPOTENT_KEY, context.getHandler());
    if (key === undefined || !options) return next.handle();
    if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new HttpProblem(400, 'idempotency.key_invalid', 'Idempotency-Key must be 1–255 visible ASCII characters, e.g. a UUID.');
    }
    const tenantId = request.principal?.tenantId;
    if (!tenantId) throw new Error('idempotency needs an authenticated route');
    const fingerprint = recordFingerprintOf(request);
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;

    const startedAt = new Date();
    // Records written before the fingerprint named the caller (7 December 2026) hold the request's alone.
    return from(this.store.begin(tenantId, key, fingerprint, startedAt, fingerprintOf(request))).pipe(
      mergeMap((begun) => {
        switch (begun.outcome) {
          case 'replay':
            if (!options.storeAnswer) return next.handle();
            throw new StoredAnswer(begun.response.status, begun.response.headers, begun.response.body);
          case 'in_progress':
            throw new HttpProblem(409, 'idempotency.in_progress', 'A request with this Idempotency-Key is still being processed; retry in a moment.', {}, { 'retry-after': '1' });
          case 'mismatch':
            throw new HttpProblem(422, 'idempotency.key_reused', 'This Idempotency-Key was used for a different request (method, path or body) or by another caller; use a new key.');
          case 'started':
            return next.handle().pipe(
              mergeMap(async (body: unknown) => {
                await this.store.complete(tenantId, key, { status, headers: keptHeaders(reply), body: options.storeAnswer ? JSON.parse(JSON.stringify(body ?? null)) : null });
                return body;
              }),
              catchError(async (error: unknown) => {
                await this.remember(tenantId, key, startedAt, error, request);
                throw error;
              }),
            );
        }
      }),
    );
  }

  private async remember(tenantId: Parameters<IdempotencyStore['abandon']>[0], key: string, startedAt: Date, error: unknown, request: FastifyRequest): Promise<void> {
    const { problem, headers } = problemOf(error, { typeBase: this.typeBase, instance: request.url.split('?')[0], conditional: request.conditional });
    // A refused If-Match (stale: 412; malformed) changed nothing, like a conflict: the retry with the current version runs.
    const precondition = problem.status === 412 || problem.code === 'precondition.malformed';
    // A refusal for want of a permission changed nothing either, and must not be replayed to a caller who holds it.
    if (error instanceof RequestValidationError || problem.status >= 500 || problem.status === 409 || problem.status === 403 || precondition) {
      await this.store.abandon(tenantId, key, startedAt);
    } else {
      await this.store.complete(tenantId, key, { status: problem.status, headers: { ...headers, 'content-type': 'application/problem+json' }, body: problem });
    }
  }
}

function keptHeaders(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = reply.getHeader(name);
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}
