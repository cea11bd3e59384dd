import { describe, expect, it } from '@jest/globals';
import type { En16931Document } from '../model';
import { validDocument, validLine, withLine } from '../testing';
import { calculationRules } from './calculation';

/** Each finding as `rule pointer` (or the rule alone for a whole-document rule). */
const found = (doc: En16931Document): string[] => calculationRules(doc).map((f) => (f.pointer === undefined ? f.rule : `${f.rule} ${f.pointer}`));

/** Whether `rule` fires on `doc`, for the cases that necessarily break other rules as well. */
const fires = (doc: En16931Document, rule: string): boolean => calculationRules(doc).some((f) => f.rule === rule);

type Change = (doc: En16931Document) => En16931Document;
type Totals = En16931Document['totals'];

const set = (patch: Partial<En16931Document>): Change => (doc) => ({ ...doc, ...patch });
const totals = (patch: Partial<Totals>): Change => (doc) => ({ ...doc, totals: { ...doc.totals, ...patch } });
const seller = (patch: Partial<En16931Document['seller']>): Change => (doc) => ({ ...doc, seller: { ...doc.seller, ...patch } });
const line = (patch: Parameters<typeof withLine>[2]): Change => (doc) => withLine(doc, 0, patch);
const breakdown = (patch: Partial<En16931Document['vatBreakdown'][number]>): Change => (doc) => ({
  ...doc,
  vatBreakdown: [{ taxableAmount: '20.00', taxAmount: '3.80', category: 'S', rate: '19', ...patch }],
});
const both = (...changes: Change[]): Change => (doc) => changes.reduce((d, change) => change(d), doc);

/** The valid document with a document allowance of 1.00 and a charge of 2.00, every total consistent. */
function withAllowanceAndCharge(): En16931Document {
  const doc = validDocument();
  return {
    ...doc,
    allowances: [{ amount: '1.00', vatCategory: 'S', vatRate: '19', reasonCode: '95' }],
    charges: [{ amount: '2.00', vatCategory: 'S', vatRate: '19', reason: 'Freight' }],
    totals: { lineNetTotal: '20.00', allowanceTotal: '1.00', chargeTotal: '2.00', taxExclusive: '21.00', vatTotal: '3.99', taxInclusive: '24.99', amountDue: '24.99' },
    vatBreakdown: [{ taxableAmount: '21.00', taxAmount: '3.99', category: 'S', rate: '19' }],
  };
}

