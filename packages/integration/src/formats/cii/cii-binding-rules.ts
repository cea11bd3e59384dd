import { En16931 } from '@invoicing/invoice';
import { NS, child, children, type XmlElement } from '../xml';
import { fail, hasAttribute, isName, normalizeSpace, stringValue } from '../syntax-rules';

/*
 * The CII syntax-binding rules of the CEN EN 16931 schematron 1.3.16 (EN16931-CII-validation.xslt, mode M11), checked
 * on the XML tree: what they test (cardinalities of the syntax, attributes and elements EN 16931 does not use, date
 * formats) is not in the semantic model. Every fatal assertion that can fire is here, with the stylesheet's contexts
 * and tests: 42 CII-SR-* and 67 CII-DT-*.
 * Not here:
 * - CII-DT-010, -011, -012 (`listID`, `listAgencyID`, `listVersionID` on `rsm:ExchangedDocument/ram:TypeCode`): their
 *   rule comes after the one for `//ram:TypeCode`, which every such element matches first, so they never fire;
 * - the 471 warnings of the mode (CII-SR-001 … CII-SR-476 but the fatal ones; CII-DT-038 … CII-DT-067, CII-DT-098):
 *   they never make a document invalid.
 *
 * Code lists (mode M12). Here is only what nothing else reads:
 * - BR-CL-03 on `ram:TaxTotalAmount[@currencyID]` (the model drops the attribute; CII-DT-031 forbids it elsewhere);
 * - BR-CL-08 on `ram:SubjectCode`, BR-CL-14 on `ram:CountryID` and BR-CL-15 on `ram:OriginTradeCountry/ram:ID`
 *   (without a `schemeID`, which makes it BR-CL-11's) where the model does not read them: a line's note, the payee's
 *   or another party's address. The codes cii-reader.ts reads, validateEn16931 checks with the CII lists when told
 *   the document is CII.
 * BR-CL-01, BR-CL-06 and BR-CL-16 are checked on every element by cii-code-lists.ts, the other lists by the model.
 *
 * How the stylesheet is read. Within a mode an element fires only the first rule whose context it matches. In mode
 * M11 that matters twice: the four identifiers of CII-DT-001 … 007 do not get CII-DT-101 … 104, and the document's
 * `ram:TypeCode` gets only CII-DT-008/009.
 * The absolute contexts (`/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/…`) are tracked as the walk goes
 * down. XPath's general comparisons (`ram:TypeCode = 'VAT'`) hold when any node's string value equals, untrimmed.
 */

type Finding = En16931.Finding;

// The namespaces, read once: `NS` is a re-exported binding, and the walk compares them on every element.
const RSM: string = NS.rsm;
const RAM: string = NS.ram;
const UDT: string = NS.udt;

type Rules = readonly (readonly [rule: string, name: string])[];

/** CII-DT-001 … 007: attributes the four identifiers of their context must not have. */
const FIXED_ID_ATTRIBUTES: Rules = [
  ['CII-DT-001', 'schemeName'],
  ['CII-DT-002', 'schemeAgencyName'],
  ['CII-DT-003', 'schemeDataURI'],
  ['CII-DT-004', 'schemeURI'],
  ['CII-DT-005', 'schemeID'],
  ['CII-DT-006', 'schemeAgencyID'],
  ['CII-DT-007', 'schemeVersionID'],
];

/** CII-DT-101 … 104: attributes no other `ram:*ID` may have. */
const ID_ATTRIBUTES: Rules = [
  ['CII-DT-101', 'schemeName'],
  ['CII-DT-102', 'schemeAgencyName'],
  ['CII-DT-103', 'schemeDataURI'],
  ['CII-DT-104', 'schemeURI'],
];

const TYPE_CODE_ATTRIBUTES: Rules = [
  ['CII-DT-008', 'name'],
  ['CII-DT-009', 'listURI'],
];

