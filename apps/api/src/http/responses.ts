/** An amount of money: a decimal string in the currency's minor unit precision, never a JSON number. */
export class MoneyDto {
  /** @example "1234.50" */
  amount!: string;
  /** ISO 4217 code. @example "EUR" */
  currency!: string;
}

/** One page of a list; follow `nextCursor` (null on the last page) for the next. */
export abstract class PageDto {
  /** Pass as `cursor` to get the next page; null when this is the last. */
  nextCursor!: string | null;
}

/**
 * The JSON of a domain state as the API answers it: the state itself (money, dates and decimals serialise
 * themselves), without the tenant, which is the caller's. The DTO classes document that shape for OpenAPI.
 */
export function view<Dto>(state: { readonly tenantId?: unknown }): Dto {
  const { tenantId: _tenantId, ...rest } = state;
  return rest as Dto;
}
