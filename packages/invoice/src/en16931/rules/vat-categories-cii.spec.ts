import { describe, expect, it } from '@jest/globals';
import type { En16931Document, Line } from '../model';
import { countingRateReads, manyRatesDocument, validDocument, validLine } from '../testing';
import { ciiVatCategoryRules } from './vat-categories-cii';

/** Each finding as `rule pointer`. */
const found = (doc: En16931Document): string[] => ciiVatCategoryRules(doc).map((f) => `${f.rule} ${f.pointer ?? ''}`.trim());

const line = (id: string, vat: Line['vat'], netAmount = '20.00'): Line => ({ ...validLine(id, netAmount), vat });
const entry = (category: string, rate: string | undefined, taxableAmount: string, taxAmount: string, reason?: string) => ({
  category,
  ...(rate === undefined ? {} : { rate }),
  taxableAmount,
  taxAmount,
  ...(reason === undefined ? {} : { exemptionReason: reason }),
});

/** A valid document whose single line and breakdown are of `category`. */
function documentOf(category: string, rate: string | undefined, reason?: string): En16931Document {
  const doc = validDocument();
  return {
    ...doc,
    lines: [line('1', rate === undefined ? { category } : { category, rate })],
    vatBreakdown: [entry(category, rate, '20.00', rate === '0' || rate === undefined ? '0.00' : '3.80', reason)],
  };
}

describe('ciiVatCategoryRules', () => {
  it('accepts a valid document of each category', () => {
    expect(found(validDocument())).toEqual([]);
    expect(found(documentOf('Z', '0'))).toEqual([]);
    expect(found(documentOf('E', '0', 'Exempt'))).toEqual([]);
    expect(found({ ...documentOf('O', undefined, 'Not subject'), seller: { ...validDocument().seller, vatId: undefined, taxRegistrationId: 'DE-TAX-1' } })).toEqual([]);
  });

  describe('BR-x-01 (the document)', () => {
    it('counts S lines and S breakdowns together: one S line alone breaks BR-S-01, two do not', () => {
      expect(found({ ...validDocument(), vatBreakdown: [] })).toEqual(['BR-S-01 vatBreakdown']);
      expect(found({ ...validDocument(), vatBreakdown: [], lines: [validLine('1'), validLine('2')] })).toEqual([]);
    });

    it('does not count the breakdown itself for Z: a Z breakdown nothing uses breaks BR-Z-01', () => {
      expect(found({ ...validDocument(), vatBreakdown: [...validDocument().vatBreakdown, entry('Z', '0', '0.00', '0.00')] })).toEqual(['BR-Z-01 vatBreakdown']);
    });

    it('tests BR-O-01 only when there is an O breakdown', () => {
      const doc = validDocument();
      expect(found({ ...doc, lines: [...doc.lines, line('2', { category: 'O' }, '0.00')] })).toEqual(['BR-O-02 seller.vatId']);
    });
  });

  it('reports BR-x-02 on each line of the category', () => {
    const doc = { ...validDocument(), seller: { ...validDocument().seller, vatId: undefined }, lines: [validLine('1'), validLine('2', '0.00')] };
    expect(found(doc)).toEqual(['BR-S-02 seller.vatId', 'BR-S-02 seller.vatId']);
  });

  it.each([
    ['L', '0', ['BR-AF-05 lines[0].vat.rate']],
    ['L', '7', []],
    ['M', '0', []],
    ['Z', '0.00', []],
    ['Z', undefined, ['BR-Z-05 lines[0].vat.rate']],
    ['O', '0', ['BR-O-05 lines[0].vat.rate']],
  ] as const)('BR-x-05: a line of category %s at rate %s', (category, rate, expected) => {
    expect(found(documentOf(category, rate)).filter((f) => /-05 /.test(f))).toEqual(expected);
  });

  describe('BR-x-08 (each breakdown entry)', () => {
    it('S: the taxable amount equals the sums of its rate, each rounded to cents', () => {
      const doc = { ...validDocument(), lines: [validLine('1', '10.005'), validLine('2', '10.000')] };
      expect(found({ ...doc, vatBreakdown: [entry('S', '19', '20.01', '3.80')] })).toEqual([]);
      expect(found({ ...doc, vatBreakdown: [entry('S', '19', '20.00', '3.80')] })).toEqual(['BR-S-08 vatBreakdown[0].taxableAmount']);
    });

    it('Z: the taxable amount may be up to 1 off the sums, not 1', () => {
      expect(found({ ...documentOf('Z', '0'), vatBreakdown: [entry('Z', '0', '20.99', '0.00')] })).toEqual([]);
      expect(found({ ...documentOf('Z', '0'), vatBreakdown: [entry('Z', '0', '21.00', '0.00')] })).toEqual(['BR-Z-08 vatBreakdown[0].taxableAmount']);
    });

    it('L and M: never, because the rate is read from an element the breakdown has not', () => {
      expect(found({ ...documentOf('L', '7'), vatBreakdown: [entry('L', '7', '99.00', '0.00')] })).toEqual([]);
    });
  });

  it('BR-S-09: the tax amount is round(|taxable| × rate) ÷ 100, within 1', () => {
    expect(found({ ...validDocument(), vatBreakdown: [entry('S', '19', '20.00', '4.79')] })).toEqual([]);
    expect(found({ ...validDocument(), vatBreakdown: [entry('S', '19', '20.00', '4.80')] })).toEqual(['BR-S-09 vatBreakdown[0].taxAmount']);
  });

  it('BR-O-11 … 14: a tax of another category breaks both rules of its pair', () => {
    const doc = { ...validDocument(), vatBreakdown: [...validDocument().vatBreakdown, entry('O', undefined, '0.00', '0.00', 'Not subject')] };
    expect(found(doc).filter((f) => /BR-O-1[1-4]/.test(f))).toEqual(['BR-O-11 vatBreakdown[1].category', 'BR-O-12 vatBreakdown[1].category']);
  });

  it('BR-IC-11, BR-IC-12: the delivery date or period, and the deliver-to country, exist', () => {
    const doc: En16931Document = { ...documentOf('K', '0', 'Intra-community'), buyer: { ...validDocument().buyer, vatId: 'FR12345678901' } };
    expect(found(doc)).toEqual(['BR-IC-11 vatBreakdown[0]', 'BR-IC-12 vatBreakdown[0]']);
    expect(found({ ...doc, delivery: { date: '2024-01-31', address: { country: '' } } })).toEqual([]);
  });

  it('BR-B-01 reads the addresses, not the item country of origin', () => {
    const italian = { country: 'IT' };
    const doc = documentOf('B', '0');
    const domestic = { ...doc, seller: { ...doc.seller, address: italian }, buyer: { ...doc.buyer, address: italian } };
    expect(found({ ...domestic, lines: domestic.lines.map((l) => ({ ...l, item: { ...l.item, originCountry: 'CN' } })) })).toEqual([]);
    expect(found(doc)).toEqual(['BR-B-01 seller.address.country']);
  });
});