const AMOUNT_ATTRIBUTES: Rules = [
  ['CII-DT-031', 'currencyID'],
  ['CII-DT-032', 'currencyCodeListVersionID'],
];

/** CII-DT-034 … 036; CII-DT-033 (`unitCode`) depends on the whole document and is checked after the walk. */
const QUANTITY_ATTRIBUTES: Rules = [
  ['CII-DT-034', 'unitCodeListID'],
  ['CII-DT-035', 'unitCodeListAgencyID'],
  ['CII-DT-036', 'unitCodeListAgencyName'],
];

/** CII-DT-069 … 081: children a `ram:BillingSpecifiedPeriod` must not have (068 and 072 look one level deeper). */
const PERIOD_CHILDREN: Rules = [
  ['CII-DT-069', 'DurationMeasure'],
  ['CII-DT-070', 'InclusiveIndicator'],
  ['CII-DT-071', 'Description'],
  ['CII-DT-073', 'CompleteDateTime'],
  ['CII-DT-074', 'OpenIndicator'],
  ['CII-DT-075', 'SeasonCode'],
  ['CII-DT-076', 'ID'],
  ['CII-DT-077', 'Name'],
  ['CII-DT-078', 'SequenceNumeric'],
  ['CII-DT-079', 'StartDateFlexibilityCode'],
  ['CII-DT-080', 'ContinuousIndicator'],
  ['CII-DT-081', 'PurposeCode'],
];

/** CII-DT-082 … 096: children a `ram:PostalTradeAddress` must not have (there is no 085). */
const ADDRESS_CHILDREN: Rules = [
  ['CII-DT-082', 'ID'],
  ['CII-DT-083', 'PostOfficeBox'],
  ['CII-DT-084', 'BuildingName'],
  ['CII-DT-086', 'LineFour'],
  ['CII-DT-087', 'LineFive'],
  ['CII-DT-088', 'StreetName'],
  ['CII-DT-089', 'CitySubDivisionName'],
  ['CII-DT-090', 'CountryName'],
  ['CII-DT-091', 'CountrySubDivisionID'],
  ['CII-DT-092', 'AttentionOf'],
  ['CII-DT-093', 'CareOf'],
  ['CII-DT-094', 'BuildingNumber'],
  ['CII-DT-095', 'DepartmentName'],
  ['CII-DT-096', 'AdditionalStreetName'],
];

/** CII-DT-016 … 030 that forbid a child of every `ram:*ReferencedDocument` outright. */
const REFERENCED_DOCUMENT_CHILDREN: Rules = [
  ['CII-DT-016', 'StatusCode'],
  ['CII-DT-017', 'CopyIndicator'],
  ['CII-DT-019', 'GlobalID'],
  ['CII-DT-020', 'RevisionID'],
  ['CII-DT-023', 'Information'],
  ['CII-DT-025', 'SectionName'],
  ['CII-DT-026', 'PreviousRevisionID'],
  ['CII-DT-028', 'EffectiveSpecifiedPeriod'],
  ['CII-DT-029', 'IssuerTradeParty'],
  ['CII-DT-030', 'AttachedSpecifiedBinaryFile'],
];

/** CII-SR-477 … 494: each total at most once in the header's monetary summation. */
const SUMMATION_AT_MOST_ONCE: Rules = [
  ['CII-SR-477', 'LineTotalAmount'],
  ['CII-SR-478', 'ChargeTotalAmount'],
  ['CII-SR-479', 'AllowanceTotalAmount'],
  ['CII-SR-480', 'TaxBasisTotalAmount'],
  ['CII-SR-481', 'RoundingAmount'],
  ['CII-SR-482', 'GrandTotalAmount'],
  ['CII-SR-483', 'InformationAmount'],
  ['CII-SR-484', 'TotalPrepaidAmount'],
  ['CII-SR-485', 'TotalDiscountAmount'],
  ['CII-SR-486', 'TotalAllowanceChargeAmount'],
  ['CII-SR-487', 'DuePayableAmount'],
  ['CII-SR-488', 'RetailValueExcludingTaxInformationAmount'],
  ['CII-SR-489', 'TotalDepositFeeInformationAmount'],
  ['CII-SR-490', 'ProductValueExcludingTobaccoTaxInformationAmount'],
  ['CII-SR-491', 'TotalRetailValueInformationAmount'],
  ['CII-SR-492', 'GrossLineTotalAmount'],
  ['CII-SR-493', 'NetLineTotalAmount'],
  ['CII-SR-494', 'NetIncludingTaxesLineTotalAmount'],
];

