import type { En16931 } from '@invoicing/invoice';
import { NS, xpathOf, type XmlElement } from '../xml';

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
 * Code lists (mode M12). code-lists.ts in @invoicing/invoice checks the values the model keeps, with the UBL
 * stylesheet's lists and readings; here is what it cannot see or reads differently in CII:
 * - BR-CL-03 on `ram:TaxTotalAmount[@currencyID]` (the model drops the attribute; CII-DT-031 forbids it elsewhere);
 * - BR-CL-06 on every `ram:DueDateTypeCode` (UNTDID 2475: 5, 29, 72): on the code the model reads, only a UBL code
 *   (3, 35, 432), which the model accepts; elsewhere (a line's tax, a second breakdown), any code;
 * - BR-CL-08 on every `ram:SubjectCode`, by the CII list (18 codes more than the UBL one) and without the UBL `#CODE#`
 *   reading: on the notes the model reads, what it does not report itself;
 * - BR-CL-14 on every `ram:CountryID` and BR-CL-15 on every `ram:OriginTradeCountry/ram:ID` by the CII list, which has
 *   `AN` where the UBL one has `SS`: on the codes the model reads, only `SS`;
 * - BR-CL-16 on every `ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode` but the first, which the model reads.
 * Each code is reported once: either by the model or here. "The model reads" mirrors cii-reader.ts.
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

/** A space-separated code list, as the stylesheet writes it. */
function codes(list: string): ReadonlySet<string> {
  return new Set(list.trim().split(/\s+/));
}

/** ISO 4217 alpha-3, BR-CL-03's list (178 codes). */
const ISO_4217 = codes(`
  AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF
  CHW CLF CLP CNH CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ
  GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL
  LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
  PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STD SVC SYP SZL THB TJS TMT TND TOP TRY
  TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VES VED VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD
  XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
`);

/** UNTDID 2475 subset of BR-CL-06 in CII. */
const TAX_POINT_CODES = codes('5 29 72');

/** What code-lists.ts accepts as BT-8: the UBL (UNTDID 2005) and the CII codes. */
const ANY_TAX_POINT_CODE = codes('3 35 432 5 29 72');

/** UNTDID 4461, BR-CL-16's list (84 codes). */
const PAYMENT_MEANS_CODES = codes(`
  1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41
  42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 74 75 76 77 78 91 92 93 94
  95 96 97 98 ZZZ
`);

/** ISO 3166-1 alpha-2 as the CII stylesheet lists it for BR-CL-14 and BR-CL-15 (251 codes). */
const ISO_3166 = codes(`
  1A AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BL BJ BM BN BO BQ BR BS BT BV BW BY
  BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
  FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM
  JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
  MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE
  RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
  TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XI YE YT ZA ZM ZW
`);

/** What code-lists.ts accepts as a country: the UBL stylesheet's list, `SS` instead of `AN`. */
const ISO_3166_UBL: ReadonlySet<string> = new Set([...[...ISO_3166].filter((code) => code !== 'AN'), 'SS']);

/** UNTDID 4451 as the CII stylesheet lists it for BR-CL-08 (401 codes). */
const UNTDID_4451_LIST = `
  AAA AAB AAC AAD AAE AAF AAG AAI AAJ AAK AAL AAM AAN AAO AAP AAQ AAR AAS AAT AAU AAV AAW AAX AAY AAZ ABA ABB ABC
  ABD ABE ABF ABG ABH ABI ABJ ABK ABL ABM ABN ABO ABP ABQ ABR ABS ABT ABU ABV ABW ABX ABZ ACA ACB ACC ACD ACE ACF
  ACG ACH ACI ACJ ACK ACL ACM ACN ACO ACP ACQ ACR ACS ACT ACU ACV ACW ACX ACY ACZ ADA ADB ADC ADD ADE ADF ADG ADH
  ADI ADJ ADK ADL ADM ADN ADO ADP ADQ ADR ADS ADT ADU ADV ADW ADX ADY ADZ AEA AEB AEC AED AEE AEF AEG AEH AEI AEJ
  AEK AEL AEM AEN AEO AEP AEQ AER AES AET AEU AEV AEW AEX AEY AEZ AFA AFB AFC AFD AFE AFF AFG AFH AFI AFJ AFK AFL
  AFM AFN AFO AFP AFQ AFR AFS AFT AFU AFV AFW AFX AFY AFZ AGA AGB AGC AGD AGE AGF AGG AGH AGI AGJ AGK AGL AGM AGN
  AGO AGP AGQ AGR AGS AGT AGU AGV AGW AGX AGY AGZ AHA AHB AHC AHD AHE AHF AHG AHH AHI AHJ AHK AHL AHM AHN AHO AHP
  AHQ AHR AHS AHT AHU AHV AHW AHX AHY AHZ AIA AIB AIC AID AIE AIF AIG AIH AII AIJ AIK AIL AIM AIN AIO AIP AIQ AIR
  AIS AIT AIU AIV AIW AIX AIY AIZ AJA AJB ALC ALD ALE ALF ALG ALH ALI ALJ ALK ALL ALM ALN ALO ALP ALQ ARR ARS AUT
  AUU AUV AUW AUX AUY AUZ AVA AVB AVC AVD AVE AVF BAG BAH BAI BAJ BAK BAL BAM BAN BAO BAP BAQ BAR BAS BAT BAU BAV
  BAW BAX BAY BAZ BBA BBB BLC BLD BLE BLF BLG BLH BLI BLJ BLK BLL BLM BLN BLO BLP BLQ BLR BLS BLT BLU BLV BLW BLX
  BLY BLZ BMA BMB BMC BMD BME BMF BMG BMH CCI CCJ CCK CCL CCM CCN CCO CEX CHG CIP CLP CLR COI CUR CUS DAR DCL DEL
  DIN DOC DUT EUR FBC GBL GEN GS7 HAN HAZ ICN IIN IMI IND INS INV IRP ITR ITS LAN LIN LOI MCO MDH MKS ORI OSI PAC
  PAI PAY PKG PKT PMD PMT PRD PRF PRI PUR QIN QQD QUT RAH REG RET REV RQR SAF SIC SIN SLR SPA SPG SPH SPP SPT SRN
  SSR SUR TCA TDT TRA TRR TXD WHI ZZZ
`;
const UNTDID_4451 = codes(UNTDID_4451_LIST);

/** The 18 codes of the CII list the UBL one lacks; without them, in the same order, the CII list is the UBL one. */
const CII_ONLY_4451 = codes('BAT BAU BAV BAW BAX BAY BAZ BBA BBB BMF BMG BMH CCJ CCK CCL CCM CCN CCO');

/** The UBL list as code-lists.ts searches it: `' AAA AAB … '`, a substring test. */
const UBL_4451_TEXT = ` ${[...UNTDID_4451].filter((code) => !CII_ONLY_4451.has(code)).join(' ')} `;

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

/** The elements cii-reader.ts reads for BR-CL-06/08/14/15/16, whose other failures code-lists.ts reports. */
interface ModelRead {
  readonly taxPointCode: XmlElement | undefined;
  readonly subjectCodes: ReadonlySet<XmlElement>;
  readonly countries: ReadonlySet<XmlElement>;
  readonly meansCode: XmlElement | undefined;
}

/**
 * The fatal CII syntax-binding rules (CII-SR-*, CII-DT-*) and the code-list checks on what the model does not keep or
 * reads the UBL way (BR-CL-03, CII's part of BR-CL-06/08/14/15/16) of a CII CrossIndustryInvoice, in one walk over
 * its tree. Each finding is placed on the rule's context element.
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
  visit(root, place, modelRead(root), gathered, out);
  documentRules(root, place, gathered, out);
  return out;
}

function visit(el: XmlElement, place: Place, read: ModelRead, gathered: Gathered, out: Finding[]): void {
  if (place !== undefined) placedRules(el, place, gathered, out);
  // The rules test the name first and the namespace after: a namespace URI is a long string, compared in full when
  // it matches, and nearly every element is in `ram:`.
  aggregateRules(el, place, gathered, out);
  codeListRules(el, read, out);
  if (el.name === 'DateTimeString' && el.ns === UDT && attribute(el, 'format') === '102' && !DATE_102.test(stringValue(el))) {
    fail(out, 'CII-DT-097', 'Date time string with format attribute 102 shall be YYYYMMDD.', el);
  }
  for (const c of el.children) visit(c, placeOf(place, c), read, gathered, out);
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

/** The elements the model reads for the code-list rules checked here, as cii-reader.ts picks them (the first of each). */
function modelRead(root: XmlElement): ModelRead {
  const transaction = child(root, RSM, 'SupplyChainTradeTransaction');
  const agreement = child(transaction, RAM, 'ApplicableHeaderTradeAgreement');
  const settlement = child(transaction, RAM, 'ApplicableHeaderTradeSettlement');
  const taxes = settlement === undefined ? [] : children(settlement, RAM, 'ApplicableTradeTax');
  const country = (party: XmlElement | undefined) => child(child(party, RAM, 'PostalTradeAddress'), RAM, 'CountryID');
  const header = child(root, RSM, 'ExchangedDocument');
  const lines = transaction === undefined ? [] : children(transaction, RAM, 'IncludedSupplyChainTradeLineItem');
  const countries = [
    country(child(agreement, RAM, 'SellerTradeParty')),
    country(child(agreement, RAM, 'BuyerTradeParty')),
    country(child(agreement, RAM, 'SellerTaxRepresentativeTradeParty')),
    country(child(child(transaction, RAM, 'ApplicableHeaderTradeDelivery'), RAM, 'ShipToTradeParty')),
    ...lines.map((line) => child(child(child(line, RAM, 'SpecifiedTradeProduct'), RAM, 'OriginTradeCountry'), RAM, 'ID')),
  ];
  return {
    taxPointCode: taxes.map((tax) => child(tax, RAM, 'DueDateTypeCode')).find((code) => code !== undefined),
    subjectCodes: present((header === undefined ? [] : children(header, RAM, 'IncludedNote')).map((note) => child(note, RAM, 'SubjectCode'))),
    countries: present(countries),
    meansCode: child(child(settlement, RAM, 'SpecifiedTradeSettlementPaymentMeans'), RAM, 'TypeCode'),
  };
}

/** The code-list rules of mode M12 that are checked here (see the top of the file). */
function codeListRules(el: XmlElement, read: ModelRead, out: Finding[]): void {
  const { name, parent } = el;
  switch (name) {
    case 'TaxTotalAmount':
    case 'DueDateTypeCode':
    case 'SubjectCode':
    case 'CountryID':
    case 'ID':
    case 'TypeCode':
      if (isRam(el)) break;
      return;
    default:
      return;
  }
  switch (name) {
    case 'TaxTotalAmount': {
      const currency = attribute(el, 'currencyID');
      if (currency !== undefined && !ISO_4217.has(normalizeSpace(currency))) fail(out, 'BR-CL-03', `currencyID MUST be coded using ISO code list 4217 alpha-3: "${currency}"`, el);
      return;
    }
    case 'DueDateTypeCode':
      if (!TAX_POINT_CODES.has(normalizeSpace(stringValue(el))) && (el !== read.taxPointCode || ANY_TAX_POINT_CODE.has(el.text.trim()))) {
        codeListFinding(out, 'BR-CL-06', 'Value added tax point date code MUST be coded using a restriction of UNTDID 2475.', el, 'BT-8');
      }
      return;
    case 'SubjectCode':
      if (!UNTDID_4451.has(normalizeSpace(stringValue(el))) && !(read.subjectCodes.has(el) && modelRejectsSubject(el.text.trim()))) {
        codeListFinding(out, 'BR-CL-08', 'Subject Code MUST be coded using a restriction of UNTDID 4451.', el, 'BT-21');
      }
      return;
    case 'CountryID':
      country(out, 'BR-CL-14', el, read);
      return;
    case 'ID':
      // An origin country's `ram:ID` with a `schemeID` matches BR-CL-11's context first.
      if (isName(parent, RAM, 'OriginTradeCountry') && !hasAttribute(el, 'schemeID')) country(out, 'BR-CL-15', el, read);
      return;
    case 'TypeCode':
      if (isName(parent, RAM, 'SpecifiedTradeSettlementPaymentMeans') && !PAYMENT_MEANS_CODES.has(normalizeSpace(stringValue(el)))) {
        if (el !== read.meansCode || PAYMENT_MEANS_CODES.has(el.text.trim())) {
          codeListFinding(out, 'BR-CL-16', 'Payment means in an invoice MUST be coded using UNTDID 4461 code list', el, 'BT-81');
        }
      }
      return;
  }
}

function country(out: Finding[], rule: 'BR-CL-14' | 'BR-CL-15', el: XmlElement, read: ModelRead): void {
  if (ISO_3166.has(normalizeSpace(stringValue(el)))) return;
  if (read.countries.has(el) && !ISO_3166_UBL.has(el.text.trim())) return;
  codeListFinding(out, rule, 'Country codes in an invoice MUST be coded using ISO code list 3166-1', el, rule === 'BR-CL-15' ? 'BT-159' : undefined);
}

/**
 * Whether code-lists.ts reports BR-CL-08 for a note whose subject code the reader kept as `code`: it reads the note
 * as UBL writes it, `#code#text`, and tests the text between the first two `#`, when 3 characters long, as a
 * substring of the UBL list.
 */
function modelRejectsSubject(code: string): boolean {
  const hash = code.indexOf('#');
  const between = hash < 0 ? code : code.slice(0, hash);
  return characters(between) === 3 && !UBL_4451_TEXT.includes(between);
}

function codeListFinding(out: Finding[], rule: string, message: string, el: XmlElement, term: string | undefined): void {
  fail(out, rule, `${message}: "${stringValue(el)}"`, el, term);
}

// ---- the tree ----

function isRam(el: XmlElement): boolean {
  return el.ns === RAM;
}

function present(elements: readonly (XmlElement | undefined)[]): ReadonlySet<XmlElement> {
  return new Set(elements.filter((el): el is XmlElement => el !== undefined));
}

function isName(el: XmlElement | undefined, ns: string, local: string): boolean {
  return el !== undefined && el.name === local && el.ns === ns;
}

function child(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === local && c.ns === ns);
}

