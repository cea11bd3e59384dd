import { describe, expect, it } from '@jest/globals';
import type { En16931Document } from '../model';
import { validDocument } from '../testing';
import { ISO_3166, ISO_3166_CII, UNTDID_1001, UNTDID_1001_UBL_CREDIT_NOTE, UNTDID_1001_UBL_INVOICE, UNTDID_4451, UNTDID_4451_CII } from './code-list-values';
import { codeListRules, isListed, trimXmlSpace } from './code-lists';

type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
type Draft = Mutable<En16931Document>;
type Line = Draft['lines'][number];

const draft = (): Draft => structuredClone(validDocument()) as Draft;
const line = (d: Draft): Line => d.lines[0] as Line;

interface Case {
  readonly rule: string;
  readonly term: string;
  readonly pointer: string;
  /** Writes a code of the rule's list (`good`) or one that is not in it (`bad`) where the rule looks. */
  readonly set: (d: Draft, code: string) => void;
  readonly good: string;
  readonly bad: string;
}

const CASES: readonly Case[] = [
  { rule: 'BR-CL-01', term: 'BT-3', pointer: 'typeCode', set: (d, c) => (d.typeCode = c), good: '389', bad: '999' },
  { rule: 'BR-CL-04', term: 'BT-5', pointer: 'currency', set: (d, c) => (d.currency = c), good: 'SEK', bad: 'EUX' },
  { rule: 'BR-CL-05', term: 'BT-6', pointer: 'vatAccountingCurrency', set: (d, c) => (d.vatAccountingCurrency = c), good: 'SEK', bad: 'XXY' },
  { rule: 'BR-CL-06', term: 'BT-8', pointer: 'taxPointDateCode', set: (d, c) => (d.taxPointDateCode = c), good: '35', bad: '4' },
  { rule: 'BR-CL-07', term: 'BT-18-1', pointer: 'invoicedObjectIdentifier.scheme', set: (d, c) => (d.invoicedObjectIdentifier = { id: 'OBJ-1', scheme: c }), good: 'AAA', bad: 'QQQ' },
  { rule: 'BR-CL-07', term: 'BT-128-1', pointer: 'lines[0].objectIdentifier.scheme', set: (d, c) => (line(d).objectIdentifier = { id: 'OBJ-1', scheme: c }), good: 'ABZ', bad: 'QQQ' },
  { rule: 'BR-CL-08', term: 'BT-21', pointer: 'notes[0].subjectCode', set: (d, c) => d.notes.push({ subjectCode: c, text: 'Please pay on time' }), good: 'AAI', bad: 'ZZY' },
  { rule: 'BR-CL-10', term: 'BT-29-1', pointer: 'seller.identifiers[0].scheme', set: (d, c) => d.seller.identifiers.push({ id: '5790000436101', scheme: c }), good: '0088', bad: '9999' },
  { rule: 'BR-CL-10', term: 'BT-46-1', pointer: 'buyer.identifier.scheme', set: (d, c) => (d.buyer.identifier = { id: '5790000436101', scheme: c }), good: '0088', bad: 'SEPA' },
  { rule: 'BR-CL-10', term: 'BT-60-1', pointer: 'payee.identifier.scheme', set: (d, c) => (d.payee = { name: 'Payee', identifier: { id: '5790000436101', scheme: c } }), good: 'SEPA', bad: '0092' },
  { rule: 'BR-CL-11', term: 'BT-30-1', pointer: 'seller.legalRegistration.scheme', set: (d, c) => (d.seller.legalRegistration = { id: 'HRB 1', scheme: c }), good: '0002', bad: '9999' },
  { rule: 'BR-CL-11', term: 'BT-47-1', pointer: 'buyer.legalRegistration.scheme', set: (d, c) => (d.buyer.legalRegistration = { id: '123', scheme: c }), good: '0009', bad: 'X' },
  { rule: 'BR-CL-11', term: 'BT-61-1', pointer: 'payee.legalRegistration.scheme', set: (d, c) => (d.payee = { name: 'Payee', legalRegistration: { id: '123', scheme: c } }), good: '0007', bad: '' },
  { rule: 'BR-CL-13', term: 'BT-158-1', pointer: 'lines[0].item.classifications[0].scheme', set: (d, c) => line(d).item.classifications.push({ id: '9873242', scheme: c }), good: 'STI', bad: 'ZZ' },
  { rule: 'BR-CL-14', term: 'BT-40', pointer: 'seller.address.country', set: (d, c) => Object.assign(d.seller.address ?? {}, { country: c }), good: 'SS', bad: 'XK' },
  { rule: 'BR-CL-14', term: 'BT-55', pointer: 'buyer.address.country', set: (d, c) => Object.assign(d.buyer.address ?? {}, { country: c }), good: 'XI', bad: 'ZZ' },
  { rule: 'BR-CL-14', term: 'BT-69', pointer: 'taxRepresentative.address.country', set: (d, c) => (d.taxRepresentative = { name: 'Rep', vatId: 'DE999999999', address: { country: c } }), good: 'DE', bad: 'de' },
  { rule: 'BR-CL-14', term: 'BT-80', pointer: 'delivery.address.country', set: (d, c) => (d.delivery = { address: { country: c } }), good: 'NO', bad: 'EU' },
  { rule: 'BR-CL-15', term: 'BT-159', pointer: 'lines[0].item.originCountry', set: (d, c) => (line(d).item.originCountry = c), good: 'CN', bad: 'QQ' },
  { rule: 'BR-CL-16', term: 'BT-81', pointer: 'paymentInstructions.meansCode', set: (d, c) => (d.paymentInstructions = { meansCode: c, creditTransfers: [] }), good: 'ZZZ', bad: '999' },
  { rule: 'BR-CL-17', term: 'BT-95', pointer: 'allowances[0].vatCategory', set: (d, c) => d.allowances.push({ amount: '0.00', reason: 'Discount', vatCategory: c }), good: 'S', bad: 'X' },
  { rule: 'BR-CL-17', term: 'BT-102', pointer: 'charges[0].vatCategory', set: (d, c) => d.charges.push({ amount: '0.00', reason: 'Freight', vatCategory: c }), good: 'AE', bad: 'A E' },
  { rule: 'BR-CL-17', term: 'BT-118', pointer: 'vatBreakdown[0].category', set: (d, c) => Object.assign(d.vatBreakdown[0] ?? {}, { category: c }), good: 'K', bad: 'VAT' },
  { rule: 'BR-CL-18', term: 'BT-151', pointer: 'lines[0].vat.category', set: (d, c) => (line(d).vat.category = c), good: 'B', bad: 'Q' },
  { rule: 'BR-CL-19', term: 'BT-98', pointer: 'allowances[0].reasonCode', set: (d, c) => d.allowances.push({ amount: '0.00', reasonCode: c, vatCategory: 'S', vatRate: '19' }), good: '95', bad: '999' },
  { rule: 'BR-CL-19', term: 'BT-140', pointer: 'lines[0].allowances[0].reasonCode', set: (d, c) => line(d).allowances.push({ amount: '0.00', reasonCode: c }), good: '100', bad: 'FC' },
  { rule: 'BR-CL-20', term: 'BT-105', pointer: 'charges[0].reasonCode', set: (d, c) => d.charges.push({ amount: '0.00', reasonCode: c, vatCategory: 'S', vatRate: '19' }), good: 'FC', bad: 'ZZZZ' },
  { rule: 'BR-CL-20', term: 'BT-145', pointer: 'lines[0].charges[0].reasonCode', set: (d, c) => line(d).charges.push({ amount: '0.00', reasonCode: c }), good: 'ABK', bad: '95' },
  { rule: 'BR-CL-21', term: 'BT-157-1', pointer: 'lines[0].item.standardId.scheme', set: (d, c) => (line(d).item.standardId = { id: '10986700', scheme: c }), good: '0160', bad: 'GTIN' },
  { rule: 'BR-CL-22', term: 'BT-121', pointer: 'vatBreakdown[0].exemptionReasonCode', set: (d, c) => Object.assign(d.vatBreakdown[0] ?? {}, { exemptionReasonCode: c }), good: 'VATEX-EU-O', bad: 'VATEX-XX-999' },
  { rule: 'BR-CL-23', term: 'BT-130', pointer: 'lines[0].unitCode', set: (d, c) => (line(d).unitCode = c), good: 'HUR', bad: 'QQQ' },
  { rule: 'BR-CL-23', term: 'BT-150', pointer: 'lines[0].price.baseQuantityUnitCode', set: (d, c) => Object.assign(line(d).price, { baseQuantity: '1', baseQuantityUnitCode: c }), good: 'XPP', bad: 'pieces' },
  { rule: 'BR-CL-24', term: 'BT-125-1', pointer: 'attachments[0].content.mimeCode', set: (d, c) => d.attachments.push({ reference: 'att', content: { base64: 'QUJD', mimeCode: c, filename: 'a' } }), good: 'text/csv', bad: 'application/zip' },
  { rule: 'BR-CL-25', term: 'BT-34-1', pointer: 'seller.electronicAddress.scheme', set: (d, c) => (d.seller.electronicAddress = { id: 'seller@example.com', scheme: c }), good: 'EM', bad: 'QQ' },
  { rule: 'BR-CL-25', term: 'BT-49-1', pointer: 'buyer.electronicAddress.scheme', set: (d, c) => (d.buyer.electronicAddress = { id: '7300010000001', scheme: c }), good: '0088', bad: '0003' },
  { rule: 'BR-CL-26', term: 'BT-71-1', pointer: 'delivery.locationId.scheme', set: (d, c) => (d.delivery = { locationId: { id: 'LOC-1', scheme: c } }), good: '0088', bad: '9999' },
];

