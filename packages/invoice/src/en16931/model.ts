/**
 * The EN 16931-1 semantic model of an invoice or credit note: every business term (BT) and group (BG) the standard
 * defines, named in plain English, syntax-neutral. UBL 2.1 and UN/CEFACT CII D16B both map to and from this shape
 * (`@invoicing/integration/formats`), and the EN 16931 business rules run on it (`validate-en16931.ts`).
 *
 * Values are kept exactly as the document states them, because a document is evidence:
 * - amounts, quantities, prices and rates are the decimal text as written (`"1436.5"` stays `"1436.5"`), so the
 *   rules that count decimals (BR-DEC-*) and the totals checks (BR-CO-*) see what the sender sent, and a round trip
 *   writes back the same text;
 * - dates are ISO `YYYY-MM-DD` (CII's `102` format is converted on reading, and back on writing);
 * - codes are the text of the code (ISO 4217, UNCL 1001/4461/5189/7161/5305, UNECE Rec 20, ISO 3166-1, ISO 6523 …),
 *   checked by the BR-CL-* rules, never rejected by the model itself.
 * Optional terms are `undefined` when absent; lists are always present (possibly empty); a group that is there but
 * holds no term is `{}` where a rule tests the group's presence (addresses, periods). Nothing is computed here:
 * stated totals stay stated, and the rules say whether they agree with the lines (ADR 0015).
 */

import { UNTDID_1001_UBL_CREDIT_NOTE } from './rules/code-list-values';
import { isListed } from './rules/code-lists';

/** An `xs:decimal` as written in the document, e.g. `"1436.50"`. */
export type DecimalText = string;

/** An ISO 8601 calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

/** An identifier with its optional scheme (ISO 6523 ICD, EAS, or a code list named by the term). */
export interface Identifier {
  readonly id: string;
  readonly scheme?: string;
}

/**
 * BG-5, BG-8, BG-12, BG-15: a postal address. A group the document states without any term is `{}`, not absent:
 * BR-08, BR-10, BR-19 test that the group is there, BR-09, BR-11, BR-20, BR-57 then want its country.
 */
export interface Address {
  /** BT-35 … */
  readonly line1?: string;
  /** BT-36 … */
  readonly line2?: string;
  /** BT-162 … */
  readonly line3?: string;
  /** BT-37 … */
  readonly city?: string;
  /** BT-38 … */
  readonly postCode?: string;
  /** BT-39 …: region, county, state. */
  readonly subdivision?: string;
  /** BT-40 …: ISO 3166-1 alpha-2. */
  readonly country?: string;
}

/** BG-6, BG-9: a contact at a party. */
export interface Contact {
  /** BT-41, BT-56 */
  readonly name?: string;
  /** BT-42, BT-57 */
  readonly phone?: string;
  /** BT-43, BT-58 */
  readonly email?: string;
}

/** BG-4: the seller. */
export interface Seller {
  /** BT-27 */
  readonly name?: string;
  /** BT-28 */
  readonly tradingName?: string;
  /** BT-29 (0..n), scheme BT-29-1 */
  readonly identifiers: readonly Identifier[];
  /** BT-30, scheme BT-30-1 */
  readonly legalRegistration?: Identifier;
  /** BT-31 */
  readonly vatId?: string;
  /** BT-32: a tax registration that is not VAT (UBL tax scheme other than `VAT`, CII scheme `FC`). */
  readonly taxRegistrationId?: string;
  /** BT-33 */
  readonly additionalLegalInformation?: string;
  /** BT-34, scheme BT-34-1 (EAS) */
  readonly electronicAddress?: Identifier;
  /** BG-5 */
  readonly address?: Address;
  /** BG-6 */
  readonly contact?: Contact;
}

/** BG-7: the buyer. */
export interface Buyer {
  /** BT-44 */
  readonly name?: string;
  /** BT-45 */
  readonly tradingName?: string;
  /** BT-46, scheme BT-46-1 */
  readonly identifier?: Identifier;
  /** BT-47, scheme BT-47-1 */
  readonly legalRegistration?: Identifier;
  /** BT-48 */
  readonly vatId?: string;
  /** BT-49, scheme BT-49-1 (EAS) */
  readonly electronicAddress?: Identifier;
  /** BG-8 */
  readonly address?: Address;
  /** BG-9 */
  readonly contact?: Contact;
}