function children(el: XmlElement, ns: string, local: string): XmlElement[] {
  return el.children.filter((c) => c.name === local && c.ns === ns);
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

// The attribute names looked up here are fixed and none is a member of `Object.prototype`, so a plain property read
// is exact, and much cheaper than `Object.hasOwn` in the walk.
function hasAttribute(el: XmlElement, name: string): boolean {
  return el.attributes[name] !== undefined;
}

function attribute(el: XmlElement, name: string): string | undefined {
  return el.attributes[name];
}

/**
 * The XPath string value: the element's text and its descendants' (`''` for no element). The tree keeps an element's
 * own text apart from its children's, so for mixed content the order is approximate; the values tested have none.
 */
function stringValue(el: XmlElement | undefined): string {
  if (el === undefined) return '';
  return el.children.length === 0 ? el.text : el.text + el.children.map(stringValue).join('');
}

/** XPath's `normalize-space`: XML white space (space, tab, CR, LF) trimmed and each inner run made one space. */
function normalizeSpace(value: string): string {
  return value.replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '');
}

/** XPath's `string-length`: characters, a surrogate pair being one. */
function characters(value: string): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}

function fail(out: Finding[], rule: string, message: string, el: XmlElement, term?: string): void {
  out.push({ rule, severity: 'fatal', message, ...(term === undefined ? {} : { term }), xpath: xpathOf(el), line: el.line, column: el.column });
}