function withCode(c: Case, code: string): Draft {
  const d = draft();
  c.set(d, code);
  return d;
}

describe('codeListRules', () => {
  it('accepts the valid document', () => {
    expect(codeListRules(validDocument())).toEqual([]);
  });

  it('covers each of the 22 code-list rules of 1.3.16 that apply to model values', () => {
    expect(new Set(CASES.map((c) => c.rule)).size).toBe(22);
  });

  describe.each(CASES)('$rule on $term', (c) => {
    it(`reports ${c.rule} at ${c.pointer} when the code is "${c.bad}"`, () => {
      expect(codeListRules(withCode(c, c.bad))).toEqual([{ rule: c.rule, severity: 'fatal', message: expect.stringContaining(`"${c.bad}"`), term: c.term, pointer: c.pointer }]);
    });

    it(`accepts "${c.good}"`, () => {
      expect(codeListRules(withCode(c, c.good))).toEqual([]);
    });
  });

  describe('how codes compare', () => {
    it('ignores the XML white space at the ends of a code, not inside it, and not other spaces', () => {
      expect(codeListRules(withCode(CASES[1] as Case, ' EUR\n'))).toEqual([]);
      expect(codeListRules(withCode(CASES[1] as Case, 'E UR')).map((f) => f.rule)).toEqual(['BR-CL-04']);
      expect(codeListRules(withCode(CASES[1] as Case, '\u00a0EUR')).map((f) => f.rule)).toEqual(['BR-CL-04']);
      expect(trimXmlSpace('\t S \r\n')).toBe('S');
      expect(isListed(new Set(['S']), ' S')).toBe(true);
    });

    it('accepts a VATEX code in any case (BR-CL-22 upper-cases it) and a MIME code only as written (BR-CL-24)', () => {
      const vatex = CASES.find((c) => c.rule === 'BR-CL-22') as Case;
      expect(codeListRules(withCode(vatex, 'vatex-eu-ae'))).toEqual([]);
      const mime = CASES.find((c) => c.rule === 'BR-CL-24') as Case;
      expect(codeListRules(withCode(mime, ' application/pdf')).map((f) => f.rule)).toEqual(['BR-CL-24']);
      expect(codeListRules(withCode(mime, 'application/PDF')).map((f) => f.rule)).toEqual(['BR-CL-24']);
    });

    it('takes SEPA as a scheme of the seller and the payee, not of the buyer (BR-CL-10)', () => {
      const seller = CASES.find((c) => c.term === 'BT-29-1') as Case;
      expect(codeListRules(withCode(seller, 'SEPA'))).toEqual([]);
    });

    it('accepts a type code of either UBL list (the model does not say which root), and exports both lists for the UBL adapter', () => {
      const type = CASES[0] as Case;
      expect(codeListRules(withCode(type, '381'))).toEqual([]);
      expect(codeListRules(withCode(type, '261'))).toEqual([]);
      expect(UNTDID_1001_UBL_INVOICE.has('381')).toBe(false);
      expect(UNTDID_1001_UBL_CREDIT_NOTE.has('381')).toBe(true);
      expect([...UNTDID_1001].sort()).toEqual([...new Set([...UNTDID_1001_UBL_INVOICE, ...UNTDID_1001_UBL_CREDIT_NOTE])].sort());
    });

    it('accepts the VAT point date code of either syntax: UNTDID 2005 (UBL) and 2475 (CII)', () => {
      const taxPoint = CASES.find((c) => c.rule === 'BR-CL-06') as Case;
      for (const code of ['3', '35', '432', '5', '29', '72']) expect(codeListRules(withCode(taxPoint, code))).toEqual([]);
    });

    it('follows the UBL lists where the CII stylesheet has another version (SS/AN, UNTDID 4451)', () => {
      const country = CASES.find((c) => c.term === 'BT-40') as Case;
      expect(codeListRules(withCode(country, 'AN')).map((f) => f.rule)).toEqual(['BR-CL-14']);
      expect(ISO_3166_CII.has('AN') && !ISO_3166.has('AN')).toBe(true);
      const note = CASES.find((c) => c.rule === 'BR-CL-08') as Case;
      expect(codeListRules(withCode(note, 'BAT')).map((f) => f.rule)).toEqual(['BR-CL-08']);
      expect(UNTDID_4451_CII.has('BAT') && !UNTDID_4451.has('BAT')).toBe(true);
    });
  });

  describe('BR-CL-08 (note subject), read as UBL writes it: #CODE#text', () => {
    const note = (subjectCode: string | undefined, text: string): Draft => {
      const d = draft();
      d.notes.push(subjectCode === undefined ? { text } : { subjectCode, text });
      return d;
    };

    it('checks a code of 3 characters only', () => {
      expect(codeListRules(note('ABCD', 'text'))).toEqual([]);
      expect(codeListRules(note('AB', 'text'))).toEqual([]);
    });

    it('checks a #…# in a note without subject code, as the UBL stylesheet reads the text', () => {
      expect(codeListRules(note(undefined, 'See #123# below')).map((f) => f.rule)).toEqual(['BR-CL-08']);
      expect(codeListRules(note(undefined, 'Order #12345 shipped'))).toEqual([]);
      expect(codeListRules(note(undefined, 'Ref #REG#'))).toEqual([]);
    });
  });

  describe('findings', () => {
    it('report each code written once: two bad lines are two findings', () => {
      const d = draft();
      d.lines.push({ ...(d.lines[0] as Line), id: '2' });
      for (const l of d.lines) l.unitCode = 'QQQ';
      expect(codeListRules(d).map((f) => f.pointer)).toEqual(['lines[0].unitCode', 'lines[1].unitCode']);
    });
  });
});
