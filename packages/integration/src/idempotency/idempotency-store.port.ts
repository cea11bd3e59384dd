import type { TenantId } from '@invoicing/core';

/** The response of a creating request, kept to answer its replays identically. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * What to do with a request that carries an idempotency key (Stripe's semantics):
 * - `started`: first time: execute it, then `complete` (or `abandon` if it must not be remembered);
 * - `replay`: the same request was answered already: send the stored response;
 * - `in_progress`: the same key is being executed by a concurrent request: answer 409;
 * - `mismatch`: the key was used for a different request: answer 422.
 */
export type IdempotencyOutcome =
  | { readonly outcome: 'started' }
  | { readonly outcome: 'replay'; readonly response: StoredResponse }
  | { readonly outcome: 'in_progress' }
  | { readonly outcome: 'mismatch' };

/**
 * Port: idempotency records, per tenant and key. `fingerprint` identifies the request (method, path and a hash of
 * the body); keys are kept for the retention period (at least 24 hours), then forgotten.
 *
 * A started key is locked for the attempt that started it until it completes, abandons, or the lock times out
 * (`lockTimeoutMs` after `begin`'s `now`): then the next attempt takes it over. An attempt that outlived its lock
 * can still complete (the first answer stored is kept) but no longer abandon the key of the attempt that took over.
 */
export interface IdempotencyStore {
  /**
   * `formerly`: a fingerprint that also counts as this request's, as an earlier release computed it (records it
   * wrote stay answerable through their retention after an upgrade).
   */
  begin(tenantId: TenantId, key: string, fingerprint: string, now: Date, formerly?: string): Promise<IdempotencyOutcome>;
  /** Stores the answer of a started key; a key already answered (by another attempt) keeps its first answer. */
  complete(tenantId: TenantId, key: string, response: StoredResponse): Promise<void>;
  /**
   * Forgets a key started at `startedAt` (the `now` its `begin` was given), so that the request can be sent again
   * (used when it failed without effect); nothing when it was answered, or taken over by another attempt since.
   */
  abandon(tenantId: TenantId, key: string, startedAt: Date): Promise<void>;
  /** Deletes the records expired at `now`; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

export interface IdempotencyOptions {
  /** How long a key is remembered (default and minimum 24 hours). */
  readonly retentionMs?: number;
  /**
   * How long a started key stays locked: past it, the next attempt takes it over, as its holder died or could not
   * abandon it (the database was down). It needs to outlast the attempt only: the API sets its request deadline plus
   * a margin (`IDEMPOTENCY_LOCK_MARGIN_MS`). Default 60 s.
   */
  readonly lockTimeoutMs?: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The retention and lock timeout to use. */
export function idempotencyTimes(options: IdempotencyOptions = {}): { retentionMs: number; lockTimeoutMs: number } {
  return { retentionMs: Math.max(DAY_MS, options.retentionMs ?? DAY_MS), lockTimeoutMs: options.lockTimeoutMs ?? 60_000 };
}
