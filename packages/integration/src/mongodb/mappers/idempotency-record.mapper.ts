import type { TenantId } from '@invoicing/core';
import type { StoredResponse } from '../../idempotency/idempotency-store.port';
import { STORED_FORMAT, storedFormatOf } from './stored-format';
import { compact, dateToDomain, type AllFieldsOf } from './value.mapper';

/** An idempotency record: the request a key was first used for, and its response once completed. */
export interface IdempotencyRecord {
  readonly tenantId: TenantId;
  readonly key: string;
  readonly fingerprint: string;
  readonly state: 'in_progress' | 'completed';
  readonly response?: StoredResponse;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** An `idempotency_keys` document. The response is JSON text: a body may hold keys (`$ref`, dotted names) that BSON field names cannot. */
export interface IdempotencyRecordDocument {
  readonly _v?: number;
  readonly tenantId: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly state: 'in_progress' | 'completed';
  readonly response?: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** The stored form of a response (what `complete` sets). */
export function responseToPersistence(response: StoredResponse): string {
  return JSON.stringify({ status: response.status, headers: response.headers, body: response.body } satisfies AllFieldsOf<StoredResponse>);
}

export function recordToPersistence(record: IdempotencyRecord): IdempotencyRecordDocument {
  return compact({
    _v: STORED_FORMAT,
    tenantId: record.tenantId,
    key: record.key,
    fingerprint: record.fingerprint,
    state: record.state,
    response: record.response === undefined ? undefined : responseToPersistence(record.response),
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
  } satisfies AllFieldsOf<IdempotencyRecordDocument>);
}

/** @throws UnsupportedStoredFormatError */
export function recordToDomain(stored: IdempotencyRecordDocument): IdempotencyRecord {
  storedFormatOf(stored, `idempotency_keys ${stored.tenantId}/${stored.key}`);
  return compact({
    tenantId: stored.tenantId as TenantId,
    key: stored.key,
    fingerprint: stored.fingerprint,
    state: stored.state,
    response: stored.response === undefined ? undefined : (JSON.parse(stored.response) as StoredResponse),
    createdAt: dateToDomain(stored.createdAt),
    expiresAt: dateToDomain(stored.expiresAt),
  } satisfies AllFieldsOf<IdempotencyRecord>);
}
