import { validateOfficially } from '@invoicing/en16931-official';
import { after, before, edit, bindingRulesSuite, officialExample, twice, type RuleCase } from '../testing.data';
import { readXml } from '../xml';
import { ciiBindingRules } from './cii-binding-rules';

// "Maximum content for EN16931" to break: notes, a payee, a tax representative, allowances, two payment means,
// attachments.
const INVOICE = officialExample('cii', 'CII_example5.xml').toString('utf8');

const HEADER_TAX = '<ram:CalculatedAmount>375</ram:CalculatedAmount>';
const SECOND_HEADER_TAX = '<ram:CalculatedAmount>300</ram:CalculatedAmount>';

/** The document with the VAT point date code `codes[i]` on its i-th VAT breakdown, instead of a VAT point date. */
function dueDateTypeCodes(...codes: string[]): string {
  let xml = edit(INVOICE, /<ram:TaxPointDate>[\s\S]*?<\/ram:TaxPointDate>/, '');
  codes.forEach((code, i) => {
    xml = edit(xml, new RegExp(`(${i === 0 ? HEADER_TAX : SECOND_HEADER_TAX}[\\s\\S]*?)(<ram:RateApplicablePercent>)`), `$1<ram:DueDateTypeCode>${code}</ram:DueDateTypeCode>$2`);
  });
  return xml;
}
const SUMMATION_END = '</ram:SpecifiedTradeSettlementHeaderMonetarySummation>';
const SELLER_ADDRESS = '<ram:PostcodeCode>54321</ram:PostcodeCode>';
/** The end of the document's billing period, where a forbidden child can follow. */
const HEADER_PERIOD_END = '<udt:DateTimeString format="102">20130410</udt:DateTimeString>\n                </ram:EndDateTime>';
const CONTRACT = '<ram:IssuerAssignedID>2013-05</ram:IssuerAssignedID>';
const DOCUMENT_ID = '<ram:ID>TOSL110</ram:ID>';

/** One case per total the header's monetary summation may state at most once: CII-SR-477 … 494, in this order. */
const SUMMATION_TOTALS = [
  ...['LineTotalAmount', 'ChargeTotalAmount', 'AllowanceTotalAmount', 'TaxBasisTotalAmount', 'RoundingAmount', 'GrandTotalAmount'],
  ...['InformationAmount', 'TotalPrepaidAmount', 'TotalDiscountAmount', 'TotalAllowanceChargeAmount', 'DuePayableAmount'],
  ...['RetailValueExcludingTaxInformationAmount', 'TotalDepositFeeInformationAmount', 'ProductValueExcludingTobaccoTaxInformationAmount'],
  ...['TotalRetailValueInformationAmount', 'GrossLineTotalAmount', 'NetLineTotalAmount', 'NetIncludingTaxesLineTotalAmount'],
].map((name, i) => [`CII-SR-${477 + i}`, name] as const);

/** CII-DT-001 … 007: the attributes the document number (and three other identifiers) must not have. */
const FIXED_ID_ATTRIBUTES = ['schemeName', 'schemeAgencyName', 'schemeDataURI', 'schemeURI', 'schemeID', 'schemeAgencyID', 'schemeVersionID'];

/** CII-DT-015 … 030: what a referenced document (here the contract reference) must not hold. */
const REFERENCED_DOCUMENT_CHILDREN: readonly (readonly [rule: string, xml: string])[] = [
  ['CII-DT-015', '<ram:URIID>https://example.com</ram:URIID>'],
  ['CII-DT-016', '<ram:StatusCode>1</ram:StatusCode>'],
  ['CII-DT-017', '<ram:CopyIndicator><udt:Indicator>true</udt:Indicator></ram:CopyIndicator>'],
  ['CII-DT-018', '<ram:TypeCode>916</ram:TypeCode>'],
  ['CII-DT-019', '<ram:GlobalID schemeID="0088">1</ram:GlobalID>'],
  ['CII-DT-020', '<ram:RevisionID>1</ram:RevisionID>'],
  ['CII-DT-021', '<ram:Name>n</ram:Name>'],
  ['CII-DT-022', '<ram:AttachmentBinaryObject mimeCode="text/csv" filename="a.csv">QQ==</ram:AttachmentBinaryObject>'],
  ['CII-DT-023', '<ram:Information>i</ram:Information>'],
  ['CII-DT-024', '<ram:ReferenceTypeCode>AAA</ram:ReferenceTypeCode>'],
  ['CII-DT-025', '<ram:SectionName>s</ram:SectionName>'],
  ['CII-DT-026', '<ram:PreviousRevisionID>1</ram:PreviousRevisionID>'],
  ['CII-DT-027', '<ram:FormattedIssueDateTime><qdt:DateTimeString format="102">20130101</qdt:DateTimeString></ram:FormattedIssueDateTime>'],
  ['CII-DT-028', '<ram:EffectiveSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">20130101</udt:DateTimeString></ram:StartDateTime></ram:EffectiveSpecifiedPeriod>'],
  ['CII-DT-029', '<ram:IssuerTradeParty><ram:Name>n</ram:Name></ram:IssuerTradeParty>'],
  ['CII-DT-030', '<ram:AttachedSpecifiedBinaryFile><ram:ID>1</ram:ID></ram:AttachedSpecifiedBinaryFile>'],
];