/** `YYYYMMDD` with XPath's `\s` and `\d` (any decimal digit, not only ASCII). */
const DATE_102 = /^[ \t\n\r]*(\p{Nd}{4})(1[0-2]|0[1-9])(3[01]|[12][0-9]|0[1-9])[ \t\n\r]*$/u;

/**
 * Where an element stands among the stylesheet's absolute contexts (`/rsm:CrossIndustryInvoice/…`); `undefined`
 * anywhere else. `fixedId` is one of the four identifiers of CII-DT-001 … 007.
 */
type Place =
  | 'root'
  | 'context'
  | 'guideline'
  | 'document'
  | 'transaction'
  | 'lineItem'
  | 'lineDocument'
  | 'product'
  | 'characteristic'
  | 'lineAgreement'
  | 'lineDelivery'
  | 'lineBilledQuantity'
  | 'headerAgreement'
  | 'headerSettlement'
  | 'summation'
  | 'fixedId'
  | undefined;

/** The place of `el`, a child of an element at `parent`. */
function placeOf(parent: Place, el: XmlElement): Place {
  if (parent === undefined) return undefined;
  const { ns, name } = el;
  if (parent === 'root') {
    if (ns !== RSM) return undefined;
    return name === 'ExchangedDocumentContext' ? 'context' : name === 'ExchangedDocument' ? 'document' : name === 'SupplyChainTradeTransaction' ? 'transaction' : undefined;
  }
  if (ns !== RAM) return undefined;
  switch (parent) {
    case 'context':
      return name === 'GuidelineSpecifiedDocumentContextParameter' ? 'guideline' : undefined;
    case 'guideline':
    case 'document':
      return name === 'ID' ? 'fixedId' : undefined;
    case 'transaction':
      return name === 'IncludedSupplyChainTradeLineItem'
        ? 'lineItem'
        : name === 'ApplicableHeaderTradeAgreement'
          ? 'headerAgreement'
          : name === 'ApplicableHeaderTradeSettlement'
            ? 'headerSettlement'
            : undefined;
    case 'lineItem':
      return LINE_ITEM_PARTS.get(name);
    case 'lineDocument':
      return name === 'LineID' ? 'fixedId' : undefined;
    case 'product':
      return name === 'SellerAssignedID' ? 'fixedId' : name === 'ApplicableProductCharacteristic' ? 'characteristic' : undefined;
    case 'lineDelivery':
      return name === 'BilledQuantity' ? 'lineBilledQuantity' : undefined;
    case 'headerSettlement':
      return name === 'SpecifiedTradeSettlementHeaderMonetarySummation' ? 'summation' : undefined;
    default:
      return undefined;
  }
}

const LINE_ITEM_PARTS: ReadonlyMap<string, Place> = new Map<string, Place>([
  ['AssociatedDocumentLineDocument', 'lineDocument'],
  ['SpecifiedTradeProduct', 'product'],
  ['SpecifiedLineTradeAgreement', 'lineAgreement'],
  ['SpecifiedLineTradeDelivery', 'lineDelivery'],
]);

