import { decodeXmlText, detectSyntax, parseSvrl } from './svrl';
import { OfficialValidatorError, fatalRuleIds, validateOfficially } from './validate';

describe('detectSyntax', () => {
  const ubl = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2';
  const cii = 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100';

  it('reads the root element and its namespace, past the declaration, comments and a DOCTYPE', () => {
    expect(detectSyntax(`<?xml version="1.0"?>\n<!-- licence -->\n<Invoice xmlns:cbc="x" xmlns="${ubl}"><cbc:ID/></Invoice>`)).toBe('ubl-invoice');
    expect(detectSyntax(`\uFEFF<ubl:CreditNote xmlns:ubl='urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2'/>`)).toBe('ubl-creditnote');
    expect(detectSyntax(Buffer.from(`<!DOCTYPE x><rsm:CrossIndustryInvoice xmlns:rsm="${cii}">`))).toBe('cii');
    expect(detectSyntax(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<Invoice xmlns="${ubl}"/>`)]))).toBe('ubl-invoice');
  });

  it('refuses a known name in another namespace, a known namespace on another root, and what is not XML', () => {
    expect(detectSyntax('<Invoice xmlns="urn:example"/>')).toBeUndefined();
    expect(detectSyntax(`<Invoice/>`)).toBeUndefined();
    expect(detectSyntax(`<Order xmlns="${ubl}"/>`)).toBeUndefined();
    expect(detectSyntax(`<rsm:CrossIndustryInvoice xmlns="${cii}"/>`)).toBeUndefined();
    expect(detectSyntax('{"invoice": 1}')).toBeUndefined();
  });
});

describe('parseSvrl', () => {
  const svrl = `<?xml version="1.0" encoding="UTF-8"?>
<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
  <svrl:fired-rule context="/Invoice"/>
  <svrl:failed-assert test="(cbc:ID) != ''" id="BR-02" flag="fatal"
      location="/*:Invoice[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'][1]">
    <svrl:text>[BR-02]-An Invoice shall have
      an Invoice number (BT-1).</svrl:text>
  </svrl:failed-assert>
  <svrl:failed-assert id='UBL-CR-004' flag='warning' location='/a[1]'><svrl:text>[UBL-CR-004]-Should &amp; &lt;must&gt; &#x41;&#66;</svrl:text></svrl:failed-assert>
  <s:successful-report xmlns:s="http://purl.oclc.org/dsdl/svrl" id="X-1" flag="fatal" location="/b"><s:text>reported</s:text></s:successful-report>
</svrl:schematron-output>`;

  it('takes id, flag, location and text of each failed assertion and report, in order', () => {
    expect(parseSvrl(svrl)).toEqual([
      {
        id: 'BR-02',
        flag: 'fatal',
        location: "/*:Invoice[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'][1]",
        text: '[BR-02]-An Invoice shall have an Invoice number (BT-1).',
      },
      { id: 'UBL-CR-004', flag: 'warning', location: '/a[1]', text: '[UBL-CR-004]-Should & <must> AB' },
      { id: 'X-1', flag: 'fatal', location: '/b', text: 'reported' },
    ]);
  });

  it('finds nothing in a report of a valid document', () => {
    expect(parseSvrl('<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl"><svrl:fired-rule context="/"/></svrl:schematron-output>')).toEqual([]);
  });

  it('decodes the predefined entities and character references only', () => {
    expect(decodeXmlText('&lt;a&gt; &amp;amp; &quot;&apos; &#233;&#x1F600; &nbsp;')).toBe("<a> &amp; \"' é😀 &nbsp;");
  });
});

describe('fatalRuleIds', () => {
  it('keeps the fatal ids, once each, sorted', () => {
    const finding = (id: string, flag: string) => ({ id, flag, location: '/', text: '' });
    expect(fatalRuleIds({ syntax: 'cii', schemaErrors: [], findings: [finding('BR-S-08', 'fatal'), finding('BR-CO-10', 'fatal'), finding('BR-S-08', 'fatal'), finding('CII-SR-001', 'warning')] })).toEqual([
      'BR-CO-10',
      'BR-S-08',
    ]);
  });
});

describe('validateOfficially refuses a batch it cannot judge, before starting Java', () => {
  const invoice = '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>';

  it('names the document whose root is not an e-invoice', async () => {
    await expect(validateOfficially([{ name: 'order.xml', xml: '<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>' }])).rejects.toMatchObject({
      code: 'official.unknown_syntax',
      message: expect.stringContaining('order.xml'),
    });
  });

  it('refuses two documents of the same name', async () => {
    const error = await validateOfficially([
      { name: 'a', xml: invoice },
      { name: 'a', xml: invoice },
    ]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OfficialValidatorError);
    expect(error).toMatchObject({ code: 'official.duplicate_name' });
  });

  it('answers an empty batch with an empty map', async () => {
    expect((await validateOfficially([])).size).toBe(0);
  });
});
