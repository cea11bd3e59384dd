// @invoicing/billing: a partnership's billing rules turned into invoices (issue 15). First part: price models.
export { MAX_TIERS, priceModel } from './pricing/price-model';
export type { PriceModel, PriceModelInput, PriceModelKind, PriceTier, PriceTierInput } from './pricing/price-model';
export { priceUsage } from './pricing/price-usage';
export type { MeasuredUsage, PricePart, PricedUsage } from './pricing/price-usage';