/** CII-DT-068 … 081: what a billing period (here the document's) must not hold. */
const PERIOD_CHILDREN: readonly (readonly [rule: string, xml: string])[] = [
  ['CII-DT-068', '<ram:StartDateTime><udt:DateTime>2013-03-10T00:00:00</udt:DateTime></ram:StartDateTime>'],
  ['CII-DT-069', '<ram:DurationMeasure unitCode="DAY">31</ram:DurationMeasure>'],
  ['CII-DT-070', '<ram:InclusiveIndicator><udt:Indicator>true</udt:Indicator></ram:InclusiveIndicator>'],
  ['CII-DT-071', '<ram:Description>d</ram:Description>'],
  ['CII-DT-072', '<ram:EndDateTime><udt:DateTime>2013-04-10T00:00:00</udt:DateTime></ram:EndDateTime>'],
  ['CII-DT-073', '<ram:CompleteDateTime><udt:DateTimeString format="102">20130410</udt:DateTimeString></ram:CompleteDateTime>'],
  ['CII-DT-074', '<ram:OpenIndicator><udt:Indicator>true</udt:Indicator></ram:OpenIndicator>'],
  ['CII-DT-075', '<ram:SeasonCode>1</ram:SeasonCode>'],
  ['CII-DT-076', '<ram:ID>1</ram:ID>'],
  ['CII-DT-077', '<ram:Name>n</ram:Name>'],
  ['CII-DT-078', '<ram:SequenceNumeric>1</ram:SequenceNumeric>'],
  ['CII-DT-079', '<ram:StartDateFlexibilityCode>1</ram:StartDateFlexibilityCode>'],
  ['CII-DT-080', '<ram:ContinuousIndicator><udt:Indicator>true</udt:Indicator></ram:ContinuousIndicator>'],
  ['CII-DT-081', '<ram:PurposeCode>1</ram:PurposeCode>'],
];

/** CII-DT-082 … 096: what a postal address (here the seller's) must not hold. */
const ADDRESS_CHILDREN: readonly (readonly [rule: string, name: string])[] = [
  ['CII-DT-082', 'ID'], ['CII-DT-083', 'PostOfficeBox'], ['CII-DT-084', 'BuildingName'], ['CII-DT-086', 'LineFour'], ['CII-DT-087', 'LineFive'],
  ['CII-DT-088', 'StreetName'], ['CII-DT-089', 'CitySubDivisionName'], ['CII-DT-090', 'CountryName'], ['CII-DT-091', 'CountrySubDivisionID'],
  ['CII-DT-092', 'AttentionOf'], ['CII-DT-093', 'CareOf'], ['CII-DT-094', 'BuildingNumber'], ['CII-DT-095', 'DepartmentName'],
  ['CII-DT-096', 'AdditionalStreetName'],
];

