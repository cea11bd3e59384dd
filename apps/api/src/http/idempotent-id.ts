import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Id } from '@invoicing/core';
import type { FastifyRequest } from 'fastify';
import { IDEMPOTENCY_KEY_HEADER, fingerprintOf } from './idempotency.interceptor';

/**
 * The id of what a creating request with an `Idempotency-Key` creates, derived from the tenant, the kind of thing
 * created and the key: an RFC 9562 UUIDv8 holding the first 122 bits of their SHA-256. Every attempt of the same
 * request gets the same id, so the effect's own insert (unique per tenant and id) is the idempotency guard: a retry
 * after a lost answer, a 5xx, a timeout or a crash finds what the first attempt stored instead of creating it twice.
 * Not secret and not guessable without the key; distinct tenants or kinds never share an id.
 */
export function idempotentId<Brand extends string>(tenantId: string, kind: Brand, key: string, fingerprint = ''): Id<Brand> {
  const hash = createHash('sha256').update(`${tenantId}\u0000${kind}\u0000${key}\u0000${fingerprint}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x80; // version 8
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80; // variant 10
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as Id<Brand>;
}

function derive(context: ExecutionContext, kind: string, withRequest: boolean): string | undefined {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const key = request.headers[IDEMPOTENCY_KEY_HEADER];
  const tenantId = request.principal?.tenantId;
  if (typeof key !== 'string' || !tenantId) return undefined;
  return idempotentId(tenantId, kind, key, withRequest ? fingerprintOf(request) : '');
}

/**
 * Handler parameter: the id {@link idempotentId} derives for this request's `Idempotency-Key`, or `undefined` without
 * one (the use case then makes a new id). Only on `@Idempotent()` routes, whose interceptor has checked the key. The
 * use case must check that what it finds under the id was made by the same request (payments, refunds, credit notes
 * compare what is stored with the command: another request under the key is 422 `idempotency.key_reused`).
 */
export const IdempotentId = createParamDecorator((kind: string, context: ExecutionContext) => derive(context, kind, false));

/**
 * Handler parameter: as {@link IdempotentId}, but the request itself (method, URL, canonical body: the key's
 * fingerprint) is hashed in too, so a stored aggregate under the id was made by this very request and is simply
 * answered. For creations whose stored state cannot be compared with the command (partners, marketables,
 * partnerships, drafts). Another request under the same key gets another id: it is refused 422 while the key's record
 * lasts, and would create its own aggregate once a 5xx freed the key (the client broke the key's contract).
 */
export const IdempotentRequestId = createParamDecorator((kind: string, context: ExecutionContext) => derive(context, kind, true));
