import { v7 as uuidv7 } from 'uuid';
import { ValidationError } from '../errors/domain-error';

/**
 * A string id branded with what it identifies, so a `PartnerId` cannot be passed where an `InvoiceId` is expected.
 * Ids are opaque to callers.
 */
export type Id<Brand extends string> = string & { readonly __brand: Brand };

/** The tenant (a company using the platform) that owns a piece of data. */
export type TenantId = Id<'Tenant'>;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * Checks an id received from outside (1–128 characters: letters, digits, `_ . : -`) and brands it.
 * @throws ValidationError `id.malformed`
 */
export function parseId<Brand extends string>(value: string, path = 'id'): Id<Brand> {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw ValidationError.of(path, 'id.malformed', `${JSON.stringify(value)} is not a valid id`);
  }
  return value as Id<Brand>;
}

/** Checks and brands a tenant id. */
export function tenantId(value: string): TenantId {
  return parseId<'Tenant'>(value, 'tenantId');
}

/** Port: makes new ids. Ids sort by creation time, so lists paged by id are stable and index-friendly. */
export interface IdGenerator {
  next<Brand extends string>(): Id<Brand>;
}

/** Injection token of the {@link IdGenerator} port. */
export const ID_GENERATOR = Symbol.for('@invoicing/core/IdGenerator');

/** RFC 9562 UUIDv7 ids: time-ordered, random in the low bits, unique without coordination. */
export class UuidV7IdGenerator implements IdGenerator {
  next<Brand extends string>(): Id<Brand> {
    return uuidv7() as Id<Brand>;
  }
}
