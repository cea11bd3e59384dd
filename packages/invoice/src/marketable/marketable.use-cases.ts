import { CLOCK, ConflictError, ID_GENERATOR, pageRequest, requiredObject, type Clock, type IdGenerator, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import { inject, injectable } from 'inversify';
import type { MarketableId } from '../shared/ids';
import { load, modify, type VersionedCommand } from '../shared/use-case-support';
import { createOnce } from '../shared/create-once';
import { Marketable, type MarketableDetails, type MarketableState } from './marketable';
import { MARKETABLE_REPOSITORY, type MarketableRepository } from './marketable-repository.port';

function skuTaken(sku: string): ConflictError {
  return new ConflictError('marketable.sku_taken', `SKU ${sku} is already used`, { sku });
}

/** Adds a product or service to the catalogue. */
@injectable()
export class CreateMarketable {
  constructor(
    @inject(MARKETABLE_REPOSITORY) private readonly marketables: MarketableRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * `id`, when given, is derived from the request (its `Idempotency-Key` and body): a retry of the same request answers
   * the marketable an earlier attempt created.
   * @throws ConflictError `marketable.sku_taken`; ValidationError
   */
  async execute(command: MarketableDetails & { readonly tenantId: TenantId; readonly id?: MarketableId }): Promise<MarketableState> {
    requiredObject(command);
    return createOnce(this.marketables, command.tenantId, command.id, async () => {
      const marketable = Marketable.create(command, { tenantId: command.tenantId, id: command.id ?? this.ids.next<'Marketable'>(), at: this.clock.now() });
      // A readable error in the common case; the repository's unique key settles races.
      if (await this.marketables.findBySku(command.tenantId, marketable.sku)) throw skuTaken(marketable.sku);
      return marketable;
    });
  }
}

/** Changes a marketable; prices and VAT apply to invoice lines drafted from now on. */
@injectable()
export class UpdateMarketable {
  constructor(
    @inject(MARKETABLE_REPOSITORY) private readonly marketables: MarketableRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** @throws NotFoundError; ConflictError `marketable.sku_taken` | `concurrency.stale_version`; ValidationError */
  async execute(command: VersionedCommand & { readonly marketableId: MarketableId; readonly changes: Partial<MarketableDetails> }): Promise<MarketableState> {
    const marketable = await load(this.marketables, command.tenantId, command.marketableId, 'marketable', command.expectedVersion);
    marketable.update(command.changes, this.clock.now());
    const holder = await this.marketables.findBySku(command.tenantId, marketable.sku);
    if (holder && holder.id !== marketable.id) throw skuTaken(marketable.sku);
    await this.marketables.save(marketable);
    return marketable.toState();
  }
}

/** Activates or deactivates a marketable. */
@injectable()
export class SetMarketableActive {
  constructor(
    @inject(MARKETABLE_REPOSITORY) private readonly marketables: MarketableRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: VersionedCommand & { readonly marketableId: MarketableId; readonly active: boolean }): Promise<MarketableState> {
    const change = (marketable: Marketable) => (command.active ? marketable.activate(this.clock.now()) : marketable.deactivate(this.clock.now()));
    return (await modify(this.marketables, command, command.marketableId, 'marketable', change)).toState();
  }
}

/** Reads one marketable. */
@injectable()
export class GetMarketable {
  constructor(@inject(MARKETABLE_REPOSITORY) private readonly marketables: MarketableRepository) {}

  /** @throws NotFoundError `marketable.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly marketableId: MarketableId }): Promise<MarketableState> {
    return (await load(this.marketables, query.tenantId, query.marketableId, 'marketable')).toState();
  }
}

/** Lists the catalogue page by page. */
@injectable()
export class ListMarketables {
  constructor(@inject(MARKETABLE_REPOSITORY) private readonly marketables: MarketableRepository) {}

  async execute(query: { readonly tenantId: TenantId; readonly active?: boolean; readonly page?: PageRequest }): Promise<Page<MarketableState>> {
    return this.marketables.list(query.tenantId, query.active === undefined ? {} : { active: query.active }, pageRequest(query.page));
  }
}