const CASES: readonly RuleCase[] = [
  {
    when: 'two guideline parameters',
    xml: before(INVOICE, '</rsm:ExchangedDocumentContext>', '<ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>x</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>'),
    rules: ['CII-SR-009', 'CII-SR-010'],
    noOfficialVerdict: 'a rule calls normalize-space() on both specification identifiers',
  },
  {
    when: 'the guideline parameter has two ids',
    xml: twice(INVOICE, '<ram:ID>urn:cen.eu:en16931:2017</ram:ID>'),
    rules: ['CII-SR-010'],
    noOfficialVerdict: 'a rule calls normalize-space() on both specification identifiers',
  },
  {
    when: 'the document has two type codes',
    xml: twice(INVOICE, '<ram:TypeCode>380</ram:TypeCode>'),
    rules: ['CII-SR-014'],
    noOfficialVerdict: 'a rule calls normalize-space() on both type codes',
  },
  { when: 'an item id has no scheme', xml: edit(INVOICE, '<ram:GlobalID schemeID="0088">1234567890128</ram:GlobalID>', '<ram:GlobalID>1234567890128</ram:GlobalID>'), rules: ['CII-SR-046'] },
  { when: 'an origin country has two ids', xml: twice(INVOICE, '<ram:ID>NL</ram:ID>'), rules: ['CII-SR-090'] },
  { when: 'an item attribute has no name', xml: edit(INVOICE, '<ram:Description>Thickness</ram:Description>', ''), rules: ['CII-SR-069'] },
  { when: 'an item attribute has two values', xml: twice(INVOICE, '<ram:Value>2 mm</ram:Value>'), rules: ['CII-SR-072'] },
  { when: 'a net price has no amount', xml: edit(INVOICE, '<ram:ChargeAmount>1</ram:ChargeAmount>', ''), rules: ['CII-SR-439'] },
  { when: 'a net price has two amounts', xml: twice(INVOICE, '<ram:ChargeAmount>1</ram:ChargeAmount>'), rules: ['CII-SR-439', 'CII-SR-441'] },
  {
    when: 'an allowance has no charge indicator',
    xml: edit(INVOICE, /<ram:ChargeIndicator>\s*<udt:Indicator>false<\/udt:Indicator>\s*<\/ram:ChargeIndicator>(\s*<ram:CalculationPercent>10<\/ram:CalculationPercent>\s*<ram:BasisAmount>1500)/, '$1'),
    rules: ['CII-SR-463'],
  },
  {
    when: 'an allowance has two rates',
    xml: after(INVOICE, '<ram:CalculationPercent>10</ram:CalculationPercent>', '<ram:RateApplicablePercent>1</ram:RateApplicablePercent>'.repeat(2)),
    rules: ['CII-SR-471'],
  },
  {
    when: 'an allowance has two VAT categories',
    xml: edit(INVOICE, /(<ram:Reason>Loyal customer<\/ram:Reason>\s*)(<ram:CategoryTradeTax>)/, '$1<ram:CategoryTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>25</ram:RateApplicablePercent></ram:CategoryTradeTax>$2'),
    rules: ['CII-SR-472'],
  },
  { when: 'an allowance has two amounts', xml: twice(INVOICE, '<ram:ActualAmount>150</ram:ActualAmount>'), rules: ['CII-SR-473'] },
  { when: 'a gross price discount has two amounts', xml: twice(INVOICE, '<ram:ActualAmount>10</ram:ActualAmount>'), rules: ['CII-SR-440'] },
  {
    when: 'the seller has two contacts',
    xml: before(INVOICE, '<ram:DefinedTradeContact>', '<ram:DefinedTradeContact><ram:PersonName>Other</ram:PersonName></ram:DefinedTradeContact>'),
    rules: ['CII-SR-455'],
  },
  {
    when: 'the buyer has two contacts',
    xml: edit(INVOICE, /(<ram:BuyerTradeParty>[\s\S]*?)(<ram:DefinedTradeContact>)/, '$1<ram:DefinedTradeContact><ram:PersonName>Other</ram:PersonName></ram:DefinedTradeContact>$2'),
    rules: ['CII-SR-456'],
  },
  {
    when: 'the seller has two electronic addresses',
    xml: before(INVOICE, '<ram:URIUniversalCommunication>', '<ram:URIUniversalCommunication><ram:URIID schemeID="EM">a@selco.nl</ram:URIID></ram:URIUniversalCommunication>'),
    rules: ['CII-SR-459'],
  },
  {
    when: 'the buyer has two electronic addresses',
    xml: edit(INVOICE, /(<ram:BuyerTradeParty>[\s\S]*?)(<ram:URIUniversalCommunication>)/, '$1<ram:URIUniversalCommunication><ram:URIID schemeID="EM">a@buyco.dk</ram:URIID></ram:URIUniversalCommunication>$2'),
    rules: ['CII-SR-460'],
  },
  {
    when: 'two VAT breakdowns state a VAT point date',
    xml: after(INVOICE, SECOND_HEADER_TAX, '<ram:TaxPointDate><udt:DateString format="102">20130410</udt:DateString></ram:TaxPointDate>'),
    rules: ['CII-SR-461'],
  },
  {
    when: 'two VAT breakdowns state different VAT point date codes',
    xml: dueDateTypeCodes('5', '29'),
    rules: ['CII-SR-462'],
  },
  {
    when: 'a credit transfer has no account',
    xml: edit(INVOICE, /<ram:PayeePartyCreditorFinancialAccount>\s*<ram:IBANID>A<\/ram:IBANID>\s*<\/ram:PayeePartyCreditorFinancialAccount>/, ''),
    rules: ['CII-SR-470'],
  },
  ...SUMMATION_TOTALS.map(([rule, name]): RuleCase => ({
    when: `the summation states ${name} twice`,
    xml: before(INVOICE, SUMMATION_END, `<ram:${name}>1</ram:${name}>`.repeat(2)),
    rules: [rule],
    ...(['LineTotalAmount', 'ChargeTotalAmount', 'AllowanceTotalAmount', 'TaxBasisTotalAmount', 'RoundingAmount', 'GrandTotalAmount', 'TotalPrepaidAmount', 'DuePayableAmount'].includes(name)
      ? { noOfficialVerdict: 'a BR-CO or BR-DEC rule reads the total as one value' }
      : {}),
  })),
  { when: 'the root has a languageID', xml: edit(INVOICE, '<rsm:CrossIndustryInvoice ', '<rsm:CrossIndustryInvoice languageID="en" '), rules: ['CII-DT-013'] },
  { when: 'the root has a languageLocaleID', xml: edit(INVOICE, '<rsm:CrossIndustryInvoice ', '<rsm:CrossIndustryInvoice languageLocaleID="en-GB" '), rules: ['CII-DT-014'] },
  {
    when: 'two payment means have different codes',
    xml: edit(INVOICE, /<ram:TypeCode>58<\/ram:TypeCode>(\s*<ram:PayeePartyCreditorFinancialAccount>\s*<ram:IBANID>A<)/, '<ram:TypeCode>30</ram:TypeCode>$1'),
    rules: ['CII-SR-467'],
  },
  {
    when: 'two payment means have different texts',
    xml: edit(INVOICE, /<ram:TypeCode>58<\/ram:TypeCode>(\s*<ram:PayeePartyCreditorFinancialAccount>\s*<ram:IBANID>A<)/, '<ram:TypeCode>58</ram:TypeCode><ram:Information>Other</ram:Information>$1'),
    rules: ['CII-SR-468'],
  },
  { when: 'two payment references', xml: twice(INVOICE, '<ram:PaymentReference>Payref1</ram:PaymentReference>'), rules: ['CII-SR-469'] },
  ...FIXED_ID_ATTRIBUTES.map(
    (attribute, i): RuleCase => ({
      when: `the document number has a ${attribute}`,
      xml: edit(INVOICE, DOCUMENT_ID, `<ram:ID ${attribute}="x">TOSL110</ram:ID>`),
      rules: [`CII-DT-00${i + 1}`],
    }),
  ),
  { when: 'the specification identifier has a schemeID', xml: edit(INVOICE, '<ram:ID>urn:cen.eu:en16931:2017</ram:ID>', '<ram:ID schemeID="x">urn:cen.eu:en16931:2017</ram:ID>'), rules: ['CII-DT-005'] },
  { when: 'a line id has a schemeName', xml: edit(INVOICE, '<ram:LineID>1</ram:LineID>', '<ram:LineID schemeName="x">1</ram:LineID>'), rules: ['CII-DT-001'] },
  { when: "an item's seller id has a schemeURI", xml: edit(INVOICE, '<ram:SellerAssignedID>JB007</ram:SellerAssignedID>', '<ram:SellerAssignedID schemeURI="x">JB007</ram:SellerAssignedID>'), rules: ['CII-DT-004'] },
  ...['schemeName', 'schemeAgencyName', 'schemeDataURI', 'schemeURI'].map(
    (attribute, i): RuleCase => ({
      when: `an item's buyer id has a ${attribute}`,
      xml: edit(INVOICE, '<ram:BuyerAssignedID>BUY123</ram:BuyerAssignedID>', `<ram:BuyerAssignedID ${attribute}="x">BUY123</ram:BuyerAssignedID>`),
      rules: [`CII-DT-10${i + 1}`],
    }),
  ),
  { when: 'a type code has a name', xml: edit(INVOICE, '<ram:TypeCode>380</ram:TypeCode>', '<ram:TypeCode name="x">380</ram:TypeCode>'), rules: ['CII-DT-008'] },
  { when: 'a type code has a listURI', xml: edit(INVOICE, '<ram:TypeCode>58</ram:TypeCode>', '<ram:TypeCode listURI="x">58</ram:TypeCode>'), rules: ['CII-DT-009'] },
  ...REFERENCED_DOCUMENT_CHILDREN.map(([rule, child]): RuleCase => ({ when: `the contract reference holds ${child.slice(0, child.indexOf('>') + 1)}`, xml: after(INVOICE, CONTRACT, child), rules: [rule] })),
  { when: 'an amount has a currencyID', xml: edit(INVOICE, '<ram:LineTotalAmount>4000.00</ram:LineTotalAmount>', '<ram:LineTotalAmount currencyID="DKK">4000.00</ram:LineTotalAmount>'), rules: ['CII-DT-031'] },
  {
    when: 'an amount has a currencyCodeListVersionID',
    xml: edit(INVOICE, '<ram:LineTotalAmount>4000.00</ram:LineTotalAmount>', '<ram:LineTotalAmount currencyCodeListVersionID="1">4000.00</ram:LineTotalAmount>'),
    rules: ['CII-DT-032'],
  },
  {
    when: 'a base quantity has a unit but no billed quantity has one',
    xml: INVOICE.replace(/<ram:BilledQuantity unitCode="C62">/g, '<ram:BilledQuantity>'),
    rules: ['CII-DT-033'],
  },
  ...['unitCodeListID', 'unitCodeListAgencyID', 'unitCodeListAgencyName'].map(
    (attribute, i): RuleCase => ({
      when: `a quantity has a ${attribute}`,
      xml: edit(INVOICE, '<ram:BilledQuantity unitCode="C62">1000</ram:BilledQuantity>', `<ram:BilledQuantity unitCode="C62" ${attribute}="x">1000</ram:BilledQuantity>`),
      rules: [`CII-DT-03${i + 4}`],
    }),
  ),
  { when: "an allowance's VAT is not VAT", xml: edit(INVOICE, /(<ram:CategoryTradeTax>\s*)<ram:TypeCode>VAT/, '$1<ram:TypeCode>GST'), rules: ['CII-DT-037'] },
  { when: "a VAT breakdown's type code is not VAT", xml: edit(INVOICE, /(<ram:CalculatedAmount>375<\/ram:CalculatedAmount>\s*)<ram:TypeCode>VAT/, '$1<ram:TypeCode>GST'), rules: ['CII-DT-037'] },
  { when: "a line's VAT type code is not VAT", xml: edit(INVOICE, '<ram:TypeCode>VAT</ram:TypeCode>', '<ram:TypeCode>GST</ram:TypeCode>'), rules: ['CII-DT-037'] },
  ...PERIOD_CHILDREN.map(([rule, child]): RuleCase => ({ when: `the billing period holds ${child.slice(0, child.indexOf('>') + 1)}`, xml: after(INVOICE, HEADER_PERIOD_END, child), rules: [rule] })),
  ...ADDRESS_CHILDREN.map(([rule, name]): RuleCase => ({ when: `an address holds ram:${name}`, xml: before(INVOICE, SELLER_ADDRESS, `<ram:${name}>x</ram:${name}>`), rules: [rule] })),
  {
    when: 'a 102 date is written with dashes',
    xml: edit(INVOICE, '<udt:DateTimeString format="102">20130410</udt:DateTimeString>', '<udt:DateTimeString format="102">2013-04-10</udt:DateTimeString>'),
    rules: ['CII-DT-097'],
  },
  {
    when: 'a 102 date has month 13',
    xml: edit(INVOICE, '<udt:DateTimeString format="102">20130410</udt:DateTimeString>', '<udt:DateTimeString format="102">20131310</udt:DateTimeString>'),
    rules: ['CII-DT-097'],
  },
  { when: 'the VAT total is in currency `DKX`', xml: edit(INVOICE, 'currencyID="DKK">675.00', 'currencyID="DKX">675.00'), rules: ['BR-CL-03'] },
  { when: "a line note's subject code is not a code", xml: after(INVOICE, '<ram:Content>first line</ram:Content>', '<ram:SubjectCode>XXX</ram:SubjectCode>'), rules: ['BR-CL-08'] },
  {
    when: "the payee's address has an unknown country",
    xml: after(INVOICE, '<ram:Name>Dagobert Duck</ram:Name>', '<ram:PostalTradeAddress><ram:CountryID>XX</ram:CountryID></ram:PostalTradeAddress>'),
    rules: ['BR-CL-14'],
  },
];