/** [rule, when, change, every finding of the BR-CO rules on the changed valid document]. */
const cases: [string, string, Change, string[]][] = [
  ['BR-CO-03', 'both the tax point date and its code are given', set({ taxPointDate: '2024-01-31', taxPointDateCode: '3' }), ['BR-CO-03 taxPointDate']],
  ['BR-CO-03', 'only the tax point date is given', set({ taxPointDate: '2024-01-31' }), []],
  ['BR-CO-04', 'a line has no VAT category', line({ vat: { rate: '19' } }), ['BR-CO-04 lines[0].vat.category']],
  ['BR-CO-09', 'the seller VAT id has no country prefix', seller({ vatId: 'XX123' }), ['BR-CO-09 seller.vatId']],
  ['BR-CO-09', 'the buyer and the tax representative VAT ids have none', (doc) => ({ ...doc, buyer: { ...doc.buyer, vatId: '123' }, taxRepresentative: { vatId: 'AN1' } }), ['BR-CO-09 buyer.vatId', 'BR-CO-09 taxRepresentative.vatId']],
  ['BR-CO-09', 'the VAT id starts with EL (Greece)', seller({ vatId: 'EL123456789' }), []],
  ['BR-CO-09', 'the VAT id starts with "D ", which UBL finds inside " AD "', seller({ vatId: 'D 8200' }), []],
  ['BR-CO-09', 'the VAT id is a single letter', seller({ vatId: 'D' }), []],
  ['BR-CO-09', 'the VAT id starts with SS, in the UBL list only', seller({ vatId: 'SS1' }), []],
  ['BR-CO-10', 'BT-106 is not the sum of the lines', set({ lines: [validLine('1'), validLine('2', '0.01')] }), ['BR-CO-10 totals.lineNetTotal']],
  ['BR-CO-10', 'BT-106 is missing', totals({ lineNetTotal: undefined }), ['BR-CO-10 totals.lineNetTotal', 'BR-CO-13 totals.taxExclusive']],
  ['BR-CO-10', 'BT-106 equals the sum of the lines, written differently', both(set({ lines: [validLine('1', '12.5'), validLine('2', '7.50')] }), totals({ lineNetTotal: '20' })), []],
  ['BR-CO-11', 'BT-107 is not the sum of the allowances', both(totals({ allowanceTotal: '1.10' })), ['BR-CO-11 totals.allowanceTotal', 'BR-CO-13 totals.taxExclusive']],
  ['BR-CO-11', 'BT-107 is missing while there are allowances', totals({ allowanceTotal: undefined }), ['BR-CO-11 totals.allowanceTotal', 'BR-CO-13 totals.taxExclusive']],
  ['BR-CO-12', 'BT-108 is not the sum of the charges', totals({ chargeTotal: '2.01' }), ['BR-CO-12 totals.chargeTotal', 'BR-CO-13 totals.taxExclusive']],
  ['BR-CO-12', 'BT-108 is missing while there are charges', totals({ chargeTotal: undefined }), ['BR-CO-12 totals.chargeTotal', 'BR-CO-13 totals.taxExclusive']],
  ['BR-CO-13', 'BT-109 is not BT-106 - BT-107 + BT-108', totals({ taxExclusive: '22.00', taxInclusive: '25.99', amountDue: '25.99' }), ['BR-CO-13 totals.taxExclusive']],
  ['BR-CO-13', 'BT-109 is missing (BR-CO-15 cannot add it either)', totals({ taxExclusive: undefined }), ['BR-CO-13 totals.taxExclusive', 'BR-CO-15 totals.taxInclusive']],
  ['BR-CO-14', 'BT-110 is not the sum of the breakdown', totals({ vatTotal: '4.00', taxInclusive: '25.00', amountDue: '25.00' }), ['BR-CO-14 totals.vatTotal']],
  ['BR-CO-15', 'BT-112 is not BT-109 + BT-110', totals({ taxInclusive: '25.00', amountDue: '25.00' }), ['BR-CO-15 totals.taxInclusive']],
  ['BR-CO-16', 'BT-115 is not BT-112', totals({ amountDue: '24.98' }), ['BR-CO-16 totals.amountDue']],
  ['BR-CO-16', 'BT-115 is BT-112 - BT-113 + BT-114', totals({ prepaid: '10.00', rounding: '0.01', amountDue: '15.00' }), []],
  ['BR-CO-16', 'BT-115 is BT-112 - BT-113', totals({ prepaid: '24.99', amountDue: '0' }), []],
  ['BR-CO-16', 'BT-115 is BT-112 + BT-114', totals({ rounding: '0.01', amountDue: '25.00' }), []],
  ['BR-CO-21', 'a document allowance has neither reason nor reason code', (doc) => ({ ...doc, allowances: [{ ...doc.allowances[0], reasonCode: undefined }] }), ['BR-CO-21 allowances[0].reason']],
  ['BR-CO-22', 'a document charge has neither reason nor reason code', (doc) => ({ ...doc, charges: [{ ...doc.charges[0], reason: undefined }] }), ['BR-CO-22 charges[0].reason']],
  ['BR-CO-05', 'the allowance reason and reason code disagree: BR-CO-05 … 08 are true() in 1.3.16', (doc) => ({ ...doc, allowances: [{ ...doc.allowances[0], reason: 'Freight' }] }), []],
  ['BR-CO-06', 'the charge reason and reason code disagree', (doc) => ({ ...doc, charges: [{ ...doc.charges[0], reasonCode: 'ABL' }] }), []],
  ['BR-CO-07', 'a line allowance reason and reason code disagree', line({ allowances: [{ amount: '0.00', reason: 'Freight', reasonCode: '95' }] }), []],
  ['BR-CO-08', 'a line charge reason and reason code disagree', line({ charges: [{ amount: '0.00', reason: 'Discount', reasonCode: 'FC' }] }), []],
];

