import { describe, expect, it } from '@jest/globals';
import { decimal } from '@invoicing/core';
import type { En16931Document } from '../model';
import { countingRateReads, manyRatesDocument, validDocument, validLine } from '../testing';
import { vatCategoryRules } from './vat-categories';

type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
type Draft = Mutable<En16931Document>;

const ruleIds = (doc: En16931Document): string[] => vatCategoryRules(doc).map((f) => f.rule);
const draft = (): Draft => structuredClone(validDocument()) as Draft;
/** A valid line (`validLine`) of net amount `netAmount` with the VAT category and rate `vat`. */
const lineWith = (id: string, netAmount: string, vat: { category?: string; rate?: string }): Draft['lines'][number] => ({
  ...(structuredClone(validLine(id, netAmount)) as Draft['lines'][number]),
  vat,
});

/** Each category's rule prefix, the rate a valid document gives it, and the exemption reason code it needs. */
const CATEGORIES = {
  S: { prefix: 'BR-S', rate: '19', reason: undefined },
  Z: { prefix: 'BR-Z', rate: '0', reason: undefined },
  E: { prefix: 'BR-E', rate: '0', reason: 'VATEX-EU-132' },
  AE: { prefix: 'BR-AE', rate: '0', reason: 'VATEX-EU-AE' },
  K: { prefix: 'BR-IC', rate: '0', reason: 'VATEX-EU-IC' },
  G: { prefix: 'BR-G', rate: '0', reason: 'VATEX-EU-G' },
  O: { prefix: 'BR-O', rate: undefined, reason: 'VATEX-EU-O' },
  L: { prefix: 'BR-AF', rate: '7', reason: undefined },
  M: { prefix: 'BR-AG', rate: '4', reason: undefined },
} as const;
type Code = keyof typeof CATEGORIES;
const CODES = Object.keys(CATEGORIES) as Code[];
/** The categories whose taxable amount is the exact sum and whose tax is zero (BR-x-08, BR-x-09). */
const EXEMPT: readonly Code[] = ['Z', 'E', 'AE', 'K', 'G', 'O'];

/** `amount × rate / 100` with two decimals, as a valid breakdown states it. */
function taxOf(taxable: string, rate: string | undefined): string {
  return rate === undefined ? '0.00' : decimal(taxable).times(decimal(rate)).div(100).toFixed(2);
}

/**
 * A document every VAT category rule accepts, in category `code`: its one line (net 20.00), a document allowance of
 * 5.00 and a charge of 2.00 of the category when asked, and the one breakdown entry they add up to. Without `line`, the
 * line states no VAT category at all, so that only the allowance or charge uses the category.
 */
function categoryDoc(code: Code, { line = true, allowance = false, charge = false } = {}): Draft {
  const { rate, reason } = CATEGORIES[code];
  const d = draft();
  const vat = rate === undefined ? { category: code } : { category: code, rate };
  (d.lines[0] as Draft['lines'][number]).vat = line ? vat : {};
  if (allowance) d.allowances.push({ amount: '5.00', reason: 'Discount', vatCategory: code, ...(rate === undefined ? {} : { vatRate: rate }) });
  if (charge) d.charges.push({ amount: '2.00', reason: 'Freight', vatCategory: code, ...(rate === undefined ? {} : { vatRate: rate }) });
  const taxable = decimal(line ? '20.00' : '0.00')
    .minus(allowance ? '5.00' : '0')
    .plus(charge ? '2.00' : '0')
    .toFixed(2);
  d.vatBreakdown = [{ taxableAmount: taxable, taxAmount: taxOf(taxable, rate), category: code, ...(rate === undefined ? {} : { rate }), ...(reason === undefined ? {} : { exemptionReasonCode: reason }) }];
  if (code === 'AE' || code === 'K') d.buyer.vatId = 'FR12345678901';
  if (code === 'K') d.delivery = { date: '2024-01-30', address: { city: 'Lyon', country: 'FR' } };
  if (code === 'O') delete d.seller.vatId; // "Not subject to VAT" forbids every VAT identifier
  return d;
}