/** Documents the stylesheet accepts although they look close to a broken case. */
const ACCEPTED: readonly Omit<RuleCase, 'rules'>[] = [
  { when: 'the document type code has a listID (CII-DT-010 comes after the rule for every ram:TypeCode)', xml: edit(INVOICE, '<ram:TypeCode>380</ram:TypeCode>', '<ram:TypeCode listID="1001">380</ram:TypeCode>') },
  { when: 'a supporting document of type 916 has a URI, a name and an attachment', xml: after(INVOICE, '<ram:IssuerAssignedID>sales slip</ram:IssuerAssignedID>', '<ram:URIID>https://example.com/slip</ram:URIID>') },
  { when: 'the VAT total has a currencyCodeListVersionID (CII-DT-032 skips ram:TaxTotalAmount)', xml: edit(INVOICE, 'currencyID="DKK">675.00', 'currencyID="DKK" currencyCodeListVersionID="1">675.00') },
  { when: 'two payment means have the same code, one written with spaces', xml: edit(INVOICE, /<ram:TypeCode>58<\/ram:TypeCode>(\s*<ram:PayeePartyCreditorFinancialAccount>\s*<ram:IBANID>A<)/, '<ram:TypeCode> 58 </ram:TypeCode>$1') },
  { when: 'two VAT breakdowns state the same VAT point date code', xml: dueDateTypeCodes('5', '5') },
  { when: 'a 102 date is written in other decimal digits (XPath `\\d` is any digit)', xml: edit(INVOICE, '<udt:DateTimeString format="102">20130410</udt:DateTimeString>', '<udt:DateTimeString format="102">\u0662\u0660\u0661\u06630410</udt:DateTimeString>') },
  { when: 'a credit transfer has a proprietary account id', xml: edit(INVOICE, '<ram:IBANID>A</ram:IBANID>', '<ram:ProprietaryID>A</ram:ProprietaryID>') },
  { when: "a line note's subject code is one of the codes only the CII list has", xml: after(INVOICE, '<ram:Content>first line</ram:Content>', '<ram:SubjectCode>BAT</ram:SubjectCode>') },
  { when: "the payee's country is AN, which the CII list has (the UBL one has SS)", xml: before(INVOICE, '</ram:PayeeTradeParty>', '<ram:PostalTradeAddress><ram:CountryID>AN</ram:CountryID></ram:PostalTradeAddress>') },
];

describe('ciiBindingRules', () => {
  bindingRulesSuite({ syntax: 'cii', check: ciiBindingRules, cases: CASES, accepted: ACCEPTED, official: validateOfficially });

  it('places a finding on its context element, with its XPath, line and column', () => {
    const xml = twice(INVOICE, '<ram:PaymentReference>Payref1</ram:PaymentReference>');
    const findings = ciiBindingRules(readXml(Buffer.from(xml)).root);
    const lines = xml.split('\n');
    const line = lines.findIndex((text) => text.includes('<rsm:CrossIndustryInvoice'));
    expect(findings).toEqual([
      {
        rule: 'CII-SR-469',
        severity: 'fatal',
        message: 'Payment reference (BT-83) shall occur at most once in the document.',
        xpath: '/rsm:CrossIndustryInvoice',
        line: line + 1,
        column: (lines[line] ?? '').indexOf('<') + 1,
      },
    ]);
  });
});