/** [rule, when, change, findings] on the valid document without document allowances or charges. */
const simpleCases: [string, string, Change, string[]][] = [
  ['BR-CO-11', 'BT-107 is 0.00 and there is no allowance', totals({ allowanceTotal: '0.00' }), []],
  ['BR-CO-11', 'BT-107 is 1.00 and there is no allowance', both(totals({ allowanceTotal: '1.00', taxExclusive: '19.00', taxInclusive: '22.80', amountDue: '22.80' })), ['BR-CO-11 totals.allowanceTotal']],
  ['BR-CO-13', 'with neither BT-107 nor BT-108, BT-109 equals BT-106 numerically', totals({ taxExclusive: '20.000', lineNetTotal: '20' }), []],
  ['BR-CO-14', 'there is no VAT breakdown: nothing to sum (BR-CO-18 speaks)', set({ vatBreakdown: [] }), ['BR-CO-18']],
  ['BR-CO-14', 'BT-110 is missing while there is a breakdown (in UBL, a cac:TaxTotal in another currency): BR-CO-15 speaks', totals({ vatTotal: undefined, taxInclusive: '20.00', amountDue: '20.00' }), ['BR-CO-15 totals.taxInclusive']],
  ['BR-CO-15', 'BT-110 is missing while there is a breakdown: no VAT total in the document currency', totals({ vatTotal: undefined }), ['BR-CO-15 totals.taxInclusive']],
  ['BR-CO-15', 'there is no VAT total nor breakdown at all, as in a UBL invoice without cac:TaxTotal', both(set({ vatBreakdown: [] }), totals({ vatTotal: undefined, taxInclusive: '20.00', amountDue: '20.00' })), ['BR-CO-15 totals.taxInclusive', 'BR-CO-18']],
  ['BR-CO-15', 'there is no document currency: UBL tests every currency, so none', both(set({ currency: undefined }), totals({ taxInclusive: '99.00', amountDue: '99.00' })), []],
  ['BR-CO-15', 'BT-6 is BT-5 and both VAT totals are given: two amounts in the currency', both(set({ vatAccountingCurrency: 'EUR' }), totals({ vatTotalInAccountingCurrency: '3.80' })), ['BR-CO-15 totals.taxInclusive']],
  ['BR-CO-15', 'BT-6 is another currency with its own VAT total', both(set({ vatAccountingCurrency: 'SEK' }), totals({ vatTotalInAccountingCurrency: '42.00' })), []],
  ['BR-CO-17', 'BT-117 is 1.00 off BT-116 × BT-119: the tolerance is strict', both(breakdown({ taxAmount: '4.80' }), totals({ vatTotal: '4.80', taxInclusive: '24.80', amountDue: '24.80' })), ['BR-CO-17 vatBreakdown[0].taxAmount']],
  ['BR-CO-17', 'BT-117 is 0.99 off', both(breakdown({ taxAmount: '4.79' }), totals({ vatTotal: '4.79', taxInclusive: '24.79', amountDue: '24.79' })), []],
  ['BR-CO-17', 'BT-117 is missing (BR-CO-14 sums nothing)', breakdown({ taxAmount: undefined }), ['BR-CO-14 totals.vatTotal', 'BR-CO-17 vatBreakdown[0].taxAmount']],
  ['BR-CO-17', 'BT-116 is missing with a rate', breakdown({ taxableAmount: undefined }), ['BR-CO-17 vatBreakdown[0].taxAmount']],
  ['BR-CO-18', 'there is no VAT breakdown', set({ vatBreakdown: [] }), ['BR-CO-18']],
  ['BR-CO-19', 'the invoicing period has no date', set({ invoicePeriod: {} }), ['BR-CO-19 invoicePeriod']],
  ['BR-CO-19', 'the invoicing period holds only the tax point date code (BT-8), as UBL puts it there', set({ invoicePeriod: {}, taxPointDateCode: '35' }), []],
  ['BR-CO-19', 'the invoicing period has an end date', set({ invoicePeriod: { end: '2024-01-31' } }), []],
  ['BR-CO-20', 'a line period has no date', line({ period: {} }), ['BR-CO-20 lines[0].period']],
  ['BR-CO-20', 'a line period has a start date', line({ period: { start: '2024-01-01' } }), []],
  ['BR-CO-23', 'a line allowance has neither reason nor reason code', line({ allowances: [{ amount: '1.00' }] }), ['BR-CO-23 lines[0].allowances[0].reason']],
  ['BR-CO-23', 'a line allowance has a reason code', line({ allowances: [{ amount: '1.00', reasonCode: '95' }] }), []],
  ['BR-CO-24', 'a line charge has neither reason nor reason code', line({ charges: [{ amount: '1.00' }] }), ['BR-CO-24 lines[0].charges[0].reason']],
  ['BR-CO-24', 'a line charge has a reason', line({ charges: [{ amount: '1.00', reason: 'Packing' }] }), []],
  ['BR-CO-26', 'the seller has no identifier', seller({ vatId: undefined }), ['BR-CO-26 seller']],
  ['BR-CO-26', 'the seller has only a SEPA creditor id', seller({ vatId: undefined, identifiers: [{ id: 'DE98ZZZ09999999999', scheme: 'SEPA' }] }), ['BR-CO-26 seller']],
  ['BR-CO-26', 'the seller has a legal registration id only', seller({ vatId: undefined, legalRegistration: { id: 'HRB 1' } }), []],
  ['BR-CO-26', 'the seller has a seller identifier only', seller({ vatId: undefined, identifiers: [{ id: '4000001000005', scheme: '0088' }] }), []],
];

