import type { Id } from '@invoicing/core';

/** Id of a {@link Partner}. */
export type PartnerId = Id<'Partner'>;
/** Id of a contact inside a partner. */
export type ContactId = Id<'Contact'>;
/** Id of a {@link Marketable}. */
export type MarketableId = Id<'Marketable'>;
/** Id of a {@link Partnership}. */
export type PartnershipId = Id<'Partnership'>;
/** Id of an {@link Invoice} or credit note. */
export type InvoiceId = Id<'Invoice'>;
/** Id of a {@link Payment}. */
export type PaymentId = Id<'Payment'>;
/** Id of a refund of unapplied credit. */
export type RefundId = Id<'Refund'>;
