import type { OneOffCharge } from '@invoicing/billing';
import type { CalendarDate, TenantId } from '@invoicing/core';
import type { MarketableId, PartnershipId } from '@invoicing/invoice';
import { documentId } from '../mappers/aggregate-document';
import { vatCategoryToDomain, vatCategoryToPersistence } from '../mappers/invoice.mapper';
import { STORED_FORMAT, storedFormatOf } from '../mappers/stored-format';
import { compact, dateToDomain, decimalToDomain, decimalToPersistence, type AllFieldsOf, type StoredDecimal } from '../mappers/value.mapper';

/** A `one_off_charges` document: written once, its fields side by side (a small record, read whole). */
export interface OneOffChargeDocument {
  readonly _id: string;
  readonly _v?: number;
  readonly tenantId: string;
  readonly id: string;
  readonly partnershipId: string;
  readonly date: string;
  readonly name: string;
  readonly marketableId?: string;
  readonly unitCode: string;
  readonly quantity: StoredDecimal;
  readonly unitPrice: StoredDecimal;
  readonly vat: ReturnType<typeof vatCategoryToPersistence>;
  readonly createdAt: Date;
  readonly cancelledAt?: Date;
  readonly addedBy?: string;
  /** The key of the bill that took the charge (`MongoOneOffChargeStore.claim`): not part of the charge. */
  readonly claimedBy?: string;
  readonly claimedAt?: Date;
}

export function oneOffChargeToPersistence(charge: OneOffCharge): OneOffChargeDocument {
  const fields = compact({
    tenantId: charge.tenantId,
    id: charge.id,
    partnershipId: charge.partnershipId,
    date: charge.date,
    name: charge.name,
    marketableId: charge.marketableId,
    unitCode: charge.unitCode,
    quantity: decimalToPersistence(charge.quantity),
    unitPrice: decimalToPersistence(charge.unitPrice),
    vat: vatCategoryToPersistence(charge.vat),
    createdAt: charge.createdAt,
    cancelledAt: charge.cancelledAt,
    addedBy: charge.addedBy,
  } satisfies AllFieldsOf<OneOffCharge>);
  return { _id: documentId(charge.tenantId, charge.id), _v: STORED_FORMAT, ...fields };
}

/** @throws UnsupportedStoredFormatError */
export function oneOffChargeToDomain(document: OneOffChargeDocument): OneOffCharge {
  storedFormatOf(document, `one_off_charges ${document._id}`);
  return compact({
    tenantId: document.tenantId as TenantId,
    id: document.id,
    partnershipId: document.partnershipId as PartnershipId,
    date: document.date as CalendarDate,
    name: document.name,
    marketableId: document.marketableId as MarketableId | undefined,
    unitCode: document.unitCode,
    quantity: decimalToDomain(document.quantity),
    unitPrice: decimalToDomain(document.unitPrice),
    vat: vatCategoryToDomain(document.vat),
    createdAt: dateToDomain(document.createdAt),
    cancelledAt: document.cancelledAt === undefined ? undefined : dateToDomain(document.cancelledAt),
    addedBy: document.addedBy,
  } satisfies AllFieldsOf<OneOffCharge>);
}
