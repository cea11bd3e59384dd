import { DomainError, ValidationError, type TenantId } from '@invoicing/core';
import { inject, injectable } from 'inversify';
import type { InvoiceState } from '../invoice/invoice';
import { INVOICE_REPOSITORY, type InvoiceRepository } from '../invoice/invoice-repository.port';
import { CreateInvoiceDraft, type CreateInvoiceCommand, type PreparedDraft } from '../invoice/invoice.use-cases';
import type { InvoiceId, PartnershipId } from '../shared/ids';
import { isCreditNoteType, type En16931Document, type Finding } from './model';
import { isListed } from './rules/code-lists';
import { calculationDisagreements, draftFromEn16931 } from './to-draft';

export interface ImportEInvoiceCommand {
  readonly tenantId: TenantId;
  /** The partnership the file's seller and buyer trade under: it gives the parties, currency, terms and series. */
  readonly partnershipId: PartnershipId;
  /** The document as read from the file (`readInvoice` of the formats adapter). */
  readonly document: En16931Document;
  /** What reading the file found (XSD, syntax rules, EN 16931 rules): one fatal finding refuses the file. */
  readonly findings: readonly Finding[];
  /** Derived from the request, as for `CreateInvoiceDraft`: a retry answers the draft the first attempt made. */
  readonly id?: InvoiceId;
  /** Who imports it: the draft's authors (`CreateInvoiceCommand.authors`). */
  readonly authors?: readonly string[];
}

export interface ImportedEInvoice {
  readonly invoice: InvoiceState;
  /** The terms the file states that the invoice does not record (see `draftFromEn16931`). */
  readonly notRecorded: readonly string[];
}

/**
 * The file cannot become a draft of this partnership as it stands; `details.findings` says why, term by term. At most
 * {@link EInvoiceRefusedError.MAX_LISTED_FINDINGS} are listed, the others counted in `details.omittedFindings`: a file
 * of a megabyte can break a rule 144,000 times, and listing them all made a refusal of 33 MB (audit dos DOS-5).
 */
export class EInvoiceRefusedError extends DomainError {
  /** The findings a refusal lists, in their order; those after are only counted. */
  static readonly MAX_LISTED_FINDINGS = 1_000;

  override readonly name: string = 'EInvoiceRefusedError';

  /** @param omittedFindings findings the caller left out of `findings` already, counted with those cut here */
  constructor(
    code: 'e_invoice.invalid' | 'e_invoice.credit_note_not_supported' | 'e_invoice.type_not_supported' | 'e_invoice.calculation_mismatch' | 'e_invoice.partnership_mismatch',
    message: string,
    findings: readonly Finding[],
    omittedFindings = 0,
  ) {
    const listed = findings.length > EInvoiceRefusedError.MAX_LISTED_FINDINGS ? findings.slice(0, EInvoiceRefusedError.MAX_LISTED_FINDINGS) : findings;
    const omitted = omittedFindings + findings.length - listed.length;
    super(code, message, omitted > 0 ? { findings: listed, omittedFindings: omitted } : { findings: listed });
  }
}

/**
 * Imports an e-invoice as a draft of a partnership. A file with a fatal finding is refused (`e_invoice.invalid`, with
 * them all), and so is a credit note (`e_invoice.credit_note_not_supported`) or another type of document than the invoices
 * of {@link IMPORTED_TYPE_CODES} (`e_invoice.type_not_supported`). The draft computes its own amounts; the file is refused when what
 * it states differs from them (`e_invoice.calculation_mismatch`, every difference listed), or when it is not about
 * this partnership: another currency, or a seller or buyer VAT id that is not the partner's
 * (`e_invoice.partnership_mismatch`). Nothing is corrected or dropped silently: what a draft cannot record comes back
 * in `notRecorded`. The file's number becomes the draft's external reference, so the same file imported twice is
 * `invoice.duplicate_external_reference`.
 */
@injectable()
export class ImportEInvoice {
  constructor(
    @inject(CreateInvoiceDraft) private readonly createDraft: CreateInvoiceDraft,
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
  ) {}

