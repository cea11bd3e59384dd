import {
  AggregateRoot,
  InvalidStateError,
  ValidationError,
  collectIssues,
  definedFields,
  formatDecimal,
  frozenState,
  handedOut,
  parseCurrencyCode,
  requiredList,
  requiredObject,
  type CurrencyCode,
  type Decimal,
  type DecimalInput,
  type TenantId,
} from '@invoicing/core';
import { storedUnitPrice, unitCode } from '../invoice/invoice-line';
import { invoicedVatCategory, vatCategory, vatCategoryToInput, type VatCategory, type VatCategoryInput } from '../invoice/vat';
import type { MarketableId } from '../shared/ids';
import { optionalText, requiredText } from '../shared/text';

export type MarketableKind = 'product' | 'service';

/** A list price in one currency: net, per `unitCode` unit, with more decimals than money allows (e.g. 0.0125 EUR per kWh). */
export interface Price {
  readonly currency: CurrencyCode;
  readonly unitPrice: Decimal;
}

/** The stored form of a marketable. */
export interface MarketableState {
  readonly tenantId: TenantId;
  readonly id: MarketableId;
  readonly version: number;
  /** Stock keeping unit, unique per tenant; compared as given (case-sensitive). */
  readonly sku: string;
  readonly kind: MarketableKind;
  readonly name: string;
  readonly description?: string;
  /** UN/ECE Recommendation 20 unit, e.g. `C62`, `HUR`, `DAY`. */
  readonly unitCode: string;
  /** At most one price per currency. */
  readonly prices: readonly Price[];
  readonly defaultVat: VatCategory;
  readonly active: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The editable fields of a marketable; prices as decimal strings. */
export interface MarketableDetails {
  readonly sku: string;
  readonly kind: MarketableKind;
  readonly name: string;
  readonly description?: string;
  readonly unitCode: string;
  readonly prices: readonly { readonly currency: string; readonly unitPrice: DecimalInput }[];
  readonly defaultVat: VatCategoryInput;
}

const SKU = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;

/**
 * Parses a marketable's details; `vatEntered`: its default VAT is entered now, and is checked as invoice lines drafted
 * from it will be (a VATEX exemption code). One stored before that check is kept as it is through other changes.
 */
function details(input: MarketableDetails, vatEntered: boolean) {
  return collectIssues((attempt) => {
    const sku = attempt('sku', () => {
      if (typeof input.sku !== 'string' || !SKU.test(input.sku)) {
        throw ValidationError.of('', 'marketable.invalid_sku', 'a SKU is 1–64 letters, digits or . _ - / and starts with a letter or digit');
      }
      return input.sku;
    });
    const kind = attempt('kind', () => {
      if (input.kind !== 'product' && input.kind !== 'service') throw ValidationError.of('', 'marketable.invalid_kind', 'kind is product or service');
      return input.kind;
    });
    const name = attempt('name', () => requiredText(input.name, ''));
    const description = attempt('description', () => optionalText(input.description, '', 2000));
    const unit = attempt('unitCode', () => unitCode(input.unitCode, ''));
    const prices = (attempt('prices', () => requiredList(input.prices ?? [], '')) ?? []).map((price, index) =>
      attempt(`prices.${index}`, () =>
        collectIssues((inner) => {
          requiredObject(price, '');
          const currency = inner('currency', () => parseCurrencyCode(price.currency));
          const unitPrice = inner('unitPrice', () => storedUnitPrice(price.unitPrice, 'marketable'));
          return { currency: currency as CurrencyCode, unitPrice: unitPrice as Decimal };
        }),
      ),
    );
    const parsedPrices = prices.filter((price): price is Price => price !== undefined);
    if (new Set(parsedPrices.map((price) => price.currency)).size !== parsedPrices.length) {
      attempt('prices', () => {
        throw ValidationError.of('', 'marketable.duplicate_currency', 'one price per currency');
      });
    }
    const defaultVat = attempt('defaultVat', () => (vatEntered ? invoicedVatCategory : vatCategory)(input.defaultVat ?? ({} as VatCategoryInput)));
    return {
      sku: sku as string,
      kind: kind as MarketableKind,
      name: name as string,
      ...definedFields({ description }),
      unitCode: unit as string,
      prices: parsedPrices,
      defaultVat: defaultVat as VatCategory,
    };
  });
}

/** Anything the tenant sells or buys: a product or a service, with list prices per currency and a default VAT treatment. */
export class Marketable extends AggregateRoot<MarketableId> {
  readonly aggregateType = 'marketable';