describe('a document of many lines and rates (audit D1: the rules went over every line for each breakdown entry)', () => {
  it('gives the findings it gave before it grouped the lines by category and rate', () => {
    // Recorded with the rules as they were (see vat-categories.spec.ts); BR-O-11 … 14 once per O entry.
    expect(found(manyRatesDocument())).toEqual(
      [
        'BR-Z-01 vatBreakdown',
        'BR-O-01 vatBreakdown',
        'BR-S-08 vatBreakdown[3].taxableAmount',
        'BR-S-08 vatBreakdown[4].taxableAmount',
        'BR-S-09 vatBreakdown[5].taxAmount',
        'BR-S-08 vatBreakdown[32].taxableAmount',
        'BR-S-08 vatBreakdown[35].taxableAmount',
        'BR-S-09 vatBreakdown[42].taxAmount',
        'BR-S-08 vatBreakdown[61].taxableAmount',
        'BR-S-08 vatBreakdown[66].taxableAmount',
        'BR-S-09 vatBreakdown[79].taxAmount',
        'BR-S-08 vatBreakdown[90].taxableAmount',
        'BR-S-08 vatBreakdown[97].taxableAmount',
        'BR-S-09 vatBreakdown[116].taxAmount',
        'BR-S-08 vatBreakdown[119].taxableAmount',
        'BR-S-08 vatBreakdown[128].taxableAmount',
        'BR-S-08 vatBreakdown[148].taxableAmount',
        'BR-S-09 vatBreakdown[153].taxAmount',
        'BR-S-08 vatBreakdown[159].taxableAmount',
        'BR-S-08 vatBreakdown[177].taxableAmount',
        'BR-S-08 vatBreakdown[190].taxableAmount',
        'BR-S-09 vatBreakdown[190].taxAmount',
        'BR-Z-08 vatBreakdown[204].taxableAmount',
        'BR-O-11 vatBreakdown[207].category',
        'BR-O-12 vatBreakdown[207].category',
        'BR-O-13 vatBreakdown[207].category',
        'BR-O-14 vatBreakdown[207].category',
        'BR-O-11 vatBreakdown[208].category',
        'BR-O-12 vatBreakdown[208].category',
        'BR-O-13 vatBreakdown[208].category',
        'BR-O-14 vatBreakdown[208].category',
      ],
    );
  });

  it('reads each line\'s rate as often with 400 rates as with one: no pass over the lines per breakdown entry', () => {
    const many = countingRateReads(manyRatesDocument(400, 400));
    const one = countingRateReads(manyRatesDocument(400, 1));
    expect(many.doc.vatBreakdown.length).toBeGreaterThan(400);
    ciiVatCategoryRules(many.doc);
    ciiVatCategoryRules(one.doc);
    expect(many.reads()).toBe(one.reads());
    expect(many.reads()).toBeLessThanOrEqual(2 * many.doc.lines.length);
  });
});