/** What the walk gathers for the rules on the whole document (`//…`). */
interface Gathered {
  /** `//ram:ApplicableTradeTax/ram:DueDateTypeCode`, as written (CII-SR-462). */
  readonly dueDateTypeCodes: Set<string>;
  /** `//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode` and `…/ram:Information`, normalized (CII-SR-467/468). */
  readonly meansTypeCodes: string[];
  readonly meansInformation: string[];
  /** `//ram:ApplicableHeaderTradeSettlement/ram:PaymentReference` (CII-SR-469). */
  paymentReferences: number;
  /** Quantities with a `unitCode`, and whether a line's billed quantity has one (CII-DT-033). */
  readonly unitCoded: XmlElement[];
  lineUnitCode: boolean;
  readonly headerSettlements: XmlElement[];
}

/**
 * The fatal CII syntax-binding rules (CII-SR-*, CII-DT-*) and the code lists on what nothing else reads (BR-CL-03,
 * BR-CL-08/14/15 where the model does not read the code) of a CII CrossIndustryInvoice, in one walk over its tree.
 * Each finding is placed on the rule's context element.
 */
export function ciiBindingRules(root: XmlElement): Finding[] {
  const out: Finding[] = [];
  const gathered: Gathered = {
    dueDateTypeCodes: new Set(),
    meansTypeCodes: [],
    meansInformation: [],
    paymentReferences: 0,
    unitCoded: [],
    lineUnitCode: false,
    headerSettlements: [],
  };
  const place: Place = root.ns === RSM && root.name === 'CrossIndustryInvoice' ? 'root' : undefined;
  visit(root, place, readByTheModel(root), gathered, out);
  documentRules(root, place, gathered, out);
  return out;
}

function visit(el: XmlElement, place: Place, modelCodes: ReadonlySet<XmlElement>, gathered: Gathered, out: Finding[]): void {
  if (place !== undefined) placedRules(el, place, gathered, out);
  // The rules test the name first and the namespace after: a namespace URI is a long string, compared in full when
  // it matches, and nearly every element is in `ram:`.
  aggregateRules(el, place, gathered, out);
  codeListRules(el, modelCodes, out);
  if (el.name === 'DateTimeString' && el.ns === UDT && el.attributes['format'] === '102' && !DATE_102.test(stringValue(el))) {
    fail(out, 'CII-DT-097', 'Date time string with format attribute 102 shall be YYYYMMDD.', el);
  }
  for (const c of el.children) visit(c, placeOf(place, c), modelCodes, gathered, out);
}