/** BG-10: the payee, when it is not the seller. */
export interface Payee {
  /** BT-59 */
  readonly name?: string;
  /** BT-60, scheme BT-60-1 */
  readonly identifier?: Identifier;
  /** BT-61, scheme BT-61-1 */
  readonly legalRegistration?: Identifier;
}

/** BG-11: the seller's tax representative. */
export interface TaxRepresentative {
  /** BT-62 */
  readonly name?: string;
  /** BT-63 */
  readonly vatId?: string;
  /** BG-12 */
  readonly address?: Address;
}

/** BG-14, BG-26: a period; either end may be absent. */
export interface Period {
  /** BT-73, BT-134 */
  readonly start?: IsoDate;
  /** BT-74, BT-135 */
  readonly end?: IsoDate;
}

/** BG-13: delivery information. */
export interface Delivery {
  /** BT-70 */
  readonly partyName?: string;
  /** BT-71, scheme BT-71-1 */
  readonly locationId?: Identifier;
  /** BT-72 */
  readonly date?: IsoDate;
  /** BG-15 */
  readonly address?: Address;
}

/** BG-17: a credit transfer to an account. */
export interface CreditTransfer {
  /** BT-84: IBAN, or another account number. */
  readonly accountId?: string;
  /** BT-85 */
  readonly accountName?: string;
  /** BT-86: BIC, or another payment service provider id. */
  readonly serviceProviderId?: string;
}

/** BG-16: how the buyer is to pay. */
export interface PaymentInstructions {
  /** BT-81: UNCL 4461. */
  readonly meansCode?: string;
  /** BT-82 */
  readonly meansText?: string;
  /** BT-83 */
  readonly remittanceInformation?: string;
  /** BG-17 (0..n) */
  readonly creditTransfers: readonly CreditTransfer[];
  /** BG-18 */
  readonly card?: { /** BT-87: the last digits only. */ readonly accountNumber?: string; /** BT-88 */ readonly holderName?: string };
  /** BG-19 */
  readonly directDebit?: {
    /** BT-89 */
    readonly mandateReference?: string;
    /** BT-90 */
    readonly creditorId?: string;
    /** BT-91 */
    readonly debitedAccountId?: string;
  };
}

/** BG-20 / BG-21, and BG-27 / BG-28 on a line: an allowance (discount) or a charge. */
export interface AllowanceCharge {
  /** BT-92, BT-99, BT-136, BT-141 */
  readonly amount?: DecimalText;
  /** BT-93, BT-100, BT-137, BT-142 */
  readonly baseAmount?: DecimalText;
  /** BT-94, BT-101, BT-138, BT-143 */
  readonly percentage?: DecimalText;
  /** BT-97, BT-104, BT-139, BT-144 */
  readonly reason?: string;
  /** BT-98, BT-105, BT-140, BT-145: UNCL 5189 (allowances) or UNCL 7161 (charges). */
  readonly reasonCode?: string;
}

/** BG-20 / BG-21 at document level also carry a VAT category. */
export interface DocumentAllowanceCharge extends AllowanceCharge {
  /** BT-95, BT-102: UNCL 5305 subset (S, Z, E, AE, K, G, O, L, M). */
  readonly vatCategory?: string;
  /** BT-96, BT-103 */
  readonly vatRate?: DecimalText;
}

/** BG-22: the totals as the document states them. */
export interface DocumentTotals {
  /** BT-106 */
  readonly lineNetTotal?: DecimalText;
  /** BT-107 */
  readonly allowanceTotal?: DecimalText;
  /** BT-108 */
  readonly chargeTotal?: DecimalText;
  /** BT-109 */
  readonly taxExclusive?: DecimalText;
  /** BT-110: the VAT total in the document currency. */
  readonly vatTotal?: DecimalText;
  /** BT-111: the VAT total in the VAT accounting currency (BT-6). */
  readonly vatTotalInAccountingCurrency?: DecimalText;
  /** BT-112 */
  readonly taxInclusive?: DecimalText;
  /** BT-113 */
  readonly prepaid?: DecimalText;
  /** BT-114 */
  readonly rounding?: DecimalText;
  /** BT-115 */
  readonly amountDue?: DecimalText;
}