  /** @throws EInvoiceRefusedError; the errors of `CreateInvoiceDraft` (partnership.not_found, ValidationError …) */
  async execute(command: ImportEInvoiceCommand): Promise<ImportedEInvoice> {
    const fatal = command.findings.filter((finding) => finding.severity === 'fatal');
    if (fatal.length > 0) throw new EInvoiceRefusedError('e_invoice.invalid', `The file breaks ${fatal.length} EN 16931 rule(s); nothing was imported.`, fatal);
    refuseUnrecordedType(command.document.typeCode);
    const { draft, externalReference, notRecorded } = draftFromEn16931(command.document);
    const create: CreateInvoiceCommand = {
      ...draft,
      tenantId: command.tenantId,
      partnershipId: command.partnershipId,
      ...(externalReference === undefined ? {} : { externalReference }),
      ...(command.id === undefined ? {} : { id: command.id }),
      ...(command.authors === undefined ? {} : { authors: command.authors }),
    };
    // A retry of an attempt whose draft was stored (its answer lost) is refused by its own external reference: the
    // stored draft is the answer, as `CreateInvoiceDraft` answers it.
    let prepared: PreparedDraft;
    try {
      prepared = await this.prepare(command.document, create);
    } catch (error) {
      const stored = command.id !== undefined && error instanceof DomainError ? await this.invoices.get(command.tenantId, command.id) : undefined;
      if (stored) return { invoice: stored.toState(), notRecorded };
      throw error;
    }
    const mismatches = partnershipMismatches(command.document, prepared);
    if (mismatches.length > 0) throw new EInvoiceRefusedError('e_invoice.partnership_mismatch', 'The file is not about this partnership.', mismatches);
    const disagreements = calculationDisagreements(command.document, prepared.invoice.toState());
    if (disagreements.length > 0) {
      throw new EInvoiceRefusedError('e_invoice.calculation_mismatch', 'The amounts the file states are not what its content comes to.', disagreements);
    }
    return { invoice: await this.createDraft.execute(create), notRecorded };
  }

  /**
   * The draft as `CreateInvoiceDraft` prepares it. A prepaid or rounding amount out of bounds is checked against what
   * the content comes to as the platform computes it: when the file's own figures do not compute, that is the reason
   * given (`e_invoice.calculation_mismatch`), not the bound.
   */
  private async prepare(document: En16931Document, create: CreateInvoiceCommand): Promise<PreparedDraft> {
    try {
      return await this.createDraft.prepare(create);
    } catch (error) {
      if (!(error instanceof ValidationError) || !error.issues.every((issue) => ADJUSTMENT_BOUNDS.includes(issue.code))) throw error;
      const { prepaidAmount: _prepaid, roundingAmount: _rounding, ...unadjusted } = create;
      const bare = await this.createDraft.prepare(unadjusted);
      const disagreements = calculationDisagreements(document, bare.invoice.toState()).filter((finding) => !ADJUSTED_TERMS.includes(finding.term ?? ''));
      if (disagreements.length > 0) {
        throw new EInvoiceRefusedError('e_invoice.calculation_mismatch', 'The amounts the file states are not what its content comes to.', disagreements);
      }
      throw error;
    }
  }
}

/**
 * The types of document (BT-3, UNTDID 1001) an import makes a draft invoice of: invoices whose amounts the buyer owes,
 * in full and on their own. 380 commercial invoice, 326 partial invoice, 383 debit note, 386 prepayment invoice, 389
 * self-billed invoice; the draft is an invoice (380), so another of these is named in `notRecorded`. Any other type is
 * refused rather than guessed at: a credit note is owed by the seller, a corrected invoice (384) replaces the one it
 * corrects, a final construction invoice (877) counts what earlier ones charged, a proforma (325) or an invoice for
 * information (751) claims nothing.
 */
export const IMPORTED_TYPE_CODES: ReadonlySet<string> = new Set(['380', '326', '383', '386', '389']);