/** The rules whose context is an absolute path. */
function placedRules(el: XmlElement, place: Place, gathered: Gathered, out: Finding[]): void {
  switch (place) {
    case 'root':
      if (hasAttribute(el, 'languageID')) fail(out, 'CII-DT-013', 'languageID should not be present', el);
      if (hasAttribute(el, 'languageLocaleID')) fail(out, 'CII-DT-014', 'languageLocaleID should not be present', el);
      return;
    case 'context': {
      const guidelines = children(el, RAM, 'GuidelineSpecifiedDocumentContextParameter');
      if (guidelines.length !== 1) fail(out, 'CII-SR-009', 'GuidelineSpecifiedDocumentContextParameter must exist exactly once', el);
      if (guidelines.reduce((n, g) => n + count(g, 'ID'), 0) !== 1) fail(out, 'CII-SR-010', 'ID must exist exactly once', el);
      return;
    }
    case 'document':
      if (count(el, 'TypeCode') !== 1) fail(out, 'CII-SR-014', 'TypeCode must exist exactly once', el);
      return;
    case 'product': {
      const globalIds = children(el, RAM, 'GlobalID');
      if (globalIds.length > 0 && !globalIds.some((id) => hasAttribute(id, 'schemeID'))) fail(out, 'CII-SR-046', 'schemeID must be present if GlobalID is present', el);
      const origins = children(el, RAM, 'OriginTradeCountry');
      if (origins.length > 0 && origins.reduce((n, o) => n + count(o, 'ID'), 0) !== 1) fail(out, 'CII-SR-090', 'ID should exist maximum once.', el);
      return;
    }
    case 'characteristic':
      if (count(el, 'Description') !== 1) fail(out, 'CII-SR-069', 'Description should exist maximum once.', el);
      if (count(el, 'Value') !== 1) fail(out, 'CII-SR-072', 'Value should exist maximum once.', el);
      return;
    case 'lineAgreement': {
      const netPrices = children(el, RAM, 'NetPriceProductTradePrice').reduce((n, p) => n + count(p, 'ChargeAmount'), 0);
      if (netPrices !== 1) fail(out, 'CII-SR-439', 'ChargeAmount should exist maximum once', el);
      if (netPrices > 1) fail(out, 'CII-SR-441', 'ChargeAmount should exist maximum once', el);
      return;
    }
    case 'headerAgreement': {
      const sellers = children(el, RAM, 'SellerTradeParty');
      const buyers = children(el, RAM, 'BuyerTradeParty');
      if (countBelow(sellers, 'DefinedTradeContact') > 1) fail(out, 'CII-SR-455', 'DefinedTradeContact of SellerTradeParty shall exist maximum once', el);
      if (countBelow(buyers, 'DefinedTradeContact') > 1) fail(out, 'CII-SR-456', 'DefinedTradeContact of BuyerTradeParty shall exist maximum once', el);
      if (countBelow(sellers, 'URIUniversalCommunication') > 1) fail(out, 'CII-SR-459', 'SellerTradeParty URIUniversalCommunication should exist maximum once', el);
      if (countBelow(buyers, 'URIUniversalCommunication') > 1) fail(out, 'CII-SR-460', 'BuyerTradeParty URIUniversalCommunication should exist maximum once', el);
      return;
    }
    case 'headerSettlement': {
      if (countBelow(children(el, RAM, 'ApplicableTradeTax'), 'TaxPointDate') > 1) fail(out, 'CII-SR-461', 'Only one TaxPointDate shall be present', el);
      // CII-SR-462 looks at every tax of the document: checked after the walk.
      gathered.headerSettlements.push(el);
      const withoutAccount = children(el, RAM, 'SpecifiedTradeSettlementPaymentMeans').some((means) => {
        const typeCode = normalizeSpace(stringValue(child(means, RAM, 'TypeCode')));
        const accounts = children(means, RAM, 'PayeePartyCreditorFinancialAccount');
        return (typeCode === '30' || typeCode === '58') && !accounts.some((a) => count(a, 'IBANID') > 0 || count(a, 'ProprietaryID') > 0);
      });
      if (withoutAccount) fail(out, 'CII-SR-470', 'Either the IBAN or a Proprietary ID (BT-84) shall be used.', el);
      return;
    }
    case 'summation':
      for (const [rule, name] of SUMMATION_AT_MOST_ONCE) {
        if (count(el, name) > 1) fail(out, rule, `${name} shall occur at most once in SpecifiedTradeSettlementHeaderMonetarySummation.`, el);
      }
      return;
    case 'fixedId':
      for (const [rule, name] of FIXED_ID_ATTRIBUTES) if (hasAttribute(el, name)) fail(out, rule, `${name} should not be present`, el);
      return;
    case 'lineBilledQuantity':
      if (hasAttribute(el, 'unitCode')) gathered.lineUnitCode = true;
      return;
    default:
      return;
  }
}

