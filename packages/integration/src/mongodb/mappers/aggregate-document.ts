import type { TenantId } from '@invoicing/core';
import { INVOICE_FORMATS, PARTNERSHIP_FORMATS, PAYMENT_FORMATS, STORED_FORMAT, storedFormatOf } from './stored-format';
import type { StoredState } from './stored-state';

/**
 * What every aggregate's document holds besides its state: `{ _id, _v, tenantId, id, version, ...keys, state, derived? }`.
 * `_id` is `tenantId/id`, so that ids of different tenants never meet; `state` holds the aggregate's own fields (each
 * mapper names them); `derived` holds values computed at write time for the reports; `keys` are the top-level fields
 * the hot queries match by equality (FerretDB pushes only top-level fields down to PostgreSQL: ADR 0012). Both are
 * recomputed on every write and never read back. The outbox fields (`outbox`, `outboxSince`) are written by the store
 * beside them.
 */
// A type rather than an interface, so that documents also pass where the driver expects plain records.
export type AggregateDocument<State extends object, Derived extends object | undefined = undefined, Keys extends object = object> = Keys & {
  readonly _id: string;
  /** The stored format (see `stored-format.ts`); absent in documents written before it was recorded, which are format 1. */
  readonly _v?: number;
  readonly tenantId: string;
  readonly id: string;
  /** The aggregate's optimistic-concurrency version. */
  readonly version: number;
  /** A string of Extended JSON from format 2 on, a subdocument in format 1 (see `stored-state.ts`). */
  readonly state: StoredState<State>;
  readonly derived?: Derived;
};

/** The identity fields every aggregate state has, which the document holds outside `state`. */
export interface AggregateIdentity {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly version: number;
}

/**
 * Maps one aggregate type to its stored document and back. `toPersistence` names every stored field (a domain field
 * it does not name is not stored, and fails to compile, see the mappers' `satisfies` clauses); `toDomain` checks the
 * stored format first.
 */
export interface AggregateMapper<S extends AggregateIdentity, D extends AggregateDocument<object, object | undefined>> {
  toPersistence(state: S): D;
  /** @throws UnsupportedStoredFormatError for a document of a format this release does not read */
  toDomain(document: D): S;
}

/** The `_id` of an aggregate: its tenant and id, so that ids of different tenants never meet. */
export function documentId(tenantId: TenantId | string, id: string): string {
  return `${tenantId}/${id}`;
}

/** The envelope of an aggregate's document at the state's version, in the current format. */
export function envelopeOf(state: AggregateIdentity): Omit<AggregateDocument<object>, 'state' | 'derived'> {
  return { _id: documentId(state.tenantId, state.id), _v: STORED_FORMAT, tenantId: state.tenantId, id: state.id, version: state.version };
}

/** The collections whose documents may be in a format beyond 2 (ADR 0025, 0010), with the formats they are read in. */
const FORMATS_OF: Readonly<Record<string, readonly unknown[]>> = { invoices: INVOICE_FORMATS, payments: PAYMENT_FORMATS, partnerships: PARTNERSHIP_FORMATS };

/**
 * The identity fields of a stored aggregate, once its format is known to be readable.
 * @throws UnsupportedStoredFormatError
 */
export function identityOf<Id extends string>(document: AggregateDocument<object, object | undefined, object>, collection: string): { tenantId: TenantId; id: Id; version: number } {
  storedFormatOf(document, `${collection} ${document._id}`, FORMATS_OF[collection]);
  return { tenantId: document.tenantId as TenantId, id: document.id as Id, version: document.version };
}