/** @throws EInvoiceRefusedError when a document of this type cannot become a draft invoice. */
function refuseUnrecordedType(typeCode: string | undefined): void {
  // Without a type code, or with one outside UNTDID 1001, the file already has a fatal finding (BR-04, BR-CL-01).
  if (typeCode === undefined || isListed(IMPORTED_TYPE_CODES, typeCode)) return;
  const finding = (message: string): Finding[] => [{ rule: 'INV-TYPE', severity: 'fatal', term: 'BT-3', pointer: 'typeCode', message }];
  // A credit note's amounts are what the seller owes back: made into an invoice, they would be owed by the buyer.
  if (isCreditNoteType(typeCode)) {
    const message = `The file is a credit note (type code ${typeCode}): an import makes invoices. Credit the invoice it corrects instead.`;
    throw new EInvoiceRefusedError('e_invoice.credit_note_not_supported', message, finding(message));
  }
  const message = `The file is of type code ${typeCode}: an import makes invoices of type ${[...IMPORTED_TYPE_CODES].join(', ')} only.`;
  throw new EInvoiceRefusedError('e_invoice.type_not_supported', message, finding(message));
}

const ADJUSTMENT_BOUNDS: readonly string[] = ['invoice.prepaid_out_of_range', 'invoice.rounding_out_of_range'];
/** Prepaid (BT-113), rounding (BT-114) and the amount due they change (BT-115). */
const ADJUSTED_TERMS: readonly string[] = ['BT-113', 'BT-114', 'BT-115'];

function partnershipMismatches(doc: En16931Document, { partnership, seller, buyer }: PreparedDraft): Finding[] {
  const findings: Finding[] = [];
  const currency = partnership.toState().currency;
  if (doc.currency !== currency) {
    findings.push({ rule: 'INV-PARTNERSHIP', severity: 'fatal', term: 'BT-5', pointer: 'currency', message: `The file is in ${doc.currency ?? 'no currency'}, the partnership in ${currency}.` });
  }
  // Each identifier the file and the partner both have must be the same: a file naming another company by any of
  // them is not about this partnership.
  const compare = (stated: string | undefined, ours: string | undefined, term: string, pointer: string, what: string) => {
    if (stated !== undefined && ours !== undefined && normalise(stated) !== normalise(ours)) {
      findings.push({ rule: 'INV-PARTNERSHIP', severity: 'fatal', term, pointer, message: `The ${what} is ${stated} in the file and ${ours} for the partner.` });
    }
  };
  const address = (identifier: { readonly id: string; readonly scheme?: string } | undefined) => identifier && `${identifier.scheme ?? ''}:${identifier.id}`;
  const sellerIds = seller.toState().identifiers;
  const buyerIds = buyer.toState().identifiers;
  compare(doc.seller.vatId, sellerIds.vatId, 'BT-31', 'seller.vatId', "seller's VAT id");
  compare(doc.seller.taxRegistrationId, sellerIds.taxRegistrationId, 'BT-32', 'seller.taxRegistrationId', "seller's tax registration id");
  compare(doc.seller.legalRegistration?.id, sellerIds.legalRegistration?.value, 'BT-30', 'seller.legalRegistration', "seller's legal registration id");
  compare(address(doc.seller.electronicAddress), address(sellerIds.electronicAddress && { id: sellerIds.electronicAddress.value, scheme: sellerIds.electronicAddress.scheme }), 'BT-34', 'seller.electronicAddress', "seller's electronic address");
  compare(doc.buyer.vatId, buyerIds.vatId, 'BT-48', 'buyer.vatId', "buyer's VAT id");
  compare(doc.buyer.legalRegistration?.id, buyerIds.legalRegistration?.value, 'BT-47', 'buyer.legalRegistration', "buyer's legal registration id");
  compare(address(doc.buyer.electronicAddress), address(buyerIds.electronicAddress && { id: buyerIds.electronicAddress.value, scheme: buyerIds.electronicAddress.scheme }), 'BT-49', 'buyer.electronicAddress', "buyer's electronic address");
  return findings;
}

/** An identifier as compared: without spaces, dots and dashes, in capitals (`FR 12.345` is `FR12345`). */
function normalise(identifier: string): string {
  return identifier.replace(/[\s.-]/g, '').toUpperCase();
}