/** The rules whose context is a `ram:` element anywhere (`//ram:…`), by its name. */
function aggregateRules(el: XmlElement, place: Place, gathered: Gathered, out: Finding[]): void {
  const { name } = el;
  // By the last letter first: most elements match no rule, and this spares them the string tests.
  switch (name.charCodeAt(name.length - 1)) {
    case 0x44 /* D */:
      // The four identifiers of CII-DT-001 … 007 match that rule first.
      if (name.endsWith('ID') && place !== 'fixedId' && isRam(el)) {
        for (const [rule, attr] of ID_ATTRIBUTES) if (hasAttribute(el, attr)) fail(out, rule, `${attr} should not be present`, el);
      }
      return;
    case 0x74 /* t */:
      if (name.endsWith('ReferencedDocument')) {
        if (isRam(el)) referencedDocument(el, out);
      } else if (name.endsWith('Amount') && name !== 'TaxTotalAmount' && isRam(el)) {
        for (const [rule, attr] of AMOUNT_ATTRIBUTES) if (hasAttribute(el, attr)) fail(out, rule, `${attr} should not be present`, el);
      }
      return;
    case 0x79 /* y */:
      if (name.endsWith('Quantity') && isRam(el)) {
        if (hasAttribute(el, 'unitCode')) gathered.unitCoded.push(el);
        for (const [rule, attr] of QUANTITY_ATTRIBUTES) if (hasAttribute(el, attr)) fail(out, rule, `${attr} should not be present`, el);
      }
      return;
    case 0x78 /* x */:
      if (name.endsWith('TradeTax') && isRam(el)) {
        const typeCodes = children(el, RAM, 'TypeCode');
        if (typeCodes.length > 0 && !typeCodes.some((c) => stringValue(c) === 'VAT')) fail(out, 'CII-DT-037', "TypeCode shall be 'VAT'", el);
      }
      return;
    case 0x64 /* d */:
      if (name === 'BillingSpecifiedPeriod' && isRam(el)) {
        if (countBelow(children(el, RAM, 'StartDateTime'), 'DateTime', UDT) > 0) fail(out, 'CII-DT-068', 'DateTime shall not be used.', el);
        if (countBelow(children(el, RAM, 'EndDateTime'), 'DateTime', UDT) > 0) fail(out, 'CII-DT-072', 'DateTime shall not be used.', el);
        for (const [rule, forbidden] of PERIOD_CHILDREN) if (count(el, forbidden) > 0) fail(out, rule, `${forbidden} shall not be used.`, el);
      }
      return;
    case 0x73 /* s */:
      if (name === 'PostalTradeAddress' && isRam(el)) {
        for (const [rule, forbidden] of ADDRESS_CHILDREN) if (count(el, forbidden) > 0) fail(out, rule, `${forbidden} shall not be used.`, el);
      }
      return;
    case 0x6e /* n */:
      if (name === 'Information' && isRam(el) && isName(el.parent, RAM, 'SpecifiedTradeSettlementPaymentMeans')) gathered.meansInformation.push(normalizeSpace(stringValue(el)));
      return;
    case 0x65 /* e */:
      return endingInE(el, gathered, out);
  }
}

/** The rules of `ram:` elements whose name ends with an `e`: type codes, allowances and charges, references. */
function endingInE(el: XmlElement, gathered: Gathered, out: Finding[]): void {
  switch (el.name) {
    case 'TypeCode':
      if (!isRam(el)) return;
      for (const [rule, attr] of TYPE_CODE_ATTRIBUTES) if (hasAttribute(el, attr)) fail(out, rule, `${attr} should not be present`, el);
      if (isName(el.parent, RAM, 'SpecifiedTradeSettlementPaymentMeans')) gathered.meansTypeCodes.push(normalizeSpace(stringValue(el)));
      return;
    case 'SpecifiedTradeAllowanceCharge':
      if (!isRam(el)) return;
      if (count(el, 'ChargeIndicator') === 0) fail(out, 'CII-SR-463', 'Each Specified Trade Allowance Charge (BG-20)(BG-21) shall contain a Charge Indicator.', el);
      if (count(el, 'RateApplicablePercent') > 1) {
        fail(out, 'CII-SR-471', 'Each Specified Trade Allowance Charge (BG-20)(BG-21) shall contain a VAT category code (BT-95).', el);
      }
      if (count(el, 'CategoryTradeTax') > 1) fail(out, 'CII-SR-472', 'Each Specified Trade Allowance Charge (BG-20)(BG-21) should contain a VAT rate (BT-96).', el);
      if (count(el, 'ActualAmount') > 1) fail(out, 'CII-SR-473', 'ActualAmount should exist maximum once', el);
      return;
    case 'AppliedTradeAllowanceCharge':
      if (isRam(el) && isName(el.parent, RAM, 'GrossPriceProductTradePrice') && count(el, 'ActualAmount') > 1) fail(out, 'CII-SR-440', 'ActualAmount should exist maximum once', el);
      return;
    case 'PaymentReference':
      if (isRam(el) && isName(el.parent, RAM, 'ApplicableHeaderTradeSettlement')) gathered.paymentReferences++;
      return;
    case 'DueDateTypeCode':
      if (isRam(el) && isName(el.parent, RAM, 'ApplicableTradeTax')) gathered.dueDateTypeCodes.add(stringValue(el));
      return;
  }
}