/** The seller-side identifiers turned the wrong way for `code`: removed, or (for `O`) added. */
function wrongIds(d: Draft, code: Code): Draft {
  if (code === 'O') {
    d.seller.vatId = 'DE123456789';
  } else {
    delete d.seller.vatId;
    delete d.seller.taxRegistrationId;
    delete d.taxRepresentative;
  }
  return d;
}

function first<T>(items: T[]): T {
  return items[0] as T;
}

/** A rate that breaks BR-x-05 … 07, and whether the breakdown must follow it (a rate check of S, L, M shall not also break BR-x-08). */
function wrongRate(code: Code): { rate: string; ownBreakdown: boolean } {
  if (code === 'S') return { rate: '0', ownBreakdown: true };
  if (code === 'L' || code === 'M') return { rate: '-1', ownBreakdown: true };
  return { rate: code === 'O' ? '0' : '5', ownBreakdown: false };
}

interface Case {
  readonly rule: string;
  readonly how: string;
  readonly broken: () => En16931Document;
  readonly valid: () => En16931Document;
}

function categoryCases(code: Code): Case[] {
  const { prefix, rate } = CATEGORIES[code];
  const exempt = EXEMPT.includes(code);
  const { rate: badRate, ownBreakdown } = wrongRate(code);
  return [
    {
      rule: `${prefix}-01`,
      how: 'the category is used but has no VAT breakdown',
      broken: () => Object.assign(categoryDoc(code), { vatBreakdown: [] }),
      valid: () => categoryDoc(code),
    },
    {
      rule: `${prefix}-02`,
      how: code === 'O' ? 'a line is not subject to VAT and the seller has a VAT id' : 'a line uses it and the seller has no VAT or tax id',
      broken: () => wrongIds(categoryDoc(code), code),
      valid: () => categoryDoc(code),
    },
    {
      rule: `${prefix}-03`,
      how: 'only a document allowance uses it and the seller ids are wrong',
      broken: () => wrongIds(categoryDoc(code, { line: false, allowance: true }), code),
      valid: () => categoryDoc(code, { line: false, allowance: true }),
    },
    {
      rule: `${prefix}-04`,
      how: 'only a document charge uses it and the seller ids are wrong',
      broken: () => wrongIds(categoryDoc(code, { line: false, charge: true }), code),
      valid: () => categoryDoc(code, { line: false, charge: true }),
    },
    {
      rule: `${prefix}-05`,
      how: `a line has the rate ${badRate}`,
      broken: () => {
        const d = categoryDoc(code);
        first(d.lines).vat.rate = badRate;
        if (ownBreakdown) Object.assign(first(d.vatBreakdown), { rate: badRate, taxAmount: '0.00' });
        return d;
      },
      valid: () => categoryDoc(code),
    },
    {
      rule: `${prefix}-06`,
      how: `a document allowance has the rate ${badRate}`,
      broken: () => {
        const d = categoryDoc(code, { allowance: true });
        first(d.allowances).vatRate = badRate;
        if (ownBreakdown) {
          Object.assign(first(d.vatBreakdown), { taxableAmount: '20.00', taxAmount: taxOf('20.00', rate) });
          d.vatBreakdown.push({ taxableAmount: '-5.00', taxAmount: '0.00', category: code, rate: badRate });
        }
        return d;
      },
      valid: () => categoryDoc(code, { allowance: true }),
    },
    {
      rule: `${prefix}-07`,
      how: `a document charge has the rate ${badRate}`,
      broken: () => {
        const d = categoryDoc(code, { charge: true });
        first(d.charges).vatRate = badRate;
        if (ownBreakdown) {
          Object.assign(first(d.vatBreakdown), { taxableAmount: '20.00', taxAmount: taxOf('20.00', rate) });
          d.vatBreakdown.push({ taxableAmount: '2.00', taxAmount: '0.00', category: code, rate: badRate });
        }
        return d;
      },
      valid: () => categoryDoc(code, { charge: true }),
    },
    {
      rule: `${prefix}-08`,
      how: 'the taxable amount is not the sum of lines, charges and allowances',
      broken: () => {
        const d = categoryDoc(code, { allowance: true, charge: true });
        const taxable = exempt ? '17.01' : '25.00';
        Object.assign(first(d.vatBreakdown), { taxableAmount: taxable, taxAmount: taxOf(taxable, rate) });
        return d;
      },
      valid: () => categoryDoc(code, { allowance: true, charge: true }),
    },
    {
      rule: `${prefix}-09`,
      how: exempt ? 'the tax amount is not zero' : 'the tax amount is not taxable × rate',
      broken: () => {
        const d = categoryDoc(code);
        first(d.vatBreakdown).taxAmount = exempt ? '0.01' : '9.99';
        return d;
      },
      valid: () => categoryDoc(code),
    },
    {
      rule: `${prefix}-10`,
      how: CATEGORIES[code].reason === undefined ? 'the breakdown states an exemption reason' : 'the breakdown states no exemption reason',
      broken: () => {
        const d = categoryDoc(code);
        const entry = first(d.vatBreakdown);
        if (CATEGORIES[code].reason === undefined) entry.exemptionReason = 'Exempt';
        else delete entry.exemptionReasonCode;
        return d;
      },
      valid: () => categoryDoc(code),
    },
  ];
}

