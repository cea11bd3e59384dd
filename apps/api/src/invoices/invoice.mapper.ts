import {
  Invoice,
  type AllowanceCharge,
  type DocumentAllowanceCharge,
  type DocumentSeal,
  type InvoiceLine,
  type InvoiceState,
  type InvoiceSummary,
  type InvoiceTotals,
  type PartySnapshot,
  type VatBreakdown,
  type VatCategory,
} from '@invoicing/invoice';
import { toDecimalResponse, toMoneyResponse } from '../http/responses';
import { toPartnerIdentifiersResponse, toPaymentTermsResponse, toPostalAddressResponse } from '../partners/partner.mapper';
import type {
  AllowanceChargeViewDto,
  DocumentAllowanceChargeViewDto,
  DocumentSealDto,
  InvoiceDto,
  InvoiceLineDto,
  InvoiceSummaryDto,
  InvoiceTotalsDto,
  PartySnapshotDto,
  VatBreakdownDto,
  VatCategoryViewDto,
} from './invoice.response.dto';

/**
 * An invoice or credit note as the API answers it: the document, and what the aggregate derives from it (paid,
 * credited, still owed).
 */
export function toInvoiceResponse(state: InvoiceState): InvoiceDto {
  const invoice = Invoice.restore(state);
  return {
    id: state.id,
    version: state.version,
    kind: state.kind,
    status: state.status,
    number: state.number,
    series: state.series,
    partnershipId: state.partnershipId,
    sellerId: state.sellerId,
    buyerId: state.buyerId,
    sellerContactId: state.sellerContactId,
    buyerContactId: state.buyerContactId,
    seller: state.seller && toPartySnapshotResponse(state.seller),
    buyer: state.buyer && toPartySnapshotResponse(state.buyer),
    currency: state.currency,
    issueDate: state.issueDate,
    dueDate: state.dueDate,
    paymentTerms: toPaymentTermsResponse(state.paymentTerms),
    purchaseOrderReference: state.purchaseOrderReference,
    buyerReference: state.buyerReference,
    invoicePeriod: state.invoicePeriod && { start: state.invoicePeriod.start, end: state.invoicePeriod.end },
    externalReference: state.externalReference,
    notes: [...state.notes],
    lines: state.lines.map(toInvoiceLineResponse),
    allowances: state.allowances.map(toDocumentAllowanceChargeResponse),
    charges: state.charges.map(toDocumentAllowanceChargeResponse),
    vatBreakdown: state.vatBreakdown.map(toVatBreakdownResponse),
    totals: toTotalsResponse(state.totals),
    payments: state.payments.map((payment) => ({ paymentId: payment.paymentId, amount: toMoneyResponse(payment.amount), appliedOn: payment.appliedOn })),
    credits: state.credits.map((credit) => ({
      creditNoteId: credit.creditNoteId,
      creditNoteNumber: credit.creditNoteNumber,
      amount: toMoneyResponse(credit.amount),
      appliedOn: credit.appliedOn,
      paymentsReturned: (credit.paymentsReturned ?? []).map((part) => ({ paymentId: part.paymentId, amount: toMoneyResponse(part.amount) })),
    })),
    paid: toMoneyResponse(invoice.paidAmount),
    credited: toMoneyResponse(invoice.creditedAmount),
    outstanding: toMoneyResponse(invoice.outstanding),
    precedingInvoice: state.precedingInvoice && { id: state.precedingInvoice.id, number: state.precedingInvoice.number, issueDate: state.precedingInvoice.issueDate },
    approval: state.approval && { by: state.approval.by, at: state.approval.at },
    authors: state.authors && [...state.authors],
    possibleDuplicateOf: state.possibleDuplicateOf,
    voidReason: state.voidReason,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    issuedAt: state.issuedAt,
    seal: state.seal === undefined ? null : toSealResponse(state.seal),
  };
}

/** A document's seal in its series' hash chain (ADR 0022). */
export function toSealResponse(seal: DocumentSeal): DocumentSealDto {
  return { position: seal.position, contentHash: seal.contentHash, previousHash: seal.previousHash, hash: seal.hash };
}