/** CII-DT-015 … 030 on a `ram:*ReferencedDocument`: what a reference may hold depends on its kind and type code. */
function referencedDocument(el: XmlElement, out: Finding[]): void {
  const additional = el.name === 'AdditionalReferencedDocument';
  const typeCodes = children(el, RAM, 'TypeCode').map(stringValue);
  const typed = (...values: string[]) => additional && typeCodes.some((code) => values.includes(code));
  const forbid = (rule: string, name: string, allowed: boolean) => {
    if (!allowed && count(el, name) > 0) fail(out, rule, `${name} should not be present`, el);
  };
  forbid('CII-DT-015', 'URIID', typed('916'));
  forbid('CII-DT-018', 'TypeCode', typed('50', '130', '916'));
  forbid('CII-DT-021', 'Name', typed('916'));
  forbid('CII-DT-022', 'AttachmentBinaryObject', typed('916'));
  forbid('CII-DT-024', 'ReferenceTypeCode', typed('130'));
  forbid('CII-DT-027', 'FormattedIssueDateTime', el.name === 'InvoiceReferencedDocument');
  for (const [rule, name] of REFERENCED_DOCUMENT_CHILDREN) forbid(rule, name, false);
}

/** The rules on the whole document, once the walk has gathered what they count. */
function documentRules(root: XmlElement, place: Place, gathered: Gathered, out: Finding[]): void {
  // CII-SR-462: `count(//ram:ApplicableTradeTax/ram:DueDateTypeCode) = 0 or count(distinct-values(…)) = 1`.
  if (gathered.dueDateTypeCodes.size > 1) {
    for (const settlement of gathered.headerSettlements) fail(out, 'CII-SR-462', 'Only one DueDateTypeCode shall be present', settlement);
  }
  if (!gathered.lineUnitCode) {
    for (const quantity of gathered.unitCoded) fail(out, 'CII-DT-033', 'unitCode should not be present', quantity);
  }
  if (place !== 'root') return;
  const [firstType] = gathered.meansTypeCodes;
  if (gathered.meansTypeCodes.some((code) => code !== firstType)) {
    fail(out, 'CII-SR-467', 'All Payment means type codes (BT-81) shall have the same value across all SpecifiedTradeSettlementPaymentMeans.', root);
  }
  const [firstInformation] = gathered.meansInformation;
  if (gathered.meansInformation.some((text) => text !== firstInformation)) {
    fail(out, 'CII-SR-468', 'All Payment means texts (BT-82) shall have the same value across all SpecifiedTradeSettlementPaymentMeans.', root);
  }
  if (gathered.paymentReferences > 1) fail(out, 'CII-SR-469', 'Payment reference (BT-83) shall occur at most once in the document.', root);
}

// ---- code lists ----

/**
 * The codes cii-reader.ts reads for BR-CL-08/14/15, picked as it picks them (the first of each): the model checks
 * those, this file the others.
 */