/** BG-23: one VAT breakdown entry, per category and rate. */
export interface VatBreakdownEntry {
  /** BT-116 */
  readonly taxableAmount?: DecimalText;
  /** BT-117 */
  readonly taxAmount?: DecimalText;
  /** BT-118 */
  readonly category?: string;
  /** BT-119 */
  readonly rate?: DecimalText;
  /** BT-120 */
  readonly exemptionReason?: string;
  /** BT-121: VATEX code list. */
  readonly exemptionReasonCode?: string;
}

/** BG-24: a supporting document, referenced or attached. */
export interface Attachment {
  /** BT-122 */
  readonly reference?: string;
  /** BT-123 */
  readonly description?: string;
  /** BT-124 */
  readonly externalLocation?: string;
  /** BT-125, with its MIME code (BT-125-1) and file name (BT-125-2); the content is base64 text as sent. */
  readonly content?: { readonly base64: string; readonly mimeCode?: string; readonly filename?: string };
}

/**
 * BG-32: an item attribute. Each term is absent when its element is, and `''` when the element is there but empty:
 * BR-54 tests that both elements exist, not that they hold text.
 */
export interface ItemAttribute {
  /** BT-160 */
  readonly name?: string;
  /** BT-161 */
  readonly value?: string;
}

/** BG-31's BT-158: an item classification. */
export interface Classification {
  readonly id: string;
  /** BT-158-1: UNTDID 7143. */
  readonly scheme?: string;
  /** BT-158-2 */
  readonly schemeVersion?: string;
}

/** BG-25: an invoice line. */
export interface Line {
  /** BT-126 */
  readonly id?: string;
  /** BT-127 */
  readonly note?: string;
  /** BT-128, scheme BT-128-1 */
  readonly objectIdentifier?: Identifier;
  /** BT-129 */
  readonly quantity?: DecimalText;
  /** BT-130: UNECE Rec 20 / 21. */
  readonly unitCode?: string;
  /** BT-131 */
  readonly netAmount?: DecimalText;
  /** BT-132 */
  readonly orderLineReference?: string;
  /** BT-133 */
  readonly buyerAccountingReference?: string;
  /** BG-26 */
  readonly period?: Period;
  /** BG-27 */
  readonly allowances: readonly AllowanceCharge[];
  /** BG-28 */
  readonly charges: readonly AllowanceCharge[];
  /** BG-29 */
  readonly price: {
    /** BT-146 */
    readonly netPrice?: DecimalText;
    /** BT-147 */
    readonly discount?: DecimalText;
    /** BT-148 */
    readonly grossPrice?: DecimalText;
    /** BT-149 */
    readonly baseQuantity?: DecimalText;
    /** BT-150 */
    readonly baseQuantityUnitCode?: string;
  };
  /** BG-30: BT-151 category and BT-152 rate. */
  readonly vat: { readonly category?: string; readonly rate?: DecimalText };
  /** BG-31 */
  readonly item: {
    /** BT-153 */
    readonly name?: string;
    /** BT-154 */
    readonly description?: string;
    /** BT-155 */
    readonly sellerId?: string;
    /** BT-156 */
    readonly buyerId?: string;
    /** BT-157, scheme BT-157-1 */
    readonly standardId?: Identifier;
    /** BT-158 (0..n) */
    readonly classifications: readonly Classification[];
    /** BT-159: ISO 3166-1 alpha-2. */
    readonly originCountry?: string;
    /** BG-32 */
    readonly attributes: readonly ItemAttribute[];
  };
}