/** An invoice or credit note as lists show it. */
export function toInvoiceSummaryResponse(summary: InvoiceSummary): InvoiceSummaryDto {
  return {
    id: summary.id,
    kind: summary.kind,
    status: summary.status,
    number: summary.number,
    partnershipId: summary.partnershipId,
    sellerId: summary.sellerId,
    buyerId: summary.buyerId,
    buyerContactId: summary.buyerContactId,
    currency: summary.currency,
    issueDate: summary.issueDate,
    dueDate: summary.dueDate,
    externalReference: summary.externalReference,
    purchaseOrderReference: summary.purchaseOrderReference,
    total: toMoneyResponse(summary.total),
    prepaid: toMoneyResponse(summary.prepaid),
    rounding: toMoneyResponse(summary.rounding),
    amountDue: toMoneyResponse(summary.amountDue),
    paid: toMoneyResponse(summary.paid),
    credited: toMoneyResponse(summary.credited),
    outstanding: toMoneyResponse(summary.outstanding),
    possibleDuplicateOf: summary.possibleDuplicateOf,
    seal: summary.seal === undefined ? null : toSealResponse(summary.seal),
  };
}

/** A VAT category, as invoices and marketables answer it: the rate as a decimal string, null for category O. */
export function toVatCategoryResponse(vat: VatCategory): VatCategoryViewDto {
  return {
    code: vat.code,
    rate: vat.rate === null ? null : toDecimalResponse(vat.rate),
    exemptionReason: vat.exemptionReason,
    exemptionReasonCode: vat.exemptionReasonCode,
  };
}

function toInvoiceLineResponse(line: InvoiceLine): InvoiceLineDto {
  return {
    id: line.id,
    marketableId: line.marketableId,
    name: line.name,
    description: line.description,
    sellerItemId: line.sellerItemId,
    period: line.period && { start: line.period.start, end: line.period.end },
    quantity: toDecimalResponse(line.quantity),
    unitCode: line.unitCode,
    netPrice: toDecimalResponse(line.netPrice),
    priceBaseQuantity: toDecimalResponse(line.priceBaseQuantity),
    allowances: line.allowances.map(toAllowanceChargeResponse),
    charges: line.charges.map(toAllowanceChargeResponse),
    vat: toVatCategoryResponse(line.vat),
    netAmount: toMoneyResponse(line.netAmount),
  };
}

function toAllowanceChargeResponse(item: AllowanceCharge): AllowanceChargeViewDto {
  return {
    amount: toMoneyResponse(item.amount),
    percent: item.percent && toDecimalResponse(item.percent),
    baseAmount: item.baseAmount && toMoneyResponse(item.baseAmount),
    reason: item.reason,
    reasonCode: item.reasonCode,
  };
}

function toDocumentAllowanceChargeResponse(item: DocumentAllowanceCharge): DocumentAllowanceChargeViewDto {
  return { ...toAllowanceChargeResponse(item), vat: toVatCategoryResponse(item.vat) };
}

function toVatBreakdownResponse(entry: VatBreakdown): VatBreakdownDto {
  return { category: toVatCategoryResponse(entry.category), taxableAmount: toMoneyResponse(entry.taxableAmount), taxAmount: toMoneyResponse(entry.taxAmount) };
}

function toTotalsResponse(totals: InvoiceTotals): InvoiceTotalsDto {
  return {
    lineTotal: toMoneyResponse(totals.lineTotal),
    allowanceTotal: toMoneyResponse(totals.allowanceTotal),
    chargeTotal: toMoneyResponse(totals.chargeTotal),
    taxExclusive: toMoneyResponse(totals.taxExclusive),
    taxTotal: toMoneyResponse(totals.taxTotal),
    taxInclusive: toMoneyResponse(totals.taxInclusive),
    prepaid: toMoneyResponse(totals.prepaid),
    rounding: toMoneyResponse(totals.rounding),
    amountDue: toMoneyResponse(totals.amountDue),
  };
}

function toPartySnapshotResponse(party: PartySnapshot): PartySnapshotDto {
  const { contact } = party;
  return {
    partnerId: party.partnerId,
    legalName: party.legalName,
    tradingName: party.tradingName,
    identifiers: toPartnerIdentifiersResponse(party.identifiers),
    address: party.address && toPostalAddressResponse(party.address),
    contact: contact && { id: contact.id, name: contact.name, email: contact.email, phone: contact.phone },
  };
}
