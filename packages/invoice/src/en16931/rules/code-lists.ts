import type { En16931Document, Finding, Identifier } from '../model';
import {
  EAS,
  ISO_3166,
  ISO_3166_CII,
  ISO_4217,
  ISO_6523_ICD,
  MIME_CODES,
  UNECE_REC_20_21,
  UNTDID_1001,
  UNTDID_1153,
  UNTDID_2005_TAX_POINT,
  UNTDID_2475_TAX_POINT,
  UNTDID_4451,
  UNTDID_4451_CII,
  UNTDID_4461,
  UNTDID_5189,
  UNTDID_5305,
  UNTDID_7143,
  UNTDID_7161,
  VATEX,
} from './code-list-values';
import { MODEL_RULE_OPTIONS, finding, type RuleSet } from './rule';

/*
 * The code-list rules BR-CL-* of the CEN schematron 1.3.16 on the semantic model, with the UBL stylesheet's contexts
 * and lists. Most tests there read `not(contains(normalize-space(.), ' ')) and contains(' A B C ', concat(' ',
 * normalize-space(.), ' '))`: the value, without the XML white space at its ends, is one of the codes. Each context
 * element (each code written) is reported once.
 *
 * Not here, because the model does not keep what they test (the formats adapter checks them on the XML):
 * - BR-CL-03, the `currencyID` of every amount.
 * On a document read from a file, the syntax adapter (`ubl-code-lists.ts`, `cii-code-lists.ts`) checks these instead,
 * because their answer depends on how the file writes them; on a document built in code they are checked here:
 * - BR-CL-01: UBL's `cbc:InvoiceTypeCode` takes `UNTDID_1001_UBL_INVOICE`, `cbc:CreditNoteTypeCode` takes
 *   `UNTDID_1001_UBL_CREDIT_NOTE`; the model has one type code, so here it must be in either (which is the CII list);
 * - BR-CL-06: BT-8 is kept as the syntax writes it (UNTDID 2005 in UBL, 2475 in CII), so here it must be in either;
 * - BR-CL-16 on every payment means: the model keeps the means code of the first.
 * Where the CII stylesheet differs, a document read from CII gets its answer: BR-CL-08's list (CII has 18 more codes)
 * on the subject code itself (UBL reads a `#CODE#` note), BR-CL-10 without UBL's `SEPA` exception, BR-CL-14/15's `AN`
 * (UBL: `SS`), and the breakdown category (BT-118), which CII checks as BR-CL-18 (its `ram:ApplicableTradeTax`, as for
 * the lines) where UBL's `cac:TaxCategory` makes it BR-CL-17 (as for the allowances and charges).
 */

const XML_SPACE = new Set([' ', '\t', '\r', '\n']);

/**
 * `value` without the XML white space (space, tab, CR, LF) at its ends: for a comparison with a code that has no space
 * in it, the same as the schematron's `normalize-space(.)`, and cheaper.
 */