function readByTheModel(root: XmlElement): ReadonlySet<XmlElement> {
  const transaction = child(root, RSM, 'SupplyChainTradeTransaction');
  const agreement = child(transaction, RAM, 'ApplicableHeaderTradeAgreement');
  const country = (party: XmlElement | undefined) => child(child(party, RAM, 'PostalTradeAddress'), RAM, 'CountryID');
  const read = [
    ...children(child(root, RSM, 'ExchangedDocument'), RAM, 'IncludedNote').map((note) => child(note, RAM, 'SubjectCode')),
    country(child(agreement, RAM, 'SellerTradeParty')),
    country(child(agreement, RAM, 'BuyerTradeParty')),
    country(child(agreement, RAM, 'SellerTaxRepresentativeTradeParty')),
    country(child(child(transaction, RAM, 'ApplicableHeaderTradeDelivery'), RAM, 'ShipToTradeParty')),
    ...children(transaction, RAM, 'IncludedSupplyChainTradeLineItem').map((line) =>
      child(child(child(line, RAM, 'SpecifiedTradeProduct'), RAM, 'OriginTradeCountry'), RAM, 'ID'),
    ),
  ];
  return new Set(read.filter((el): el is XmlElement => el !== undefined));
}

/** The code-list rules of mode M12 that are checked here (see the top of the file). */
function codeListRules(el: XmlElement, modelCodes: ReadonlySet<XmlElement>, out: Finding[]): void {
  switch (el.name) {
    case 'TaxTotalAmount': {
      const currency = el.attributes['currencyID'];
      if (currency !== undefined && isRam(el) && !En16931.ISO_4217.has(normalizeSpace(currency))) {
        fail(out, 'BR-CL-03', `currencyID MUST be coded using ISO code list 4217 alpha-3: "${currency}"`, el);
      }
      return;
    }
    case 'SubjectCode':
      if (isRam(el) && !modelCodes.has(el) && !En16931.UNTDID_4451_CII.has(normalizeSpace(stringValue(el)))) {
        codeListFinding(out, 'BR-CL-08', 'Subject Code MUST be coded using a restriction of UNTDID 4451.', el, 'BT-21');
      }
      return;
    case 'CountryID':
      if (isRam(el)) country(out, 'BR-CL-14', el, modelCodes);
      return;
    case 'ID':
      // An origin country's `ram:ID` with a `schemeID` matches BR-CL-11's context first.
      if (isRam(el) && isName(el.parent, RAM, 'OriginTradeCountry') && !hasAttribute(el, 'schemeID')) country(out, 'BR-CL-15', el, modelCodes);
      return;
  }
}

function country(out: Finding[], rule: 'BR-CL-14' | 'BR-CL-15', el: XmlElement, modelCodes: ReadonlySet<XmlElement>): void {
  if (modelCodes.has(el) || En16931.ISO_3166_CII.has(normalizeSpace(stringValue(el)))) return;
  codeListFinding(out, rule, 'Country codes in an invoice MUST be coded using ISO code list 3166-1', el, rule === 'BR-CL-15' ? 'BT-159' : undefined);
}

function codeListFinding(out: Finding[], rule: string, message: string, el: XmlElement, term: string | undefined): void {
  fail(out, rule, `${message}: "${stringValue(el)}"`, el, term);
}

// ---- the tree ----

function isRam(el: XmlElement): boolean {
  return el.ns === RAM;
}

/** How many children of `el` have this local name (in `ram:` unless said otherwise). */
function count(el: XmlElement, local: string, ns: string = RAM): number {
  let n = 0;
  for (const c of el.children) if (c.name === local && c.ns === ns) n++;
  return n;
}

/** `count(parents/name)`. */
function countBelow(parents: readonly XmlElement[], local: string, ns: string = RAM): number {
  return parents.reduce((n, parent) => n + count(parent, local, ns), 0);
}
