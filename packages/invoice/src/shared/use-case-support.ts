import { ConflictError, NotFoundError, requireExpectedVersion, type AggregateRoot, type ExpectedVersion, type TenantId } from '@invoicing/core';
import type { AggregateRepository } from './repository.port';

// In every JavaScript runtime, but in no ES lib file.
declare function setTimeout(callback: () => void, milliseconds: number): unknown;

/** Settings the use cases read; bind them under {@link INVOICING_SETTINGS}. */
export interface InvoicingSettings {
  /** IANA time zone that decides what "today" is (issue dates, past-due reports). */
  readonly timeZone: string;
}
/** Injection token of {@link InvoicingSettings}. */
export const INVOICING_SETTINGS = Symbol.for('@invoicing/invoice/Settings');
export const DEFAULT_SETTINGS: InvoicingSettings = { timeZone: 'UTC' };

/** A command on an existing aggregate may carry the version the caller last read (an HTTP `If-Match`). */
export interface VersionedCommand {
  readonly tenantId: TenantId;
  /**
   * When given, the command fails with ConflictError `concurrency.stale_version` unless the stored version is still this
   * one, or one of these (an `If-Match` naming several tags; none when no tag it names can match).
   */
  readonly expectedVersion?: ExpectedVersion;
}

/**
 * Loads an aggregate or fails as if it did not exist.
 * @throws NotFoundError `<resource>.not_found`; ConflictError `concurrency.stale_version`
 */
export async function load<A extends AggregateRoot<IdType>, IdType extends string>(
  repository: AggregateRepository<A, IdType>,
  tenantId: TenantId,
  id: IdType,
  resource: string,
  expectedVersion?: VersionedCommand['expectedVersion'],
): Promise<A> {
  const aggregate = await repository.get(tenantId, id);
  if (!aggregate) throw new NotFoundError(resource, id);
  return atVersion(aggregate, resource, expectedVersion);
}

/**
 * The aggregate, when it is at the version the caller expects (or expects none).
 * @throws ConflictError `concurrency.stale_version`
 */
export function atVersion<A extends AggregateRoot<IdType>, IdType extends string>(aggregate: A, resource: string, expectedVersion?: VersionedCommand['expectedVersion']): A {
  requireExpectedVersion(resource, aggregate.id, aggregate.version, expectedVersion);
  return aggregate;
}

/**
 * The common shape of a command on one aggregate: load it (as the caller last saw it, when a version is given),
 * change it through one of its own methods, save it. Returns the saved aggregate.
 * @throws NotFoundError `<resource>.not_found`; ConflictError `concurrency.stale_version` | `concurrency.conflict`; whatever the change throws
 */
export async function modify<A extends AggregateRoot<IdType>, IdType extends string>(
  repository: AggregateRepository<A, IdType>,
  command: VersionedCommand,
  id: IdType,
  resource: string,
  change: (aggregate: A) => unknown,
): Promise<A> {
  const aggregate = await load(repository, command.tenantId, id, resource, command.expectedVersion);
  change(aggregate);
  await repository.save(aggregate);
  return aggregate;
}

/** The most attempts a read-modify-write makes under contention before giving up with the conflict. */
export const MAX_CONFLICT_RETRIES = 100;

/**
 * Runs a read-modify-write, starting over when another writer saved the aggregate first (`concurrency.conflict`).
 * Only for changes that are safe to recompute from fresh state, such as applying a payment.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError) || error.code !== 'concurrency.conflict' || round >= MAX_CONFLICT_RETRIES) throw error;
      // Jittered backoff spreads competing writers out.
      await new Promise((resolve) => setTimeout(() => resolve(undefined), Math.random() * Math.min(50, round * 2)));
    }
  }
}