export function trimXmlSpace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && XML_SPACE.has(value[start] as string)) start++;
  while (end > start && XML_SPACE.has(value[end - 1] as string)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** Whether `value` is one of `codes`, as the schematron's `contains(' … ', concat(' ', normalize-space(.), ' '))` says. */
export function isListed(codes: ReadonlySet<string>, value: string): boolean {
  return codes.has(trimXmlSpace(value));
}

/** BR-CL-06: BT-8 as either syntax writes it (see above). */
const TAX_POINT_CODES: ReadonlySet<string> = new Set([...UNTDID_2005_TAX_POINT, ...UNTDID_2475_TAX_POINT]);
/** BR-CL-08 tests `contains(' AAA AAB … ', $code)`, a substring of the list as the UBL stylesheet writes it. */
const UNTDID_4451_TEXT = ` ${[...UNTDID_4451].join(' ')} `;

interface Check {
  readonly rule: string;
  readonly message: string;
  readonly codes: ReadonlySet<string>;
}

const CURRENCY: Check = { rule: 'BR-CL-04', message: 'The invoice currency code is not an ISO 4217 code', codes: ISO_4217 };
const VAT_CURRENCY: Check = { rule: 'BR-CL-05', message: 'The VAT accounting currency code is not an ISO 4217 code', codes: ISO_4217 };
const TYPE_CODE: Check = { rule: 'BR-CL-01', message: 'The document type code is not an invoice or credit note code of UNTDID 1001', codes: UNTDID_1001 };
const TAX_POINT: Check = { rule: 'BR-CL-06', message: 'The VAT point date code is not in the UNTDID 2005/2475 subset', codes: TAX_POINT_CODES };
const OBJECT_SCHEME: Check = { rule: 'BR-CL-07', message: 'The object identifier scheme is not a UNTDID 1153 code', codes: UNTDID_1153 };
const PARTY_SCHEME: Check = { rule: 'BR-CL-10', message: 'The identifier scheme is not an ISO 6523 ICD code', codes: ISO_6523_ICD };
const LEGAL_SCHEME: Check = { rule: 'BR-CL-11', message: 'The registration identifier scheme is not an ISO 6523 ICD code', codes: ISO_6523_ICD };
const CLASSIFICATION: Check = { rule: 'BR-CL-13', message: 'The item classification scheme is not a UNTDID 7143 code', codes: UNTDID_7143 };
const COUNTRY_UBL: Check = { rule: 'BR-CL-14', message: 'The country code is not an ISO 3166-1 alpha-2 code', codes: ISO_3166 };
const ORIGIN_UBL: Check = { rule: 'BR-CL-15', message: 'The item country of origin is not an ISO 3166-1 alpha-2 code', codes: ISO_3166 };
const BREAKDOWN_CATEGORY_CII: Check = { rule: 'BR-CL-18', message: 'The VAT category code is not a UNTDID 5305 code', codes: UNTDID_5305 };
const NOTE_SUBJECT_CII: Check = { rule: 'BR-CL-08', message: 'The note subject code is not a UNTDID 4451 code', codes: UNTDID_4451_CII };
const PAYMENT_MEANS: Check = { rule: 'BR-CL-16', message: 'The payment means code is not a UNTDID 4461 code', codes: UNTDID_4461 };
const TAX_CATEGORY: Check = { rule: 'BR-CL-17', message: 'The VAT category code is not a UNTDID 5305 code', codes: UNTDID_5305 };
const LINE_CATEGORY: Check = { rule: 'BR-CL-18', message: 'The invoiced item VAT category code is not a UNTDID 5305 code', codes: UNTDID_5305 };
const ALLOWANCE_REASON: Check = { rule: 'BR-CL-19', message: 'The allowance reason code is not a UNTDID 5189 code', codes: UNTDID_5189 };
const CHARGE_REASON: Check = { rule: 'BR-CL-20', message: 'The charge reason code is not a UNTDID 7161 code', codes: UNTDID_7161 };
const STANDARD_SCHEME: Check = { rule: 'BR-CL-21', message: 'The item standard identifier scheme is not an ISO 6523 ICD code', codes: ISO_6523_ICD };
const UNIT: Check = { rule: 'BR-CL-23', message: 'The unit code is not a UN/ECE Recommendation 20/21 code', codes: UNECE_REC_20_21 };
const ENDPOINT_SCHEME: Check = { rule: 'BR-CL-25', message: 'The electronic address scheme is not a CEF EAS code', codes: EAS };
const LOCATION_SCHEME: Check = { rule: 'BR-CL-26', message: 'The delivery location identifier scheme is not an ISO 6523 ICD code', codes: ISO_6523_ICD };

/** Adds a finding when `value` is written and is not one of the check's codes. */
function check(out: Finding[], { rule, message, codes }: Check, value: string | undefined, term: string, pointer: string): void {
  if (value !== undefined && !isListed(codes, value)) out.push(finding(rule, `${message}: "${value}"`, term, pointer));
}

/** BR-CL-10: a party identifier scheme; the UBL stylesheet also takes `SEPA` for the seller (BT-29) and the payee (BT-60), CII does not. */
function partyScheme(out: Finding[], id: Identifier | undefined, sepa: boolean, term: string, pointer: string): void {
  if (id?.scheme === undefined || (sepa && trimXmlSpace(id.scheme) === 'SEPA')) return;
  check(out, PARTY_SCHEME, id.scheme, term, pointer);
}

/**
 * BR-CL-08. UBL has no element for BT-21: a note starts `#CODE#`, and the stylesheet tests the text between the first
 * two `#` of the note, when it is 3 characters long, as a substring of its UNTDID 4451 list. The note is read here as
 * UBL writes it (`#CODE#text`, or the text alone), so a `#` in the text counts as it does there.
 */
function noteSubject(out: Finding[], note: En16931Document['notes'][number], index: number): void {
  const written = note.subjectCode === undefined ? note.text : `#${note.subjectCode}#${note.text}`;
  const first = written.indexOf('#');
  if (first < 0) return;
  const second = written.indexOf('#', first + 1);
  const code = second < 0 ? '' : written.slice(first + 1, second);
  // string-length() counts characters, not UTF-16 units.
  if ([...code].length === 3 && !UNTDID_4451_TEXT.includes(code)) {
    out.push(finding('BR-CL-08', `The note subject code is not a UNTDID 4451 code: "${code}"`, 'BT-21', `notes[${index}].subjectCode`));
  }
}

/** The code-list rules BR-CL-01 … BR-CL-26 that apply to values the model keeps. */
export const codeListRules: RuleSet = (doc, options = MODEL_RULE_OPTIONS) => {
  const out: Finding[] = [];
  const cii = options.syntax === 'cii';
  const onModel = !options.codesCheckedOnFile;
  const COUNTRY: Check = { ...COUNTRY_UBL, codes: cii ? ISO_3166_CII : ISO_3166 };
  const ORIGIN: Check = { ...ORIGIN_UBL, codes: cii ? ISO_3166_CII : ISO_3166 };
  if (onModel) check(out, TYPE_CODE, doc.typeCode, 'BT-3', 'typeCode');
  check(out, CURRENCY, doc.currency, 'BT-5', 'currency');
  check(out, VAT_CURRENCY, doc.vatAccountingCurrency, 'BT-6', 'vatAccountingCurrency');
  if (onModel) check(out, TAX_POINT, doc.taxPointDateCode, 'BT-8', 'taxPointDateCode');
  check(out, OBJECT_SCHEME, doc.invoicedObjectIdentifier?.scheme, 'BT-18-1', 'invoicedObjectIdentifier.scheme');
  doc.notes.forEach((note, i) => (cii ? check(out, NOTE_SUBJECT_CII, note.subjectCode, 'BT-21', `notes[${i}].subjectCode`) : noteSubject(out, note, i)));

  const { seller, buyer, payee } = doc;
  seller.identifiers.forEach((id, i) => partyScheme(out, id, !cii, 'BT-29-1', `seller.identifiers[${i}].scheme`));
  check(out, LEGAL_SCHEME, seller.legalRegistration?.scheme, 'BT-30-1', 'seller.legalRegistration.scheme');
  check(out, ENDPOINT_SCHEME, seller.electronicAddress?.scheme, 'BT-34-1', 'seller.electronicAddress.scheme');
  check(out, COUNTRY, seller.address?.country, 'BT-40', 'seller.address.country');
  partyScheme(out, buyer.identifier, false, 'BT-46-1', 'buyer.identifier.scheme');
  check(out, LEGAL_SCHEME, buyer.legalRegistration?.scheme, 'BT-47-1', 'buyer.legalRegistration.scheme');
  check(out, ENDPOINT_SCHEME, buyer.electronicAddress?.scheme, 'BT-49-1', 'buyer.electronicAddress.scheme');
  check(out, COUNTRY, buyer.address?.country, 'BT-55', 'buyer.address.country');
  partyScheme(out, payee?.identifier, !cii, 'BT-60-1', 'payee.identifier.scheme');
  check(out, LEGAL_SCHEME, payee?.legalRegistration?.scheme, 'BT-61-1', 'payee.legalRegistration.scheme');
  check(out, COUNTRY, doc.taxRepresentative?.address?.country, 'BT-69', 'taxRepresentative.address.country');
  check(out, LOCATION_SCHEME, doc.delivery?.locationId?.scheme, 'BT-71-1', 'delivery.locationId.scheme');
  check(out, COUNTRY, doc.delivery?.address?.country, 'BT-80', 'delivery.address.country');
  if (onModel) check(out, PAYMENT_MEANS, doc.paymentInstructions?.meansCode, 'BT-81', 'paymentInstructions.meansCode');

  doc.allowances.forEach((allowance, i) => {
    check(out, TAX_CATEGORY, allowance.vatCategory, 'BT-95', `allowances[${i}].vatCategory`);
    check(out, ALLOWANCE_REASON, allowance.reasonCode, 'BT-98', `allowances[${i}].reasonCode`);
  });
  doc.charges.forEach((charge, i) => {
    check(out, TAX_CATEGORY, charge.vatCategory, 'BT-102', `charges[${i}].vatCategory`);
    check(out, CHARGE_REASON, charge.reasonCode, 'BT-105', `charges[${i}].reasonCode`);
  });
  doc.vatBreakdown.forEach((entry, i) => {
    check(out, cii ? BREAKDOWN_CATEGORY_CII : TAX_CATEGORY, entry.category, 'BT-118', `vatBreakdown[${i}].category`);
    // BR-CL-22 compares the upper-cased code: `vatex-eu-o` is accepted.
    const code = entry.exemptionReasonCode;
    if (code !== undefined && !VATEX.has(trimXmlSpace(code).toUpperCase())) {
      out.push(finding('BR-CL-22', `The VAT exemption reason code is not a CEF VATEX code: "${code}"`, 'BT-121', `vatBreakdown[${i}].exemptionReasonCode`));
    }
  });
  doc.attachments.forEach((attachment, i) => {
    // BR-CL-24 compares the MIME code as written: `@mimeCode = 'application/pdf' or …`.
    const mime = attachment.content?.mimeCode;
    if (mime !== undefined && !MIME_CODES.has(mime)) {
      out.push(finding('BR-CL-24', `The attachment MIME code is not one EN 16931 allows: "${mime}"`, 'BT-125-1', `attachments[${i}].content.mimeCode`));
    }
  });

  doc.lines.forEach((line, i) => {
    const at = `lines[${i}]`;
    check(out, OBJECT_SCHEME, line.objectIdentifier?.scheme, 'BT-128-1', `${at}.objectIdentifier.scheme`);
    check(out, UNIT, line.unitCode, 'BT-130', `${at}.unitCode`);
    line.allowances.forEach((allowance, j) => check(out, ALLOWANCE_REASON, allowance.reasonCode, 'BT-140', `${at}.allowances[${j}].reasonCode`));
    line.charges.forEach((charge, j) => check(out, CHARGE_REASON, charge.reasonCode, 'BT-145', `${at}.charges[${j}].reasonCode`));
    check(out, UNIT, line.price.baseQuantityUnitCode, 'BT-150', `${at}.price.baseQuantityUnitCode`);
    check(out, LINE_CATEGORY, line.vat.category, 'BT-151', `${at}.vat.category`);
    check(out, STANDARD_SCHEME, line.item.standardId?.scheme, 'BT-157-1', `${at}.item.standardId.scheme`);
    line.item.classifications.forEach((c, j) => check(out, CLASSIFICATION, c.scheme, 'BT-158-1', `${at}.item.classifications[${j}].scheme`));
    check(out, ORIGIN, line.item.originCountry, 'BT-159', `${at}.item.originCountry`);
  });
  return out;
};
