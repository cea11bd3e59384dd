import { describe, expect, it } from '@jest/globals';
import type { AllowanceCharge, En16931Document } from '../model';
import { validDocument, withLine } from '../testing';
import { decimalRules } from './decimals';

/** Each finding as `rule pointer`. */
const found = (doc: En16931Document): string[] => decimalRules(doc).map((f) => `${f.rule} ${f.pointer ?? ''}`);

type Place = (doc: En16931Document, amount: string) => En16931Document;

const totals = (term: keyof En16931Document['totals']): Place => (doc, amount) => ({ ...doc, totals: { ...doc.totals, [term]: amount } });
const documentLevel = (group: 'allowances' | 'charges', term: 'amount' | 'baseAmount'): Place => (doc, amount) => ({
  ...doc,
  [group]: [{ amount: '1.00', vatCategory: 'S', vatRate: '19', reason: 'Why', [term]: amount }],
});
const breakdown = (term: 'taxableAmount' | 'taxAmount'): Place => (doc, amount) => ({
  ...doc,
  vatBreakdown: [{ taxableAmount: '20.00', taxAmount: '3.80', category: 'S', rate: '19', [term]: amount }],
});
const lineLevel = (group: 'allowances' | 'charges', term: 'amount' | 'baseAmount'): Place => (doc, amount) => {
  const item: AllowanceCharge = { amount: '1.00', reason: 'Why', [term]: amount };
  return withLine(doc, 0, { [group]: [item] });
};

/** [rule, term, where the amount goes, its pointer]. */
const rules: [string, string, Place, string][] = [
  ['BR-DEC-01', 'BT-92', documentLevel('allowances', 'amount'), 'allowances[0].amount'],
  ['BR-DEC-02', 'BT-93', documentLevel('allowances', 'baseAmount'), 'allowances[0].baseAmount'],
  ['BR-DEC-05', 'BT-99', documentLevel('charges', 'amount'), 'charges[0].amount'],
  ['BR-DEC-06', 'BT-100', documentLevel('charges', 'baseAmount'), 'charges[0].baseAmount'],
  ['BR-DEC-09', 'BT-106', totals('lineNetTotal'), 'totals.lineNetTotal'],
  ['BR-DEC-10', 'BT-107', totals('allowanceTotal'), 'totals.allowanceTotal'],
  ['BR-DEC-11', 'BT-108', totals('chargeTotal'), 'totals.chargeTotal'],
  ['BR-DEC-12', 'BT-109', totals('taxExclusive'), 'totals.taxExclusive'],
  ['BR-DEC-14', 'BT-112', totals('taxInclusive'), 'totals.taxInclusive'],
  ['BR-DEC-16', 'BT-113', totals('prepaid'), 'totals.prepaid'],
  ['BR-DEC-17', 'BT-114', totals('rounding'), 'totals.rounding'],
  ['BR-DEC-18', 'BT-115', totals('amountDue'), 'totals.amountDue'],
  ['BR-DEC-19', 'BT-116', breakdown('taxableAmount'), 'vatBreakdown[0].taxableAmount'],
  ['BR-DEC-20', 'BT-117', breakdown('taxAmount'), 'vatBreakdown[0].taxAmount'],
  ['BR-DEC-23', 'BT-131', (doc, amount) => withLine(doc, 0, { netAmount: amount }), 'lines[0].netAmount'],
  ['BR-DEC-24', 'BT-136', lineLevel('allowances', 'amount'), 'lines[0].allowances[0].amount'],
  ['BR-DEC-25', 'BT-137', lineLevel('allowances', 'baseAmount'), 'lines[0].allowances[0].baseAmount'],
  ['BR-DEC-27', 'BT-141', lineLevel('charges', 'amount'), 'lines[0].charges[0].amount'],
  ['BR-DEC-28', 'BT-142', lineLevel('charges', 'baseAmount'), 'lines[0].charges[0].baseAmount'],
];

describe('decimalRules', () => {
  it('finds nothing in the valid document', () => {
    expect(found(validDocument())).toEqual([]);
  });

  it.each(rules)('%s fires on a %s with 3 decimals, even trailing zeros, as written', (rule, term, place, pointer) => {
    expect(decimalRules(place(validDocument(), '1.500'))).toEqual([
      { rule, severity: 'fatal', message: expect.stringContaining(`(${term}) is 2`), term, pointer },
    ]);
  });

  it.each(rules)('%s holds for a %s with 2 decimals, none, or a point and nothing after it', (_rule, _term, place) => {
    expect(found(place(validDocument(), '-1.25'))).toEqual([]);
    expect(found(place(validDocument(), '125'))).toEqual([]);
    expect(found(place(validDocument(), '125.'))).toEqual([]);
  });

  it('counts only what follows the first point', () => {
    expect(found(totals('amountDue')(validDocument(), '1.2.3'))).toEqual(['BR-DEC-18 totals.amountDue']);
    expect(found(totals('amountDue')(validDocument(), '1.2.'))).toEqual([]);
  });

  it('counts characters, as XPath string-length does, not UTF-16 units', () => {
    expect(found(totals('amountDue')(validDocument(), '1.\u{1d7ce}\u{1d7ce}'))).toEqual([]);
    expect(found(totals('amountDue')(validDocument(), '1.\u{1d7ce}\u{1d7ce}\u{1d7ce}'))).toEqual(['BR-DEC-18 totals.amountDue']);
  });

  it('reports each context once: BR-DEC-23 on each line', () => {
    const doc = withLine(withLine({ ...validDocument(), lines: [...validDocument().lines, ...validDocument().lines] }, 0, { netAmount: '1.001' }), 1, { netAmount: '2.002' });

    expect(found(doc)).toEqual(['BR-DEC-23 lines[0].netAmount', 'BR-DEC-23 lines[1].netAmount']);
  });

  it('never reports BR-DEC-13 (BT-110) nor BR-DEC-15 (BT-111): in UBL their test selects nothing', () => {
    const doc: En16931Document = {
      ...validDocument(),
      vatAccountingCurrency: 'SEK',
      totals: { ...validDocument().totals, vatTotal: '3.800', vatTotalInAccountingCurrency: '42.125' },
    };

    expect(found(doc)).toEqual([]);
  });
});
