import { validateOfficially } from '@invoicing/en16931-official';
import { after, before, edit, bindingRulesSuite, officialExample, twice, type RuleCase } from '../testing.data';
import { readXml } from '../xml';
import { ublBindingRules } from './ubl-binding-rules';

// A rich invoice (payee, tax representative, delivery, allowances, attachments) and a credit note to break.
const INVOICE = officialExample('ubl', 'ubl-tc434-example5.xml').toString('utf8');
const CREDIT_NOTE = officialExample('ubl', 'ubl-tc434-creditnote1.xml').toString('utf8');

const VAT_SCHEME = (id: string) => `<cac:PartyTaxScheme><cbc:CompanyID>${id}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>`;
const MEANS = (code: string, extra = '') => `<cac:PaymentMeans><cbc:PaymentMeansCode>${code}</cbc:PaymentMeansCode>${extra}</cac:PaymentMeans>`;

const CASES: readonly RuleCase[] = [
  { when: 'two contract references', xml: twice(INVOICE, '<cbc:ID>2013-05</cbc:ID>'), rules: ['UBL-SR-01'] },
  { when: 'two receiving advice references', xml: twice(INVOICE, '<cbc:ID>3544</cbc:ID>'), rules: ['UBL-SR-02'] },
  { when: 'two despatch advice references', xml: twice(INVOICE, '<cbc:ID>5433</cbc:ID>'), rules: ['UBL-SR-03'] },
  {
    when: 'two invoiced object references',
    xml: before(INVOICE, '<cac:ProjectReference>', '<cac:AdditionalDocumentReference><cbc:ID>A</cbc:ID><cbc:DocumentTypeCode>130</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>'.repeat(2)),
    rules: ['UBL-SR-04'],
  },
  { when: 'two payment terms notes', xml: twice(INVOICE, '<cbc:Note>50% prepaid, 50% within one month</cbc:Note>'), rules: ['UBL-SR-05'] },
  { when: 'two invoice periods', xml: before(INVOICE, '<cac:OrderReference>', '<cac:InvoicePeriod><cbc:StartDate>2013-03-10</cbc:StartDate></cac:InvoicePeriod>'), rules: ['UBL-SR-08'] },
  {
    when: 'the seller has two names (in two legal entities)',
    xml: before(INVOICE, '<cac:PartyLegalEntity>', '<cac:PartyLegalEntity><cbc:RegistrationName>Other</cbc:RegistrationName></cac:PartyLegalEntity>'),
    rules: ['UBL-SR-09'],
    noOfficialVerdict: 'BR-06 calls normalize-space() on both names',
  },
  { when: 'the seller has two trading names', xml: twice(INVOICE, '<cbc:Name>SelCo</cbc:Name>'), rules: ['UBL-SR-10'] },
  {
    when: 'the seller has two legal registrations',
    xml: after(INVOICE, '<cbc:RegistrationName>SellerCompany</cbc:RegistrationName>', '<cbc:CompanyID>NL1</cbc:CompanyID>'),
    rules: ['UBL-SR-11'],
  },
  { when: 'the seller has two VAT identifiers (tax scheme `vat`, upper-cased)', xml: edit(INVOICE, '<cbc:ID>LOC</cbc:ID>', '<cbc:ID>vat</cbc:ID>'), rules: ['UBL-SR-12'] },
  { when: 'the seller has two tax registrations', xml: edit(INVOICE, '<cbc:ID>VAT</cbc:ID>', '<cbc:ID>GST</cbc:ID>'), rules: ['UBL-SR-13'] },
  { when: 'the seller has two legal forms', xml: twice(INVOICE, '<cbc:CompanyLegalForm>Export</cbc:CompanyLegalForm>'), rules: ['UBL-SR-14'] },
  {
    when: 'the buyer has two names (in two legal entities)',
    xml: after(INVOICE, '<cbc:CompanyID>DK16356607</cbc:CompanyID>\n            </cac:PartyLegalEntity>', '<cac:PartyLegalEntity><cbc:RegistrationName>Other</cbc:RegistrationName></cac:PartyLegalEntity>'),
    rules: ['UBL-SR-15'],
    noOfficialVerdict: 'BR-07 calls normalize-space() on both names',
  },
  { when: 'the buyer has two identifiers', xml: twice(INVOICE, '<cbc:ID schemeID="0088">5790000436057</cbc:ID>'), rules: ['UBL-SR-16'] },
  {
    when: 'the buyer has two legal registrations',
    xml: after(INVOICE, '<cbc:RegistrationName>Buyercompany ltd</cbc:RegistrationName>', '<cbc:CompanyID>DK1</cbc:CompanyID>'),
    rules: ['UBL-SR-17'],
  },
  {
    when: 'the buyer has two VAT identifiers (in two tax schemes)',
    xml: before(INVOICE, '<cac:PartyTaxScheme>\n                <cbc:CompanyID>DK16356607</cbc:CompanyID>', VAT_SCHEME('DK1')),
    rules: ['UBL-SR-18'],
  },
  { when: 'the payee has two names', xml: twice(INVOICE, '<cbc:Name>Dagobert Duck</cbc:Name>'), rules: ['UBL-SR-19'] },
  {
    when: "the payee's name is the seller's (all three payee rules require them to differ)",
    xml: edit(INVOICE, '<cbc:Name>Dagobert Duck</cbc:Name>', '<cbc:Name>SellerCompany</cbc:Name>'),
    rules: ['UBL-SR-19', 'UBL-SR-20', 'UBL-SR-21'],
  },
  {
    when: 'the payee has no name',
    xml: edit(INVOICE, /<cac:PartyName>\s*<cbc:Name>Dagobert Duck<\/cbc:Name>\s*<\/cac:PartyName>/, ''),
    rules: ['UBL-SR-19', 'UBL-SR-20', 'UBL-SR-21'],
  },
  {
    when: 'the payee has two identifiers besides a SEPA creditor id',
    xml: after(INVOICE, '<cbc:ID>DK16356608</cbc:ID>', '<cbc:ID schemeID="0088">1</cbc:ID><cbc:ID schemeID="SEPA">DE98ZZZ09999999999</cbc:ID>'),
    rules: ['UBL-SR-20'],
  },
  { when: 'the payee has two legal registrations', xml: twice(INVOICE, '<cbc:CompanyID>DK16356608</cbc:CompanyID>'), rules: ['UBL-SR-21'] },
  {
    when: 'the tax representative has two names (in two party names)',
    xml: before(INVOICE, '<cac:PartyName>\n            <cbc:Name>Dick Panama</cbc:Name>', '<cac:PartyName><cbc:Name>Other</cbc:Name></cac:PartyName>'),
    rules: ['UBL-SR-22'],
    noOfficialVerdict: 'BR-18 calls normalize-space() on both names',
  },
  { when: 'the tax representative has two VAT identifiers (in two tax schemes)', xml: before(INVOICE, '<cac:PartyTaxScheme>\n            <cbc:CompanyID>DK16356609</cbc:CompanyID>', VAT_SCHEME('DK2')), rules: ['UBL-SR-23'] },
  { when: 'two deliveries', xml: before(INVOICE, '<cac:PaymentMeans>', '<cac:Delivery><cbc:ActualDeliveryDate>2013-04-16</cbc:ActualDeliveryDate></cac:Delivery>'), rules: ['UBL-SR-24'] },
  { when: 'the deliver-to party has two names', xml: twice(INVOICE, '<cbc:Name>Logistic service Ltd</cbc:Name>'), rules: ['UBL-SR-25'] },
  { when: 'a payment means has two payment ids (the same)', xml: twice(INVOICE, '<cbc:PaymentID>Payref1</cbc:PaymentID>'), rules: ['UBL-SR-26'] },
  {
    when: 'a payment means has two means codes (the same)',
    xml: twice(INVOICE, '<cbc:PaymentMeansCode>49</cbc:PaymentMeansCode>'),
    rules: ['UBL-SR-27'],
    noOfficialVerdict: 'a rule of cac:PaymentMeans calls normalize-space() on both codes (the XSD allows one)',
  },
  { when: 'a mandate has two ids', xml: twice(INVOICE, '<cbc:ID>123456</cbc:ID>'), rules: ['UBL-SR-28'] },
  {
    when: 'two SEPA creditor ids (`SEPA` and `sepa`)',
    xml: after(
      INVOICE,
      '<cbc:EndpointID schemeID="EM">info@selco.nl</cbc:EndpointID>',
      '<cac:PartyIdentification><cbc:ID schemeID="SEPA">A</cbc:ID></cac:PartyIdentification><cac:PartyIdentification><cbc:ID schemeID="sepa">B</cbc:ID></cac:PartyIdentification>',
    ),
    rules: ['UBL-SR-29'],
  },
  { when: 'a document allowance has two reasons', xml: twice(INVOICE, '<cbc:AllowanceChargeReason>Loyal customer</cbc:AllowanceChargeReason>'), rules: ['UBL-SR-30'] },
  { when: 'a document charge has two reasons', xml: twice(INVOICE, '<cbc:AllowanceChargeReason>Packaging</cbc:AllowanceChargeReason>'), rules: ['UBL-SR-31'] },
  {
    when: 'a VAT breakdown has two exemption reasons',
    xml: after(
      INVOICE,
      '<cbc:TaxAmount currencyID="DKK">375.00</cbc:TaxAmount>',
      '<cac:TaxCategory><cbc:TaxExemptionReason>a</cbc:TaxExemptionReason><cbc:TaxExemptionReason>b</cbc:TaxExemptionReason></cac:TaxCategory>',
    ),
    rules: ['UBL-SR-32'],
  },
  { when: 'a supporting document has two descriptions', xml: twice(INVOICE, '<cbc:DocumentDescription>your sales slip</cbc:DocumentDescription>'), rules: ['UBL-SR-33'] },
  { when: 'a line has two notes', xml: twice(INVOICE, '<cbc:Note>first line</cbc:Note>'), rules: ['UBL-SR-34'] },
  { when: 'a line has two order line references', xml: twice(INVOICE, '<cbc:LineID>1</cbc:LineID>'), rules: ['UBL-SR-35'] },
  { when: 'a line has two periods', xml: after(INVOICE, '<cbc:AccountingCost>ACC7654</cbc:AccountingCost>', '<cac:InvoicePeriod/>'), rules: ['UBL-SR-36'] },
  { when: 'a price has two discounts', xml: twice(INVOICE, '<cbc:Amount currencyID="DKK">0.10</cbc:Amount>'), rules: ['UBL-SR-37'] },
  { when: 'two project references', xml: twice(INVOICE, '<cbc:ID>Project345</cbc:ID>'), rules: ['UBL-SR-39'] },
  { when: 'the buyer has two trading names', xml: twice(INVOICE, '<cbc:Name>Buyco</cbc:Name>'), rules: ['UBL-SR-40'] },
  {
    when: 'the seller has three tax schemes',
    xml: before(INVOICE, '<cac:PartyLegalEntity>', '<cac:PartyTaxScheme><cbc:CompanyID>X</cbc:CompanyID><cac:TaxScheme><cbc:ID>FC</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>'),
    rules: ['UBL-SR-13', 'UBL-SR-42'],
  },
  { when: 'a supporting document has a scheme on its id', xml: edit(INVOICE, '<cbc:ID>sales slip</cbc:ID>', '<cbc:ID schemeID="ABT">sales slip</cbc:ID>'), rules: ['UBL-SR-43'] },
  {
    when: 'a supporting document has a type code other than 130',
    xml: after(INVOICE, '<cbc:ID>sales slip</cbc:ID>', '<cbc:DocumentTypeCode>916</cbc:DocumentTypeCode>'),
    rules: ['UBL-SR-43'],
  },
  {
    when: 'an invoice has a tender reference by type code 50 (only a credit note may)',
    xml: after(INVOICE, '<cbc:ID>sales slip</cbc:ID>', '<cbc:DocumentTypeCode>50</cbc:DocumentTypeCode>'),
    rules: ['UBL-SR-43'],
  },
  { when: 'two payment means with different payment ids', xml: before(INVOICE, '<cac:PaymentTerms>', MEANS('49', '<cbc:PaymentID>Payref2</cbc:PaymentID>')), rules: ['UBL-SR-44'] },
  {
    when: 'two payment means with a due date each',
    xml: before(INVOICE, '<cac:PaymentTerms>', MEANS('49', '<cbc:PaymentDueDate>2013-05-10</cbc:PaymentDueDate>').repeat(2)),
    rules: ['UBL-SR-45'],
  },
  { when: 'two payment means with a means text each', xml: before(INVOICE, '<cac:PaymentTerms>', '<cac:PaymentMeans><cbc:PaymentMeansCode name="a">49</cbc:PaymentMeansCode></cac:PaymentMeans>'.repeat(2)), rules: ['UBL-SR-46'] },
  { when: 'two payment means with different codes', xml: before(INVOICE, '<cac:PaymentTerms>', MEANS('30')), rules: ['UBL-SR-47'] },
  {
    when: 'the invoice period has two VAT point date codes',
    xml: after(INVOICE, '<cbc:StartDate>2013-03-10</cbc:StartDate>', '<cbc:DescriptionCode>3</cbc:DescriptionCode><cbc:DescriptionCode>35</cbc:DescriptionCode>'),
    rules: ['UBL-SR-49'],
  },
  {
    when: 'a postal address has two address lines',
    xml: before(INVOICE, '<cbc:CityName>Grootstad</cbc:CityName>', '<cac:AddressLine><cbc:Line>a</cbc:Line></cac:AddressLine><cac:AddressLine><cbc:Line>b</cbc:Line></cac:AddressLine>'),
    rules: ['UBL-SR-51'],
  },
  {
    when: 'a delivery address has two address lines',
    xml: before(INVOICE, '<cbc:CityName>Deliverycity</cbc:CityName>', '<cac:AddressLine><cbc:Line>a</cbc:Line></cac:AddressLine><cac:AddressLine><cbc:Line>b</cbc:Line></cac:AddressLine>'),
    rules: ['UBL-SR-51'],
  },
  { when: 'a line has two VAT categories', xml: after(INVOICE, '<cbc:Name>Printing paper</cbc:Name>', '<cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID></cac:ClassifiedTaxCategory>'), rules: ['UBL-SR-48'] },
  { when: 'a line has no VAT category', xml: edit(INVOICE, /<cac:ClassifiedTaxCategory>[\s\S]*?<\/cac:ClassifiedTaxCategory>/, ''), rules: ['UBL-SR-48'] },
  { when: 'an item has two descriptions', xml: twice(INVOICE, '<cbc:Description>Printing paper, 2mm</cbc:Description>'), rules: ['UBL-SR-50'] },
  { when: 'a line has two document references', xml: after(INVOICE, '<cbc:AccountingCost>ACC7654</cbc:AccountingCost>', '<cac:DocumentReference><cbc:ID>X</cbc:ID></cac:DocumentReference>'), rules: ['UBL-SR-52'] },
  { when: 'a party tax scheme has no CompanyID', xml: edit(INVOICE, '<cbc:CompanyID>DK16356609</cbc:CompanyID>', ''), rules: ['UBL-SR-53'] },
  {
    when: 'two card accounts',
    xml: after(INVOICE, '<cbc:PaymentID>Payref1</cbc:PaymentID>', '<cac:CardAccount><cbc:PrimaryAccountNumberID>1234</cbc:PrimaryAccountNumberID><cbc:NetworkID>NA</cbc:NetworkID></cac:CardAccount>'.repeat(2)),
    rules: ['UBL-SR-54'],
  },
  { when: 'two payment mandates', xml: after(INVOICE, '<cbc:PaymentID>Payref1</cbc:PaymentID>', '<cac:PaymentMandate><cac:PayerFinancialAccount><cbc:ID>DK1</cbc:ID></cac:PayerFinancialAccount></cac:PaymentMandate>'), rules: ['UBL-SR-55'] },
  { when: 'two tender or lot references', xml: twice(INVOICE, '<cbc:ID>Lot567</cbc:ID>'), rules: ['UBL-SR-56'] },
  {
    when: 'a billing reference has two preceding invoices',
    xml: after(INVOICE, '<cac:BillingReference>', '<cac:InvoiceDocumentReference><cbc:ID>TOSL108</cbc:ID></cac:InvoiceDocumentReference>'),
    rules: ['UBL-SR-06'],
  },
  { when: 'a preceding invoice reference has no number', xml: edit(INVOICE, '<cbc:ID>TOSL109</cbc:ID>', ''), rules: ['UBL-SR-07'] },
  { when: 'an amount has three decimals', xml: edit(INVOICE, '<cbc:Amount currencyID="DKK">150.00</cbc:Amount>', '<cbc:Amount currencyID="DKK">150.000</cbc:Amount>'), rules: ['UBL-DT-01'] },
  {
    when: 'an amount has a space after two decimals (the test counts every character after the dot)',
    xml: edit(INVOICE, '<cbc:PayableAmount currencyID="DKK">2337.50</cbc:PayableAmount>', '<cbc:PayableAmount currencyID="DKK">2337.50 </cbc:PayableAmount>'),
    rules: ['UBL-DT-01'],
  },
  { when: 'an attachment has no mime code', xml: edit(INVOICE, 'mimeCode="application/pdf" ', ''), rules: ['UBL-DT-06'] },
  { when: 'an attachment has no file name', xml: edit(INVOICE, ' filename="EHF.pdf"', ''), rules: ['UBL-DT-07'] },
  {
    when: 'the invoiced object reference has an attachment',
    xml: before(
      INVOICE,
      '<cac:ProjectReference>',
      '<cac:AdditionalDocumentReference><cbc:ID>O</cbc:ID><cbc:DocumentTypeCode>130</cbc:DocumentTypeCode><cac:Attachment><cac:ExternalReference><cbc:URI>https://example.com</cbc:URI></cac:ExternalReference></cac:Attachment></cac:AdditionalDocumentReference>',
    ),
    rules: ['UBL-CR-666'],
  },
  { when: 'the invoiced object reference has a description', xml: after(INVOICE, '<cbc:ID>OBJ999</cbc:ID>', '<cbc:DocumentTypeCode>130</cbc:DocumentTypeCode>'), rules: ['UBL-CR-673'] },
  { when: 'an amount is in currency `DKX`', xml: edit(INVOICE, 'currencyID="DKK">150.00', 'currencyID="DKX">150.00'), rules: ['BR-CL-03'] },
  { when: 'an amount has no currency', xml: edit(INVOICE, ' currencyID="DKK">2337.50</cbc:PayableAmount>', '>2337.50</cbc:PayableAmount>'), rules: ['BR-CL-03'] },
];

