import { DomainError, InvalidStateError, Money, currencyOf, definedFields, formatDecimal } from '@invoicing/core';
import type { InvoiceState } from '../invoice/invoice';
import type { AllowanceCharge as LineAllowanceCharge, DocumentAllowanceCharge as OurDocumentAllowanceCharge } from '../invoice/invoice-line';
import type { PartySnapshot } from '../invoice/party-snapshot';
import type { VatCategory } from '../invoice/vat';
import { describePaymentTerms } from '../partnership/payment-terms';
import type { PostalAddress } from '../shared/postal-address';
import type { Address, AllowanceCharge, Buyer, Contact, DocumentAllowanceCharge, En16931Document, Line, Seller } from './model';
import { periodInput } from '../invoice/invoice-period';

/** BT-24 of what we write: the EN 16931 core specification, no CIUS claimed beyond it. */
export const SPECIFICATION_IDENTIFIER = 'urn:cen.eu:en16931:2017';

/**
 * Refuses a document in a currency of more than 2 decimals (BHD, KWD, OMR …): EN 16931 states every amount with at most
 * 2 (BR-DEC-*), so an e-invoice of it would round its amounts, and the official rules refuse one that does not. A PDF
 * for people has no such limit.
 * @throws DomainError `e_invoice.currency_not_supported`
 */
export function assertEn16931Currency(state: Pick<InvoiceState, 'id' | 'currency'>): void {
  const { exponent } = currencyOf(state.currency);
  if (exponent <= 2) return;
  throw new DomainError('e_invoice.currency_not_supported', `${state.currency} amounts have ${exponent} decimals; EN 16931 e-invoices state amounts with at most 2.`, {
    invoiceId: state.id,
    currency: state.currency,
  });
}

/**
 * An issued invoice or credit note as an EN 16931 document: every amount, the VAT breakdown and the totals as the
 * domain computed them (never recomputed here), the parties as frozen at issue. Drafts have no number and no frozen
 * parties, so they are refused: an e-invoice is an issued document.
 */
export function invoiceToEn16931(state: InvoiceState): En16931Document {
  if (state.number === undefined || state.issueDate === undefined || !state.seller || !state.buyer) {
    throw new InvalidStateError('invoice.not_issued', `Invoice ${state.id} is a draft: only an issued document has the number and frozen parties an e-invoice needs.`, { invoiceId: state.id });
  }
  const { totals } = state;
  const money = (m: { toString(): string }) => m.toString();
  return {
    number: state.number,
    issueDate: state.issueDate,
    typeCode: state.kind === 'credit_note' ? '381' : '380',
    currency: state.currency,
    ...definedFields({
      // A credit note's BT-9 lives on a payment means in UBL, which a credit note of ours has none of: not stated.
      dueDate: state.kind === 'credit_note' ? undefined : state.dueDate,
      buyerReference: state.buyerReference,
      invoicePeriod: state.invoicePeriod && periodInput(state.invoicePeriod),
      purchaseOrderReference: state.purchaseOrderReference,
      paymentTerms: describePaymentTerms(state.paymentTerms),
    }),
    notes: state.notes.map((text) => ({ text })),
    process: { specification: SPECIFICATION_IDENTIFIER },
    precedingInvoices: state.precedingInvoice ? [{ reference: state.precedingInvoice.number, issueDate: state.precedingInvoice.issueDate }] : [],
    seller: seller(state.seller),
    buyer: buyer(state.buyer),
    allowances: state.allowances.map(documentAllowanceCharge),
    charges: state.charges.map(documentAllowanceCharge),
    totals: {
      lineNetTotal: money(totals.lineTotal),
      ...(state.allowances.length > 0 ? { allowanceTotal: money(totals.allowanceTotal) } : {}),
      ...(state.charges.length > 0 ? { chargeTotal: money(totals.chargeTotal) } : {}),
      taxExclusive: money(totals.taxExclusive),
      vatTotal: money(totals.taxTotal),
      taxInclusive: money(totals.taxInclusive),
      ...(totals.prepaid.isZero() ? {} : { prepaid: money(totals.prepaid) }),
      ...(totals.rounding.isZero() ? {} : { rounding: money(totals.rounding) }),
      amountDue: money(totals.amountDue),
    },
    vatBreakdown: state.vatBreakdown.map((entry) => ({
      taxableAmount: money(entry.taxableAmount),
      taxAmount: money(entry.taxAmount),
      ...vat(entry.category),
      ...definedFields({ exemptionReason: entry.category.exemptionReason, exemptionReasonCode: entry.category.exemptionReasonCode }),
    })),
    attachments: [],
    lines: state.lines.map(
      (line): Line => ({
        id: line.id,
        quantity: formatDecimal(line.quantity),
        unitCode: line.unitCode,
        netAmount: money(line.netAmount),
        allowances: line.allowances.map((each) => allowanceCharge(each, grossOf(line))),
        charges: line.charges.map((each) => allowanceCharge(each, grossOf(line))),
        price: { netPrice: formatDecimal(line.netPrice), ...(line.priceBaseQuantity.eq(1) ? {} : { baseQuantity: formatDecimal(line.priceBaseQuantity) }) },
        vat: { category: line.vat.code, ...(line.vat.rate === null ? {} : { rate: formatDecimal(line.vat.rate) }) },
        ...(line.period ? { period: periodInput(line.period) } : {}),
        item: { name: line.name, ...definedFields({ description: line.description, sellerId: line.sellerItemId }), classifications: [], attributes: [] },
      }),
    ),
  };
}