describe('calculationRules', () => {
  it('finds nothing in the valid document, nor with consistent document allowances and charges', () => {
    expect(found(validDocument())).toEqual([]);
    expect(found(withAllowanceAndCharge())).toEqual([]);
  });

  it.each(cases)('%s: when %s (document with an allowance and a charge)', (_rule, _when, change, expected) => {
    expect(found(change(withAllowanceAndCharge()))).toEqual(expected);
  });

  it.each(simpleCases)('%s: when %s', (_rule, _when, change, expected) => {
    expect(found(change(validDocument()))).toEqual(expected);
  });

  describe('rounding as XPath round(x * 100) div 100: a half goes toward positive infinity', () => {
    const lines = (...amounts: string[]) => amounts.map((amount, i) => validLine(String(i + 1), amount));
    const lineTotal = (lineNetTotal: string, ...amounts: string[]) => ({ ...validDocument(), lines: lines(...amounts), totals: { ...validDocument().totals, lineNetTotal } });

    it.each([
      ['20.005 rounds to 20.01', '20.01', ['10.000', '10.005'], false],
      ['20.005 does not round to 20.00', '20.00', ['10.000', '10.005'], true],
      ['-0.005 rounds to 0.00', '0.00', ['20.00', '-20.005'], false],
      ['-0.005 does not round to -0.01', '-0.01', ['20.00', '-20.005'], true],
      ['-0.006 rounds to -0.01', '-0.01', ['20.00', '-20.006'], false],
    ] as const)('BR-CO-10: %s', (_what, stated, amounts, broken) => {
      expect(fires(lineTotal(stated, ...amounts), 'BR-CO-10')).toBe(broken);
    });

    it('BR-CO-16: 24.99 - 24.995 = -0.005 rounds to 0, not to -0.01 (checked with the official validator)', () => {
      const paidAll = totals({ prepaid: '24.995' })(withAllowanceAndCharge());

      expect(fires(totals({ amountDue: '0.00' })(paidAll), 'BR-CO-16')).toBe(false);
      expect(fires(totals({ amountDue: '-0.01' })(paidAll), 'BR-CO-16')).toBe(true);
    });

    it('BR-CO-16: without BT-113 and BT-114, BT-115 must equal BT-112 unrounded', () => {
      expect(fires(totals({ amountDue: '3.800' })(totals({ taxInclusive: '3.8' })(validDocument())), 'BR-CO-16')).toBe(false);
      expect(fires(totals({ amountDue: '24.994' })(withAllowanceAndCharge()), 'BR-CO-16')).toBe(true);
    });
  });

  describe('BR-CO-17 with a rate that rounds to 0 or no rate', () => {
    it.each([
      ['a rate of 0.4 rounds to 0, and a tax of -0.5 rounds to 0', { rate: '0.4', taxAmount: '-0.5' }, false],
      ['a rate of 0.4 rounds to 0, and a tax of 0.5 rounds to 1', { rate: '0.4', taxAmount: '0.5' }, true],
      ['a rate of 0.5 rounds to 1: the tax is compared with 20.00 × 0.5 % = 0.10', { rate: '0.5', taxAmount: '1.09' }, false],
      ['no rate and a tax of 0.49', { rate: undefined, taxAmount: '0.49' }, false],
      ['no rate and a tax of 0.50', { rate: undefined, taxAmount: '0.50' }, true],
      ['a rate that is not a decimal', { rate: 'nineteen' }, true],
    ] as const)('%s', (_what, patch, broken) => {
      expect(fires(breakdown(patch)(validDocument()), 'BR-CO-17')).toBe(broken);
    });

    it('compares the absolute values, so a negative breakdown (a credit) agrees too', () => {
      expect(fires(breakdown({ taxableAmount: '-20.00', taxAmount: '-3.80' })(validDocument()), 'BR-CO-17')).toBe(false);
    });
  });

  describe('on a document read from CII', () => {
    const cii = (doc: En16931Document): string[] =>
      calculationRules(doc, { syntax: 'cii', codesCheckedOnFile: true }).map((f) => (f.pointer === undefined ? f.rule : `${f.rule} ${f.pointer}`));

    it('sums the line net amounts as xs:double, then rounds that double exactly: 1.000 + 1.005 is 2.00 there', () => {
      // 1.000 + 1.005 is the double 2.00499999999999989…, so the sum rounds down; the decimal sum 2.005 rounds up.
      const doc = totals({ lineNetTotal: '2.00' })({ ...validDocument(), lines: [validLine('1', '1.000'), validLine('2', '1.005')] });
      expect(cii(doc).filter((f) => f.startsWith('BR-CO-10'))).toEqual([]);
      expect(cii(totals({ lineNetTotal: '2.01' })(doc)).filter((f) => f.startsWith('BR-CO-10'))).toEqual(['BR-CO-10 totals.lineNetTotal']);
      expect(fires(doc, 'BR-CO-10')).toBe(true);
    });

    it('compares BT-107 with the sum of the allowances in xs:double', () => {
      const doc = totals({ allowanceTotal: '0.30' })({ ...withAllowanceAndCharge(), allowances: [{ amount: '0.1', vatCategory: 'S', vatRate: '19', reasonCode: '95' }, { amount: '0.2', vatCategory: 'S', vatRate: '19', reasonCode: '95' }] });
      expect(cii(doc).filter((f) => f.startsWith('BR-CO-11'))).toEqual([]);
      expect(cii(totals({ allowanceTotal: '0.31' })(doc)).filter((f) => f.startsWith('BR-CO-11'))).toEqual(['BR-CO-11 totals.allowanceTotal']);
    });

    it('tests BT-110 against the breakdown even without one, and each VAT total amount in the document currency', () => {
      expect(cii(set({ vatBreakdown: [] })(validDocument()))).toEqual(['BR-CO-14 totals.vatTotal', 'BR-CO-18 lines[0]']);
      expect(cii(totals({ vatTotal: '0.00', taxInclusive: '20.00', amountDue: '20.00' })(set({ vatBreakdown: [] })(validDocument())))).toEqual(['BR-CO-18 lines[0]']);
      expect(cii(set({ vatBreakdown: [], lines: [] })(totals({ vatTotal: '0.00', taxInclusive: '20.00', amountDue: '20.00', lineNetTotal: '0.00', taxExclusive: '0.00' })(validDocument())))).toEqual(['BR-CO-15 totals.taxInclusive']);
    });

    it('reports BR-CO-03 on each breakdown entry', () => {
      const doc = set({ taxPointDate: '2024-01-31', taxPointDateCode: '5' })(validDocument());
      expect(cii({ ...doc, vatBreakdown: [...doc.vatBreakdown, ...doc.vatBreakdown] }).filter((f) => f.startsWith('BR-CO-03'))).toEqual(['BR-CO-03 vatBreakdown[0]', 'BR-CO-03 vatBreakdown[1]']);
    });

    it('leaves an O, L or M breakdown to its own rules: BR-CO-17 does not test it', () => {
      expect(cii(breakdown({ category: 'O', rate: undefined, taxAmount: '3.80' })(validDocument()))).toEqual([]);
      expect(found(breakdown({ category: 'O', rate: undefined, taxAmount: '3.80' })(validDocument()))).toEqual(['BR-CO-17 vatBreakdown[0].taxAmount']);
    });

    it('has no totals rule but BR-CO-15 when the document states no total (no monetary summation)', () => {
      expect(cii(set({ totals: {} })(validDocument()))).toEqual(['BR-CO-15 totals.taxInclusive']);
    });
  });

  it('reads xs:decimal text that decimal() alone would refuse: +20, 020.00, .5 and 5.', () => {
    const doc = both(set({ lines: [validLine('1', '+19.5'), validLine('2', '.5')] }), totals({ lineNetTotal: '020.00', taxExclusive: '20.' }))(validDocument());

    expect(found(doc)).toEqual([]);
  });

  it('fails the rules whose operand is not a decimal, as the official run cannot evaluate them', () => {
    expect(found(line({ netAmount: '20,00' })(validDocument()))).toEqual(['BR-CO-10 totals.lineNetTotal']);
    expect(found(totals({ vatTotal: 'n/a' })(validDocument()))).toEqual(['BR-CO-14 totals.vatTotal', 'BR-CO-15 totals.taxInclusive']);
  });

  it('reports BR-CO-17 once per VAT breakdown entry that disagrees, with its term and fatal severity', () => {
    const doc: En16931Document = {
      ...validDocument(),
      vatBreakdown: [
        { taxableAmount: '10.00', taxAmount: '3.00', category: 'S', rate: '19' },
        { taxableAmount: '10.00', taxAmount: '0.70', category: 'S', rate: '7' },
        { taxableAmount: '0.00', taxAmount: '0.10', category: 'S', rate: '19' },
      ],
      totals: { ...validDocument().totals, vatTotal: '3.80' },
    };

    expect(calculationRules(doc).filter((f) => f.rule === 'BR-CO-17')).toEqual([
      expect.objectContaining({ severity: 'fatal', term: 'BT-117', pointer: 'vatBreakdown[0].taxAmount' }),
    ]);
    expect(fires({ ...doc, vatBreakdown: [{ taxableAmount: '10.00', taxAmount: '2.90', category: 'S', rate: '19' }] }, 'BR-CO-17')).toBe(true);
  });
});
