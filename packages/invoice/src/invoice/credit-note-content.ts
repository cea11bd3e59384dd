/**
 * What a credit note holds beyond what its invoice, number and date give: the content the ledger stores with its credit
 * (ADR 0024), so that the document can be made again from the ledger alone when the process that appended the credit
 * stopped before storing it, and so that a retry builds the very credit note the first attempt credited.
 */
import { parseDocumentNumber } from './number-sequence.port';
import { Invoice, type IssueContext, type InvoiceState } from './invoice';
import { documentAllowanceChargeToInput, invoiceLineToInput, type DocumentAllowanceChargeInput, type InvoiceLineInput } from './invoice-line';
import { DomainError, type CalendarDate, type TenantId } from '@invoicing/core';
import { periodInput, type InvoicePeriodInput } from './invoice-period';
import type { CreditedPosting } from '../ledger/ledger';
import type { InvoiceId } from '../shared/ids';
import { closingVatOf, type ClosingVatInput } from './totals';

/** Plain JSON, decimals as text: what `Invoice.draft` needs besides the parties, currency and series of the invoice. */
export interface CreditNoteContent {
  readonly lines: readonly InvoiceLineInput[];
  readonly allowances: readonly DocumentAllowanceChargeInput[];
  readonly charges: readonly DocumentAllowanceChargeInput[];
  readonly notes: readonly string[];
  readonly prepaidAmount: string;
  readonly roundingAmount: string;
  readonly purchaseOrderReference?: string;
  readonly buyerReference?: string;
  readonly externalReference?: string;
  /** BG-14: a full credit's is its invoice's. */
  readonly invoicePeriod?: InvoicePeriodInput;
  /** The VAT it takes in the categories it closes, in place of the computed one (absent when none, as before). */
  readonly closingVat?: readonly ClosingVatInput[];
}

/** The content that builds this credit note again, line by line and cent for cent. */
export function creditNoteContentOf(creditNote: InvoiceState): CreditNoteContent {
  const closing = closingVatOf(creditNote.vatBreakdown);
  return {
    lines: creditNote.lines.map(invoiceLineToInput),
    allowances: creditNote.allowances.map((each) => documentAllowanceChargeToInput(each, 'allowance')),
    charges: creditNote.charges.map((each) => documentAllowanceChargeToInput(each, 'charge')),
    notes: [...creditNote.notes],
    prepaidAmount: creditNote.totals.prepaid.toString(),
    roundingAmount: creditNote.totals.rounding.toString(),
    ...(creditNote.purchaseOrderReference === undefined ? {} : { purchaseOrderReference: creditNote.purchaseOrderReference }),
    ...(creditNote.buyerReference === undefined ? {} : { buyerReference: creditNote.buyerReference }),
    ...(creditNote.externalReference === undefined ? {} : { externalReference: creditNote.externalReference }),
    ...(creditNote.invoicePeriod === undefined ? {} : { invoicePeriod: periodInput(creditNote.invoicePeriod) }),
    ...(closing.length === 0 ? {} : { closingVat: closing }),
  };
}

/** A draft credit note of `invoice` (issued) with this content, in `series`. */
export function draftCreditNote(invoice: Invoice, content: CreditNoteContent, context: { readonly tenantId: TenantId; readonly id: InvoiceId; readonly series: string; readonly at: Date }): Invoice {
  const { number, issueDate } = invoice.toState();
  return Invoice.draft(
    {
      kind: 'credit_note',
      ...content,
      partnershipId: invoice.partnershipId,
      sellerId: invoice.sellerId,
      buyerId: invoice.buyerId,
      currency: invoice.currency,
      paymentTerms: { kind: 'due_on_receipt' },
      series: context.series,
      precedingInvoice: { id: invoice.id, number: number ?? '', issueDate: issueDate as CalendarDate },
    },
    { tenantId: context.tenantId, id: context.id, at: context.at },
  );
}

/**
 * What a credit note of `invoice` (issued) is issued with on `issueDate`: the invoice's parties as frozen, no approval.
 * Those of an invoice recorded from another system's history are as that record has them, never checked (ADR 0020):
 * its credit note is not held to the rules about them, as the invoice was not, or it could never be made.
 */
export function creditNoteIssue(invoice: Invoice, issueDate: CalendarDate): Omit<IssueContext, 'number' | 'at'> | undefined {
  const parties = invoice.parties;
  return parties && { ...parties, issueDate, requiresApproval: false, ...(invoice.importedAt === undefined ? {} : { partiesAsRecorded: true }) };
}

/**
 * The credit note a ledger credit made, issued as it was (its number, its day, the invoice's parties), from the
 * content stored with the credit.
 * @throws DomainError `ledger.credit_note_mismatch` when the content does not come to the amount credited (never the
 * case for content this release stored)
 */
export function creditNoteFromLedger(
  invoice: Invoice,
  credit: Pick<CreditedPosting, 'creditNoteId' | 'creditNoteNumber' | 'creditedOn' | 'amount'>,
  content: CreditNoteContent,
  at: Date,
): Invoice {
  const issuing = creditNoteIssue(invoice, credit.creditedOn);
  const series = parseDocumentNumber(credit.creditNoteNumber)?.series;
  const creditNote =
    issuing && series !== undefined ? draftCreditNote(invoice, content, { tenantId: invoice.tenantId, id: credit.creditNoteId, series, at }) : undefined;
  if (!issuing || !creditNote || !credit.amount.equals(creditNote.totals.amountDue)) {
    throw new DomainError('ledger.credit_note_mismatch', `the content stored with credit note ${credit.creditNoteId} does not make the credit note the ledger credited`, {
      creditNoteId: credit.creditNoteId,
    });
  }
  creditNote.issue({ ...issuing, number: credit.creditNoteNumber, at });
  return creditNote;
}
