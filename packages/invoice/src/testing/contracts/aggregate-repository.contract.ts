import { ConflictError, type AggregateRoot, type TenantId } from '@invoicing/core';
import { jestGlobals } from './jest-globals';
import type { AggregateRepository } from '../../shared/repository.port';
import { aTenant } from '../builders';
import { tamperWith } from '../tamper';
import type { InvoiceAdapters } from '../in-memory/in-memory-adapters';

/** A state as plain JSON (amounts, decimals and dates as their strings): a record of it that later changes cannot reach. */
const snapshotOf = (state: object | undefined): unknown => JSON.parse(JSON.stringify(state ?? null));

/** What the shared repository cases need to know about one aggregate type. */
export interface AggregateCases<A extends AggregateRoot<IdType> & { toState(): object }, IdType extends string> {
  readonly repository: (adapters: InvoiceAdapters) => AggregateRepository<A, IdType>;
  /** Saves whatever the aggregate needs (e.g. partners) and returns a new, unsaved aggregate. */
  readonly create: (adapters: InvoiceAdapters, tenant: TenantId) => Promise<A>;
  /** Changes the aggregate through one of its commands. */
  readonly change: (aggregate: A) => void;
  /** Rebuilds an aggregate from a state (the aggregate's static `restore`). */
  readonly restore: (state: ReturnType<A['toState']>) => A;
}

/**
 * The behaviour every aggregate repository shares: round trip, versions, optimistic conflicts, tenant isolation
 * and events written with the state.
 */
export function describeAggregateRepository<A extends AggregateRoot<IdType> & { toState(): object }, IdType extends string>(
  name: string,
  adapters: () => InvoiceAdapters,
  cases: AggregateCases<A, IdType>,
): void {
  const { beforeAll, describe, expect, it } = jestGlobals();
  describe(`${name} (aggregate repository)`, () => {
    let repository: AggregateRepository<A, IdType>;
    beforeAll(() => {
      repository = cases.repository(adapters());
    });

    it('reads back what it saved, at version 1', async () => {
      const tenant = aTenant();
      const aggregate = await cases.create(adapters(), tenant);
      const expected = aggregate.toState();
      await repository.save(aggregate);
      const loaded = await repository.get(tenant, aggregate.id);
      expect(loaded?.version).toBe(1);
      expect(loaded?.toState()).toEqual({ ...expected, version: 1 });
    });

    it('moves the version on with each save and keeps the latest state', async () => {
      const tenant = aTenant();
      const aggregate = await cases.create(adapters(), tenant);
      await repository.save(aggregate);
      cases.change(aggregate);
      const changed = aggregate.toState();
      await repository.save(aggregate);
      expect(aggregate.version).toBe(2);
      const loaded = await repository.get(tenant, aggregate.id);
      expect(loaded?.toState()).toEqual({ ...changed, version: 2 });
    });

    it('refuses a save from a stale copy with concurrency.conflict and keeps the first write', async () => {
      const tenant = aTenant();
      const aggregate = await cases.create(adapters(), tenant);
      await repository.save(aggregate);
      const first = (await repository.get(tenant, aggregate.id)) as A;
      const second = (await repository.get(tenant, aggregate.id)) as A;
      cases.change(first);
      await repository.save(first);
      cases.change(second);
      await expect(repository.save(second)).rejects.toMatchObject({ code: 'concurrency.conflict' });
      await expect(repository.save(second)).rejects.toBeInstanceOf(ConflictError);
      expect((await repository.get(tenant, aggregate.id))?.toState()).toEqual(first.toState());
    });

    it('refuses a new aggregate whose id is already stored', async () => {
      const tenant = aTenant();
      const aggregate = await cases.create(adapters(), tenant);
      // A second aggregate with the same id that was never saved.
      const twin = cases.restore({ ...aggregate.toState(), version: 0 } as ReturnType<A['toState']>);
      await repository.save(aggregate);
      await expect(repository.save(twin)).rejects.toMatchObject({ code: 'concurrency.conflict' });
    });

    it('keeps what it stored when the caller changes what get returned: arrays, nested objects, Money, Dates', async () => {
      const tenant = aTenant();
      const aggregate = await cases.create(adapters(), tenant);
      await repository.save(aggregate);
      const expected = snapshotOf({ ...aggregate.toState(), version: 1 });

      tamperWith(((await repository.get(tenant, aggregate.id)) as A).toState());

      expect(snapshotOf((await repository.get(tenant, aggregate.id))?.toState())).toEqual(expected);
    });

    it('keeps what it stored when the caller changes what it saved, or changes the aggregate without saving it', async () => {
      const tenant = aTenant();
      const aggregate = await cases.create(adapters(), tenant);
      const saved = aggregate.toState();
      await repository.save(aggregate);
      const expected = snapshotOf({ ...saved, version: 1 });

      tamperWith(saved);
      tamperWith(aggregate.toState());
      cases.change(aggregate);

      expect(snapshotOf((await repository.get(tenant, aggregate.id))?.toState())).toEqual(expected);
    });

    it("treats another tenant's id exactly like a missing one", async () => {
      const tenant = aTenant();
      const aggregate = await cases.create(adapters(), tenant);
      await repository.save(aggregate);
      expect(await repository.get(aTenant(), aggregate.id)).toBeUndefined();
      expect(await repository.get(tenant, `${aggregate.id}-missing` as IdType)).toBeUndefined();
    });

    it('stores the pending events with the state and clears them', async () => {
      const tenant = aTenant();
      const aggregate = await cases.create(adapters(), tenant);
      const events = aggregate.pendingEvents.map((event) => event.id);
      expect(events.length).toBeGreaterThan(0);
      await repository.save(aggregate);
      expect(aggregate.pendingEvents).toEqual([]);
      const stored = (await adapters().outbox.pending(100_000)).filter((event) => event.tenantId === tenant && event.aggregateId === aggregate.id).map((event) => event.id);
      expect(stored).toEqual(events);
    });
  });
}
