import { DomainError, type CalendarDate, type ValidationIssue } from '@invoicing/core';
import { dueDate as dueDateFor, type PaymentTerms } from '../partnership/payment-terms';
import type { InvoiceState } from './invoice';
import type { PartySnapshot } from './party-snapshot';

/**
 * The EN 16931 rules a document must meet to be issued that need the whole document and its parties (BR-16, BR-8/BR-10,
 * per-category seller and buyer ids, BR-O-02/11), and a due date the calendar holds: one issue per rule broken, none
 * when the document can be issued. With `partiesAsRecorded`, the rules about the parties (those at `seller.*` and
 * `buyer.*`) are not applied: see {@link IssueParties}.
 */
export function issueProblems(
  state: Pick<InvoiceState, 'kind' | 'lines' | 'dueDate' | 'paymentTerms' | 'totals' | 'vatBreakdown'>,
  parties: IssueParties,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const problem = (path: string, code: string, message: string): void => {
    issues.push({ path, code, message });
  };
  const { seller, buyer, issueDate } = parties;
  if (state.lines.length === 0) problem('lines', 'invoice.no_lines', 'a document has at least one line (BR-16)');
  if (!seller.address) problem('seller.address', 'invoice.seller_address_required', 'the seller needs a postal address with a country (BR-8, BR-9)');
  if (!buyer.address) problem('buyer.address', 'invoice.buyer_address_required', 'the buyer needs a postal address with a country (BR-10, BR-11)');
  if (state.dueDate !== undefined && state.dueDate < issueDate) {
    problem('dueDate', 'invoice.due_before_issue', `the due date ${state.dueDate} is before the issue date ${issueDate}`);
  }
  // Worked out here, not only at issue: found after the number was reserved, it left a gap (audit D4).
  if (state.dueDate === undefined && !dueDateFits(state.paymentTerms, issueDate)) {
    problem('dueDate', 'invoice.due_date_out_of_range', `the payment terms put the due date of an invoice issued on ${issueDate} after 9999-12-31: give the draft its due date`);
  }
  if (state.kind === 'credit_note' && state.totals.amountDue.isNegative()) {
    problem('totals.amountDue', 'credit_note.negative_amount', 'a credit note credits a positive amount');
  }
  // Issued, it would be paid with nothing moved: the ledger has no credit for the buyer that is not a payment's or a
  // credit note's, so what the tenant owes back would be recorded nowhere (audit recon F1).
  if (state.kind === 'invoice' && state.totals.amountDue.isNegative()) {
    problem('totals.amountDue', 'invoice.negative_amount_due', 'an invoice is never due below zero: credit what the buyer gets back with a credit note of the invoice it corrects');
  }
  // BR-CO-26: a document whose seller has neither could be issued, sealed and never handed out as an e-invoice.
  if (!seller.identifiers.vatId && !seller.identifiers.legalRegistration) {
    problem('seller.identifiers', 'invoice.seller_identifier_required', 'the seller needs a VAT id or a legal registration id (BR-CO-26)');
  }
  const categories = new Set(state.vatBreakdown.map((entry) => entry.category.code));
  const sellerTaxId = seller.identifiers.vatId ?? seller.identifiers.taxRegistrationId;
  for (const code of ['S', 'Z', 'E', 'L', 'M'] as const) {
    if (categories.has(code) && !sellerTaxId) problem('seller.identifiers.vatId', 'invoice.seller_vat_id_required', `category ${code} needs the seller's VAT or tax registration id`);
  }
  for (const code of ['AE', 'K', 'G'] as const) {
    if (categories.has(code) && !seller.identifiers.vatId) problem('seller.identifiers.vatId', 'invoice.seller_vat_id_required', `category ${code} needs the seller's VAT id`);
  }
  if (categories.has('AE') && !buyer.identifiers.vatId && !buyer.identifiers.legalRegistration) {
    problem('buyer.identifiers.vatId', 'invoice.buyer_vat_id_required', 'reverse charge (AE) needs the buyer VAT id or legal registration id (BR-AE-02)');
  }
  if (categories.has('K') && !buyer.identifiers.vatId) {
    problem('buyer.identifiers.vatId', 'invoice.buyer_vat_id_required', 'an intra-community supply (K) needs the buyer VAT id (BR-IC-02)');
  }
  if (categories.has('O')) {
    if (categories.size > 1) problem('vatBreakdown', 'invoice.not_subject_mixed', 'a document not subject to VAT (O) has no other VAT category (BR-O-11)');
    for (const [party, snapshot] of [['seller', seller], ['buyer', buyer]] as const) {
      if (snapshot.identifiers.vatId) problem(`${party}.identifiers.vatId`, 'invoice.not_subject_vat_id', 'a document not subject to VAT (O) carries no VAT ids (BR-O-02)');
    }
  }
  // De-duplicate repeated issues (one per category) to keep the message readable.
  const unique = issues.filter((issue, index) => issues.findIndex((other) => other.code === issue.code && other.path === issue.path) === index);
  return parties.partiesAsRecorded === true ? unique.filter((issue) => !/^(seller|buyer)\./.test(issue.path)) : unique;
}

/** The parties and the day a document is issued with. */
export interface IssueParties {
  readonly seller: PartySnapshot;
  readonly buyer: PartySnapshot;
  readonly issueDate: CalendarDate;
  /**
   * The parties are snapshots of an invoice recorded from another system's history (ADR 0020), which was recorded
   * without these rules: a credit note of it has no other parties to give, so the rules about them are not applied (it
   * could never be issued otherwise). The rules about its own content and amounts still are.
   */
  readonly partiesAsRecorded?: boolean;
}

/** Whether the due date the terms give for an issue on `issueDate` is a calendar date (on or before 9999-12-31). */
function dueDateFits(terms: PaymentTerms, issueDate: CalendarDate): boolean {
  try {
    dueDateFor(terms, issueDate);
    return true;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'date.out_of_range') return false;
    throw error;
  }
}