  private frozen!: MarketableState;

  private constructor(state: MarketableState) {
    super(state.tenantId, state.id, state.version);
    this.state = state;
  }

  // Frozen whenever it is replaced: nothing handed out or taken in can change it afterwards.
  private get state(): MarketableState {
    return this.frozen;
  }

  private set state(next: MarketableState) {
    this.frozen = frozenState(next);
  }

  /**
   * Creates a marketable. SKU uniqueness is checked by the use case and guaranteed by the repository.
   * @throws ValidationError, `vat.unknown_exemption_code` for a default VAT exemption code outside the VATEX list
   */
  static create(command: MarketableDetails, context: { tenantId: TenantId; id: MarketableId; at: Date }): Marketable {
    const marketable = new Marketable({
      tenantId: context.tenantId,
      id: context.id,
      version: 0,
      ...details(command, true),
      active: true,
      createdAt: context.at,
      updatedAt: context.at,
    });
    marketable.raise('marketable.created', { marketableId: context.id, sku: marketable.sku }, context.at);
    return marketable;
  }

  /** Rebuilds a marketable from its stored state (no validation, no events); freezes the plain data of `state` it keeps. */
  static restore(state: MarketableState): Marketable {
    return new Marketable(state);
  }

  /** The current state, for repositories and readers: frozen, with Dates of its own. */
  toState(): MarketableState {
    return { ...handedOut(this.state), version: this.version };
  }

  get sku(): string {
    return this.state.sku;
  }

  get name(): string {
    return this.state.name;
  }

  get unitCode(): string {
    return this.state.unitCode;
  }

  get defaultVat(): VatCategory {
    return this.state.defaultVat;
  }

  get active(): boolean {
    return this.state.active;
  }

  /** The list price in a currency, if there is one. */
  priceIn(currency: CurrencyCode): Decimal | undefined {
    return this.state.prices.find((price) => price.currency === currency)?.unitPrice;
  }

  /**
   * Replaces the marketable's details; a new default VAT is checked as at creation.
   * @throws ValidationError; InvalidStateError `marketable.unit_fixed` for another unit
   */
  update(changes: Partial<MarketableDetails>, at: Date): void {
    const current: MarketableDetails = {
      sku: this.state.sku,
      kind: this.state.kind,
      name: this.state.name,
      ...definedFields({ description: this.state.description }),
      unitCode: this.state.unitCode,
      prices: this.state.prices.map((price) => ({ currency: price.currency, unitPrice: formatDecimal(price.unitPrice) })),
      defaultVat: vatCategoryToInput(this.state.defaultVat),
    };
    const next = details({ ...current, ...changes }, changes.defaultVat !== undefined);
    // Every price of it, list or negotiated in a partnership, is per one of its units: another unit would re-base
    // each of them silently (720 a day becoming 720 an hour).
    if (next.unitCode !== this.state.unitCode) {
      throw new InvalidStateError('marketable.unit_fixed', `marketable ${this.id} is priced per ${this.state.unitCode}: its unit does not change; create another marketable priced per ${next.unitCode}`, {
        marketableId: this.id,
      });
    }
    // Rebuilt without the old description, so clearing it (description: undefined) removes it.
    const { description: _previous, ...kept } = this.state;
    this.state = { ...kept, ...next, updatedAt: at };
    this.raise('marketable.updated', { marketableId: this.id }, at);
  }

  /** Stops offering it: no new invoice lines may use it. @throws InvalidStateError `marketable.inactive` */
  deactivate(at: Date): void {
    if (!this.state.active) throw new InvalidStateError('marketable.inactive', `marketable ${this.id} is already inactive`, { marketableId: this.id });
    this.state = { ...this.state, active: false, updatedAt: at };
    this.raise('marketable.deactivated', { marketableId: this.id }, at);
  }

  /** Offers it again. @throws InvalidStateError `marketable.active` */
  activate(at: Date): void {
    if (this.state.active) throw new InvalidStateError('marketable.active', `marketable ${this.id} is already active`, { marketableId: this.id });
    this.state = { ...this.state, active: true, updatedAt: at };
    this.raise('marketable.activated', { marketableId: this.id }, at);
  }
}
