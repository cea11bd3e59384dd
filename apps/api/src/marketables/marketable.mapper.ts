import type { MarketableState } from '@invoicing/invoice';
import { toDecimalResponse } from '../http/responses';
import { toVatCategoryResponse } from '../invoices/invoice.mapper';
import type { MarketableDto } from './marketable.response.dto';

/** A marketable of the catalogue as the API answers it. */
export function toMarketableResponse(state: MarketableState): MarketableDto {
  return {
    id: state.id,
    version: state.version,
    sku: state.sku,
    kind: state.kind,
    name: state.name,
    description: state.description,
    unitCode: state.unitCode,
    prices: state.prices.map((price) => ({ currency: price.currency, unitPrice: toDecimalResponse(price.unitPrice) })),
    defaultVat: toVatCategoryResponse(state.defaultVat),
    active: state.active,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}