/** A domestic Italian document with split payment (B) at 22 %. */
function splitPaymentDoc(): Draft {
  const d = draft();
  first(d.lines).vat = { category: 'B', rate: '22' };
  d.vatBreakdown = [{ taxableAmount: '20.00', taxAmount: '4.40', category: 'B', rate: '22' }];
  Object.assign(d.seller.address ?? {}, { country: 'IT' });
  Object.assign(d.buyer.address ?? {}, { country: 'IT' });
  return d;
}

/** `categoryDoc(code)` with one more element of no VAT category EN 16931 knows here ('X') or none at all. */
const SPECIAL_CASES: Case[] = [
  {
    rule: 'BR-IC-11',
    how: 'neither the delivery date nor an invoicing period is stated',
    broken: () => {
      const d = categoryDoc('K');
      delete d.delivery?.date;
      return d;
    },
    valid: () => Object.assign(categoryDoc('K'), { delivery: { address: { country: 'FR' } }, invoicePeriod: { start: '2024-01-01' } }),
  },
  {
    rule: 'BR-IC-12',
    how: 'the deliver to country is not stated',
    broken: () => {
      const d = categoryDoc('K');
      delete d.delivery?.address;
      return d;
    },
    valid: () => categoryDoc('K'),
  },
  {
    rule: 'BR-O-11',
    how: 'a second breakdown has another (here: no) category',
    broken: () => {
      const d = categoryDoc('O');
      d.vatBreakdown.push({ taxableAmount: '0.00', taxAmount: '0.00' });
      return d;
    },
    valid: () => categoryDoc('O'),
  },
  {
    rule: 'BR-O-12',
    how: 'a line has another category',
    broken: () => {
      const d = categoryDoc('O');
      d.lines.push(lineWith('2', '20.00', { category: 'X', rate: '0' }));
      return d;
    },
    valid: () => {
      const d = categoryDoc('O');
      d.lines.push(lineWith('2', '0.00', { category: 'O' }));
      return d;
    },
  },
  {
    rule: 'BR-O-13',
    how: 'a document allowance has another category',
    broken: () => {
      const d = categoryDoc('O');
      d.allowances.push({ amount: '1.00', reason: 'Discount', vatCategory: 'X' });
      return d;
    },
    valid: () => categoryDoc('O', { allowance: true }),
  },
  {
    rule: 'BR-O-14',
    how: 'a document charge has another category',
    broken: () => {
      const d = categoryDoc('O');
      d.charges.push({ amount: '1.00', reason: 'Freight', vatCategory: 'X' });
      return d;
    },
    valid: () => categoryDoc('O', { charge: true }),
  },
  {
    rule: 'BR-B-01',
    how: 'a split payment document has a buyer outside Italy',
    broken: () => {
      const d = splitPaymentDoc();
      Object.assign(d.buyer.address ?? {}, { country: 'FR' });
      return d;
    },
    valid: splitPaymentDoc,
  },
  {
    rule: 'BR-B-02',
    how: 'a split payment document also has a standard-rated line',
    broken: () => {
      const d = splitPaymentDoc();
      d.lines.push(lineWith('2', '20.00', { category: 'S', rate: '19' }));
      d.vatBreakdown.push({ taxableAmount: '20.00', taxAmount: '3.80', category: 'S', rate: '19' });
      return d;
    },
    valid: splitPaymentDoc,
  },
];