function vat(category: VatCategory): { category: string; rate?: string } {
  return { category: category.code, ...(category.rate === null ? {} : { rate: formatDecimal(category.rate) }) };
}

/** A line's gross amount (quantity × price ÷ base quantity, rounded), what a percent without a base was taken of. */
function grossOf(line: InvoiceState['lines'][number]): Money {
  const currency = line.netAmount.currency;
  return line.netAmount.subtract(Money.sum(currency, line.charges.map((each) => each.amount))).add(Money.sum(currency, line.allowances.map((each) => each.amount)));
}

/** `gross`: the base of a line's percent given without one (Peppol's R041 wants BT-137 with every BT-138). */
function allowanceCharge(value: LineAllowanceCharge, gross?: Money): AllowanceCharge {
  return definedFields({
    amount: value.amount.toString(),
    baseAmount: (value.baseAmount ?? (value.percent === undefined ? undefined : gross))?.toString(),
    percentage: value.percent === undefined ? undefined : formatDecimal(value.percent),
    reason: value.reason,
    reasonCode: value.reasonCode,
  });
}

function documentAllowanceCharge(value: OurDocumentAllowanceCharge): DocumentAllowanceCharge {
  const { category, rate } = vat(value.vat);
  return { ...allowanceCharge(value), vatCategory: category, ...(rate === undefined ? {} : { vatRate: rate }) };
}

function address(value: PostalAddress | undefined): Address | undefined {
  if (!value) return undefined;
  const [line1, line2, line3] = value.lines;
  return definedFields({ line1, line2, line3, city: value.city, postCode: value.postalCode, subdivision: value.subdivision, country: value.countryCode });
}

function contact(party: PartySnapshot): Contact | undefined {
  return party.contact ? definedFields({ name: party.contact.name, phone: party.contact.phone, email: party.contact.email }) : undefined;
}

function seller(party: PartySnapshot): Seller {
  const { identifiers: ids } = party;
  return {
    name: party.legalName,
    identifiers: [],
    ...definedFields({
      tradingName: party.tradingName,
      legalRegistration: ids.legalRegistration ? definedFields({ id: ids.legalRegistration.value, scheme: ids.legalRegistration.scheme }) : undefined,
      vatId: ids.vatId,
      taxRegistrationId: ids.taxRegistrationId,
      electronicAddress: ids.electronicAddress ? { id: ids.electronicAddress.value, scheme: ids.electronicAddress.scheme } : undefined,
      address: address(party.address),
      contact: contact(party),
    }),
  } as Seller;
}

function buyer(party: PartySnapshot): Buyer {
  const { identifiers: ids } = party;
  return definedFields({
    name: party.legalName,
    tradingName: party.tradingName,
    legalRegistration: ids.legalRegistration ? definedFields({ id: ids.legalRegistration.value, scheme: ids.legalRegistration.scheme }) : undefined,
    vatId: ids.vatId,
    electronicAddress: ids.electronicAddress ? { id: ids.electronicAddress.value, scheme: ids.electronicAddress.scheme } : undefined,
    address: address(party.address),
    contact: contact(party),
  }) as Buyer;
}