/** BG-0: the invoice or credit note. */
export interface En16931Document {
  /** BT-1 */
  readonly number?: string;
  /** BT-2 */
  readonly issueDate?: IsoDate;
  /** BT-3: UNCL 1001 subset (380 invoice, 381 credit note, 384 corrected, 389 self-billed …). */
  readonly typeCode?: string;
  /** BT-5: ISO 4217. */
  readonly currency?: string;
  /** BT-6: ISO 4217. */
  readonly vatAccountingCurrency?: string;
  /** BT-7 */
  readonly taxPointDate?: IsoDate;
  /** BT-8: UNCL 2005 (UBL) / UNCL 2475 (CII) as written by the syntax. */
  readonly taxPointDateCode?: string;
  /** BT-9 */
  readonly dueDate?: IsoDate;
  /** BT-10 */
  readonly buyerReference?: string;
  /** BT-11 */
  readonly projectReference?: string;
  /** BT-12 */
  readonly contractReference?: string;
  /** BT-13 */
  readonly purchaseOrderReference?: string;
  /** BT-14 */
  readonly salesOrderReference?: string;
  /** BT-15 */
  readonly receivingAdviceReference?: string;
  /** BT-16 */
  readonly despatchAdviceReference?: string;
  /** BT-17 */
  readonly tenderOrLotReference?: string;
  /** BT-18, scheme BT-18-1 (UNTDID 1153) */
  readonly invoicedObjectIdentifier?: Identifier;
  /** BT-19 */
  readonly buyerAccountingReference?: string;
  /** BT-20 */
  readonly paymentTerms?: string;
  /** BG-1: BT-21 subject code (UNCL 4451), BT-22 text. */
  readonly notes: readonly { readonly subjectCode?: string; readonly text: string }[];
  /** BG-2: BT-23 business process, BT-24 specification identifier. */
  readonly process: { readonly businessProcess?: string; readonly specification?: string };
  /** BG-3: BT-25 reference, BT-26 issue date. */
  readonly precedingInvoices: readonly { readonly reference?: string; readonly issueDate?: IsoDate }[];
  /** BG-4 */
  readonly seller: Seller;
  /** BG-7 */
  readonly buyer: Buyer;
  /** BG-10 */
  readonly payee?: Payee;
  /** BG-11 */
  readonly taxRepresentative?: TaxRepresentative;
  /** BG-13 */
  readonly delivery?: Delivery;
  /** BG-14 */
  readonly invoicePeriod?: Period;
  /** BG-16 */
  readonly paymentInstructions?: PaymentInstructions;
  /** BG-20 */
  readonly allowances: readonly DocumentAllowanceCharge[];
  /** BG-21 */
  readonly charges: readonly DocumentAllowanceCharge[];
  /** BG-22 */
  readonly totals: DocumentTotals;
  /** BG-23 */
  readonly vatBreakdown: readonly VatBreakdownEntry[];
  /** BG-24 */
  readonly attachments: readonly Attachment[];
  /** BG-25 */
  readonly lines: readonly Line[];
}

/**
 * The UNTDID 1001 codes of credit notes: the official list of a UBL `CreditNote` (the validator's, BR-CL-01), so that
 * what is a credit note and what the rules accept as one cannot drift apart. 81 is also on the UBL `Invoice` list: the
 * UBL writer keeps such a document an `Invoice`.
 */
export const CREDIT_NOTE_TYPE_CODES: readonly string[] = [...UNTDID_1001_UBL_CREDIT_NOTE];

/** Whether a type code (BT-3) makes the document a credit note: its amounts are owed by the seller. */
export function isCreditNoteType(typeCode: string | undefined): boolean {
  return typeCode !== undefined && isListed(UNTDID_1001_UBL_CREDIT_NOTE, typeCode);
}

/** Severity of a finding: a fatal finding makes the document non-compliant; a warning does not. */
export type FindingSeverity = 'fatal' | 'warning';

/**
 * One broken rule. `rule` is the official id (`BR-CO-10`, `BR-S-08`, `UBL-SR-12`, `CII-SR-001` …) or, for the checks
 * that the standard leaves to us, `INV-*`. The location is semantic here (`term`, `pointer`); the formats adapter adds
 * the XPath, line and column of the file.
 */
export interface Finding {
  readonly rule: string;
  readonly severity: FindingSeverity;
  readonly message: string;
  /** The business term or group the rule is about, e.g. `BT-131`. */
  readonly term?: string;
  /** Where in the semantic model, e.g. `lines[2].netAmount`; absent for the whole document. */
  readonly pointer?: string;
  /** Added by the formats adapter. */
  readonly xpath?: string;
  readonly line?: number;
  readonly column?: number;
}

/** A document with nothing in it: the start of a reader, and of tests that build one term at a time. */
export function emptyDocument(): En16931Document {
  return {
    notes: [],
    process: {},
    precedingInvoices: [],
    seller: { identifiers: [] },
    buyer: {},
    allowances: [],
    charges: [],
    totals: {},
    vatBreakdown: [],
    attachments: [],
    lines: [],
  };
}