/** Documents the stylesheet accepts although they look close to a broken case. */
const ACCEPTED: readonly Omit<RuleCase, 'rules'>[] = [
  { when: 'a credit note has a tender reference by type code 50', xml: before(CREDIT_NOTE, '<cac:AccountingSupplierParty>', '<cac:AdditionalDocumentReference><cbc:ID schemeID="AAG">T1</cbc:ID><cbc:DocumentTypeCode>50</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>') },
  { when: 'a price amount or a price discount has more than two decimals', xml: edit(edit(INVOICE, '>1.00</cbc:PriceAmount>', '>1.0001</cbc:PriceAmount>'), '>0.10</cbc:Amount>', '>0.1001</cbc:Amount>') },
  { when: 'a currency code has white space around it', xml: edit(INVOICE, 'currencyID="DKK">150.00', 'currencyID=" DKK ">150.00') },
  {
    when: 'the payee has a SEPA creditor id besides its identifier',
    xml: before(INVOICE, '<cac:PartyName>\n            <cbc:Name>Dagobert Duck</cbc:Name>', '<cac:PartyIdentification><cbc:ID schemeID="SEPA">DE98ZZZ09999999999</cbc:ID></cac:PartyIdentification>'),
  },
  { when: 'two payment means share a payment id and a code', xml: before(INVOICE, '<cac:PaymentTerms>', MEANS('49', '<cbc:PaymentID>Payref1</cbc:PaymentID>')) },
];

describe('ublBindingRules', () => {
  bindingRulesSuite({ syntax: 'ubl', check: ublBindingRules, cases: CASES, accepted: ACCEPTED, official: validateOfficially });

  it('places a finding on its context element, with its XPath, line and column', () => {
    const xml = twice(INVOICE, '<cbc:Name>Dick Panama</cbc:Name>');
    const [finding] = ublBindingRules(readXml(Buffer.from(xml)).root);
    const lines = xml.split('\n');
    const line = lines.findIndex((text) => text.includes('<cac:TaxRepresentativeParty>'));
    expect(finding).toEqual({
      rule: 'UBL-SR-22',
      severity: 'fatal',
      message: 'Seller tax representative name shall occur maximum once, if the Seller has a tax representative',
      xpath: '/Invoice/cac:TaxRepresentativeParty',
      line: line + 1,
      column: (lines[line] ?? '').indexOf('<') + 1,
    });
  });
});