const CASES: readonly Case[] = [...CODES.flatMap(categoryCases), ...SPECIAL_CASES];

describe('vatCategoryRules', () => {
  it('accepts the valid document of every category, with a line, an allowance and a charge of it', () => {
    for (const code of CODES) expect([code, ruleIds(categoryDoc(code, { allowance: true, charge: true }))]).toEqual([code, []]);
    expect(ruleIds(validDocument())).toEqual([]);
  });

  it('has one case for each of the 98 VAT category rules of 1.3.16', () => {
    expect(new Set(CASES.map((c) => c.rule)).size).toBe(98);
  });

  describe.each(CASES)('$rule', ({ rule, how, broken, valid }) => {
    it(`reports only ${rule} when ${how}`, () => {
      expect(ruleIds(broken())).toEqual([rule]);
    });

    it('reports nothing for the same document done right', () => {
      expect(ruleIds(valid())).toEqual([]);
    });
  });

  describe('findings', () => {
    it('give the official id, fatal severity, the term and the semantic pointer of the context', () => {
      const d = categoryDoc('S', { allowance: true });
      first(d.vatBreakdown).taxAmount = '9.99';
      first(d.allowances).vatRate = '0';
      d.vatBreakdown.push({ taxableAmount: '-5.00', taxAmount: '0.00', category: 'S', rate: '0' });
      Object.assign(first(d.vatBreakdown), { taxableAmount: '20.00' });
      expect(vatCategoryRules(d)).toEqual([
        expect.objectContaining({ rule: 'BR-S-09', severity: 'fatal', term: 'BT-117', pointer: 'vatBreakdown[0].taxAmount' }),
        expect.objectContaining({ rule: 'BR-S-06', severity: 'fatal', term: 'BT-96', pointer: 'allowances[0].vatRate' }),
      ]);
    });

    it('report a document-level rule once, however many lines break it', () => {
      const d = wrongIds(categoryDoc('Z'), 'Z');
      d.lines.push(lineWith('2', '0.00', { category: 'Z', rate: '0' }));
      expect(vatCategoryRules(d)).toEqual([expect.objectContaining({ rule: 'BR-Z-02', term: 'BT-31', pointer: 'seller.vatId' })]);
    });

    it('report a line rule once per line', () => {
      const d = categoryDoc('Z');
      first(d.lines).vat.rate = '5';
      d.lines.push(lineWith('2', '0.00', { category: 'Z', rate: '7' }));
      expect(vatCategoryRules(d).map((f) => f.pointer)).toEqual(['lines[0].vat.rate', 'lines[1].vat.rate']);
    });
  });

  describe('BR-x-01 (breakdown present)', () => {
    it('reports Z twice in the breakdown, and accepts a Z breakdown that nothing else uses (UBL counts the breakdown itself)', () => {
      const twice = categoryDoc('Z');
      twice.vatBreakdown.push({ ...first(twice.vatBreakdown) });
      expect(ruleIds(twice)).toContain('BR-Z-01');
      const alone = categoryDoc('S');
      alone.vatBreakdown.push({ taxableAmount: '0.00', taxAmount: '0.00', category: 'Z', rate: '0' });
      expect(ruleIds(alone)).toEqual([]);
    });

    it('reports an S breakdown that nothing uses, and accepts two S breakdowns at two rates', () => {
      const unused = categoryDoc('Z');
      unused.vatBreakdown.push({ taxableAmount: '0.00', taxAmount: '0.00', category: 'S', rate: '19' });
      expect(ruleIds(unused)).toContain('BR-S-01');
      const two = categoryDoc('S');
      two.lines.push(lineWith('2', '10.00', { category: 'S', rate: '7' }));
      two.vatBreakdown.push({ taxableAmount: '10.00', taxAmount: '0.70', category: 'S', rate: '7' });
      expect(ruleIds(two)).toEqual([]);
    });

    it('compares a code without the XML white space at its ends', () => {
      const d = categoryDoc('E');
      first(d.lines).vat.category = ' E\n';
      expect(ruleIds(d)).toEqual([]);
    });
  });

  describe('BR-S-08 (taxable amount per rate)', () => {
    const withTaxable = (taxable: string): Draft => {
      const d = categoryDoc('S');
      first(d.vatBreakdown).taxableAmount = taxable;
      return d;
    };

    it('accepts a difference below 1 and reports a difference of exactly 1', () => {
      expect(ruleIds(withTaxable('20.99'))).toEqual([]);
      expect(ruleIds(withTaxable('19.01'))).toEqual([]);
      expect(ruleIds(withTaxable('21.00'))).toEqual(['BR-S-08']);
      expect(ruleIds(withTaxable('19.00'))).toEqual(['BR-S-08']);
    });

    it('subtracts 1 in double arithmetic as the stylesheet does: 100.10 − 1 is just below 99.10', () => {
      // xs:decimal(xs:double('100.10') - 1) = 99.0999999999999943…, which is < 99.10: the exact difference of 1 passes.
      const d = categoryDoc('S');
      first(d.lines).netAmount = '99.10';
      Object.assign(first(d.vatBreakdown), { taxableAmount: '100.10', taxAmount: '18.83' });
      expect(ruleIds(d)).toEqual([]);
      first(d.vatBreakdown).taxableAmount = '98.10';
      expect(ruleIds(d)).toEqual(['BR-S-08']);
    });

    it('reports a rate that no line, allowance or charge has', () => {
      const d = categoryDoc('S');
      d.vatBreakdown.push({ taxableAmount: '0.00', taxAmount: '0.00', category: 'S', rate: '7' });
      expect(ruleIds(d)).toEqual(['BR-S-08']);
    });

    it('checks nothing for an entry without a rate, and reports a missing taxable amount', () => {
      const noRate = categoryDoc('S');
      delete first(noRate.vatBreakdown).rate;
      expect(ruleIds(noRate)).toEqual(['BR-S-09']);
      const noTaxable = categoryDoc('S');
      delete first(noTaxable.vatBreakdown).taxableAmount;
      expect(ruleIds(noTaxable)).toEqual(['BR-S-08', 'BR-S-09']);
    });

    it('reports nothing where the stylesheet would stop on a value that is not a number', () => {
      const d = categoryDoc('S');
      first(d.lines).netAmount = 'twenty';
      expect(ruleIds(d)).toEqual([]);
    });
  });

  describe('BR-x-08 of the exempt categories', () => {
    it('wants the exact sum, without tolerance, and at least one line', () => {
      const d = categoryDoc('E');
      first(d.vatBreakdown).taxableAmount = '20.001';
      expect(ruleIds(d)).toEqual(['BR-E-08']);
      first(d.vatBreakdown).taxableAmount = '20';
      expect(ruleIds(d)).toEqual([]);
      const noLine = categoryDoc('E', { line: false, allowance: true });
      noLine.lines = [];
      expect(ruleIds(noLine)).toEqual(['BR-E-08']);
    });
  });

  describe('BR-S-09 (tax amount)', () => {
    it('rounds the tax to cents and accepts a difference below 1', () => {
      const d = categoryDoc('S');
      first(d.vatBreakdown).taxAmount = '4.79';
      expect(ruleIds(d)).toEqual([]);
      first(d.vatBreakdown).taxAmount = '4.80';
      expect(ruleIds(d)).toEqual(['BR-S-09']);
      first(d.vatBreakdown).taxAmount = '-3.80'; // compared as absolute values
      expect(ruleIds(d)).toEqual([]);
    });
  });

  describe('rates compared as doubles', () => {
    it('takes "-0.00" as below zero (Saxon orders the double -0.0 below 0) but "-0" as zero', () => {
      const d = categoryDoc('L');
      Object.assign(first(d.vatBreakdown), { rate: '0', taxAmount: '0.00' });
      first(d.lines).vat.rate = '-0.00';
      expect(ruleIds(d)).toEqual(['BR-AF-05']);
      first(d.lines).vat.rate = '-0';
      expect(ruleIds(d)).toEqual([]);
    });
  });

  describe('identifiers', () => {
    it('takes the tax registration id (BT-32) or a tax representative for S, but only a VAT id for K and G', () => {
      const s = wrongIds(categoryDoc('S'), 'S');
      s.seller.taxRegistrationId = 'DE/123/456';
      expect(ruleIds(s)).toEqual([]);
      const g = wrongIds(categoryDoc('G'), 'G');
      g.seller.taxRegistrationId = 'DE/123/456';
      expect(ruleIds(g)).toEqual(['BR-G-02']);
      g.taxRepresentative = { name: 'Rep', vatId: 'DE999999999' };
      expect(ruleIds(g)).toEqual([]);
    });

    it('wants the buyer VAT id for K, and the buyer VAT id or legal registration for AE', () => {
      const k = categoryDoc('K');
      delete k.buyer.vatId;
      expect(vatCategoryRules(k)).toEqual([expect.objectContaining({ rule: 'BR-IC-02', term: 'BT-48', pointer: 'buyer.vatId' })]);
      const ae = categoryDoc('AE');
      delete ae.buyer.vatId;
      expect(ruleIds(ae)).toEqual(['BR-AE-02']);
      ae.buyer.legalRegistration = { id: '123456789', scheme: '0002' };
      expect(ruleIds(ae)).toEqual([]);
    });

    it('forbids the buyer VAT id and the tax representative VAT id for O too', () => {
      const buyer = categoryDoc('O');
      buyer.buyer.vatId = 'FR12345678901';
      expect(vatCategoryRules(buyer)).toEqual([expect.objectContaining({ rule: 'BR-O-02', term: 'BT-48', pointer: 'buyer.vatId' })]);
      const representative = categoryDoc('O');
      representative.taxRepresentative = { name: 'Rep', vatId: 'DE999999999' };
      expect(ruleIds(representative)).toEqual(['BR-O-02']);
    });
  });

  describe('BR-IC-11', () => {
    it('takes the VAT point date code as a child of the UBL invoicing period', () => {
      const d = categoryDoc('K');
      delete d.delivery?.date;
      d.taxPointDateCode = '3';
      expect(ruleIds(d)).toEqual([]);
    });
  });
});

describe('a document of many lines and rates (audit D1: the rules went over every line for each breakdown entry)', () => {
  const found = (doc: En16931Document): string[] => vatCategoryRules(doc).map((f) => `${f.rule} ${f.pointer ?? ''}`.trim());

  it('gives the findings it gave before it grouped the lines by category and rate', () => {
    // Recorded with the rules as they were: every per-rate sum, the same rate written 1.5, 1.50 and 1.500, a rate no
    // line uses, an allowance rate that is not a number, duplicate Z entries, O beside other categories.
    expect(found(manyRatesDocument())).toEqual(
      [
        'BR-Z-01 vatBreakdown',
        'BR-O-01 vatBreakdown',
        'BR-O-11 vatBreakdown[0].category',
        'BR-O-12 lines[0].vat.category',
        'BR-O-13 allowances[0].vatCategory',
        'BR-O-14 charges[0].vatCategory',
        'BR-S-08 vatBreakdown[3].taxableAmount',
        'BR-S-09 vatBreakdown[5].taxAmount',
        'BR-S-08 vatBreakdown[32].taxableAmount',
        'BR-S-09 vatBreakdown[42].taxAmount',
        'BR-S-08 vatBreakdown[61].taxableAmount',
        'BR-S-09 vatBreakdown[79].taxAmount',
        'BR-S-08 vatBreakdown[90].taxableAmount',
        'BR-S-09 vatBreakdown[116].taxAmount',
        'BR-S-08 vatBreakdown[119].taxableAmount',
        'BR-S-08 vatBreakdown[148].taxableAmount',
        'BR-S-09 vatBreakdown[153].taxAmount',
        'BR-S-08 vatBreakdown[177].taxableAmount',
        'BR-S-09 vatBreakdown[190].taxAmount',
        'BR-S-08 vatBreakdown[202].taxableAmount',
        'BR-Z-08 vatBreakdown[204].taxableAmount',
      ],
    );
  });

  it('reads each line\'s rate as often with 400 rates as with one: no pass over the lines per breakdown entry', () => {
    const many = countingRateReads(manyRatesDocument(400, 400));
    const one = countingRateReads(manyRatesDocument(400, 1));
    expect(many.doc.vatBreakdown.length).toBeGreaterThan(400);
    vatCategoryRules(many.doc);
    vatCategoryRules(one.doc);
    expect(many.reads()).toBe(one.reads());
    expect(many.reads()).toBeLessThanOrEqual(2 * many.doc.lines.length);
  });
});
