import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@invoicing/core';
import { VAT_CATEGORY_CODES, vatCategory, vatCategoryToInput, vatKey, type VatCategoryInput } from './vat';

/** The one ValidationError `fn` throws; fails the test when it throws nothing or something else. */
function caught(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** Code and path of every issue: what a caller matches on (never the message). */
const issuesOf = (fn: () => unknown) => {
  const error = caught(fn);
  return { code: error.code, issues: error.issues.map(({ path, code }) => ({ path, code })) };
};

const single = (path: string, code: string) => ({ code, issues: [{ path, code }] });

describe('vat', () => {
  describe('vatCategory', () => {
    describe('S, standard rate', () => {
      it.each([
        ['20', '20'],
        ['5.5', '5.5'],
        ['0.01', '0.01'],
        ['100', '100'],
        ['19.000', '19'],
      ])('accepts the positive rate %s when no exemption reason is given', (rate, exact) => {
        const category = vatCategory({ code: 'S', rate });

        expect(category.code).toBe('S');
        expect(category.rate?.toString()).toBe(exact);
        expect(category).not.toHaveProperty('exemptionReason');
        expect(category).not.toHaveProperty('exemptionReasonCode');
      });

      it('accepts a rate given as a safe integer', () => {
        expect(vatCategory({ code: 'S', rate: 21 }).rate?.toString()).toBe('21');
      });

      it.each(['0', '0.00', '-0', 0])('refuses the zero rate %p (BR-S-05)', (rate) => {
        expect(issuesOf(() => vatCategory({ code: 'S', rate }))).toEqual(single('rate', 'vat.rate_must_be_positive'));
      });

      it.each([undefined, null])('refuses a missing rate when the rate is %p', (rate) => {
        expect(issuesOf(() => vatCategory({ code: 'S', rate }))).toEqual(single('rate', 'vat.rate_required'));
      });

      it('refuses an exemption reason text (BR-S-10)', () => {
        expect(issuesOf(() => vatCategory({ code: 'S', rate: '20', exemptionReason: 'Exempt' }))).toEqual(
          single('exemptionReason', 'vat.exemption_reason_not_allowed'),
        );
      });

      it('refuses an exemption reason code (BR-S-10)', () => {
        expect(issuesOf(() => vatCategory({ code: 'S', rate: '20', exemptionReasonCode: 'VATEX-EU-132' }))).toEqual(
          single('exemptionReason', 'vat.exemption_reason_not_allowed'),
        );
      });

      it('ignores a blank exemption reason, which is no reason at all', () => {
        expect(vatCategory({ code: 'S', rate: '20', exemptionReason: '   ' })).not.toHaveProperty('exemptionReason');
      });
    });

    describe('Z, zero rated', () => {
      it.each([undefined, null, '0', '0.00', '-0', 0])('has the rate 0 when the rate given is %p', (rate) => {
        expect(vatCategory({ code: 'Z', rate }).rate?.isZero()).toBe(true);
      });

      it('refuses a non-zero rate (BR-Z-05)', () => {
        expect(issuesOf(() => vatCategory({ code: 'Z', rate: '5' }))).toEqual(single('rate', 'vat.rate_must_be_zero'));
      });

      it('refuses an exemption reason (BR-Z-10)', () => {
        expect(issuesOf(() => vatCategory({ code: 'Z', exemptionReason: 'Zero rated goods' }))).toEqual(
          single('exemptionReason', 'vat.exemption_reason_not_allowed'),
        );
      });
    });

    describe('E, AE, K, G: no VAT charged, a reason required', () => {
      const exemptCodes = ['E', 'AE', 'K', 'G'] as const;

      it.each(exemptCodes)('gives %s the rate 0 when no rate is given and keeps the reason text', (code) => {
        const category = vatCategory({ code, exemptionReason: '  Exempt under article 132  ' });

        expect(category.rate?.isZero()).toBe(true);
        expect(category.exemptionReason).toBe('Exempt under article 132');
        expect(category).not.toHaveProperty('exemptionReasonCode');
      });

      it.each(exemptCodes)('accepts %s with a VATEX reason code alone (BT-121)', (code) => {
        const category = vatCategory({ code, rate: '0', exemptionReasonCode: 'VATEX-EU-IC' });

        expect(category.exemptionReasonCode).toBe('VATEX-EU-IC');
        expect(category).not.toHaveProperty('exemptionReason');
      });

      it.each(exemptCodes)('keeps both the reason text and the code of %s', (code) => {
        const category = vatCategory({ code, exemptionReason: 'Reverse charge', exemptionReasonCode: 'VATEX-EU-AE' });

        expect(category).toMatchObject({ exemptionReason: 'Reverse charge', exemptionReasonCode: 'VATEX-EU-AE' });
      });

      it.each(exemptCodes)('refuses %s without a reason (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10)', (code) => {
        expect(issuesOf(() => vatCategory({ code, rate: '0' }))).toEqual(single('exemptionReason', 'vat.exemption_reason_required'));
      });

      it.each(exemptCodes)('refuses %s with only blank reasons', (code) => {
        expect(issuesOf(() => vatCategory({ code, exemptionReason: ' ', exemptionReasonCode: '' }))).toEqual(
          single('exemptionReason', 'vat.exemption_reason_required'),
        );
      });

      it.each(exemptCodes)('refuses %s with a non-zero rate (BR-E-05, BR-AE-05, BR-IC-05, BR-G-05)', (code) => {
        expect(issuesOf(() => vatCategory({ code, rate: '20', exemptionReason: 'Exempt' }))).toEqual(single('rate', 'vat.rate_must_be_zero'));
      });

      it('refuses a reason text longer than 1000 characters', () => {
        expect(issuesOf(() => vatCategory({ code: 'E', exemptionReason: 'x'.repeat(1001) }))).toEqual(single('exemptionReason', 'text.too_long'));
      });

      it('refuses a reason code longer than 30 characters', () => {
        expect(issuesOf(() => vatCategory({ code: 'E', exemptionReasonCode: 'V'.repeat(31) }))).toEqual(single('exemptionReasonCode', 'text.too_long'));
      });
    });

    describe('O, not subject to VAT', () => {
      it.each([undefined, null])('has no rate at all when the rate given is %p', (rate) => {
        const category = vatCategory({ code: 'O', rate, exemptionReason: 'Not subject to VAT' });

        expect(category.rate).toBeNull();
        expect(category.exemptionReason).toBe('Not subject to VAT');
      });

      it.each(['0', '20'])('refuses the rate %s, even zero (BR-O-05)', (rate) => {
        expect(issuesOf(() => vatCategory({ code: 'O', rate, exemptionReason: 'Not subject to VAT' }))).toEqual(single('rate', 'vat.rate_not_allowed'));
      });

      it('refuses it without a reason (BR-O-10)', () => {
        expect(issuesOf(() => vatCategory({ code: 'O' }))).toEqual(single('exemptionReason', 'vat.exemption_reason_required'));
      });
    });

    describe('L, M: Canary Islands IGIC, Ceuta and Melilla IPSI', () => {
      it.each([
        ['L', '0'],
        ['L', '7'],
        ['M', '0'],
        ['M', '10.5'],
      ] as const)('accepts %s with the rate %s', (code, rate) => {
        expect(vatCategory({ code, rate }).rate?.toString()).toBe(rate);
      });

      it.each(['L', 'M'] as const)('refuses %s without a rate (BR-AF-05, BR-AG-05)', (code) => {
        expect(issuesOf(() => vatCategory({ code }))).toEqual(single('rate', 'vat.rate_required'));
      });

      it.each(['L', 'M'] as const)('refuses %s with a negative rate', (code) => {
        expect(issuesOf(() => vatCategory({ code, rate: '-1' }))).toEqual(single('rate', 'vat.rate_out_of_range'));
      });

      it.each(['L', 'M'] as const)('refuses an exemption reason on %s (BR-AF-10, BR-AG-10)', (code) => {
        expect(issuesOf(() => vatCategory({ code, rate: '7', exemptionReasonCode: 'VATEX-EU-79-C' }))).toEqual(
          single('exemptionReason', 'vat.exemption_reason_not_allowed'),
        );
      });
    });

    describe('codes and rates outside EN 16931', () => {
      it.each(['X', 's', 'VAT', '', 'S '])('refuses the unknown code %j', (code) => {
        expect(issuesOf(() => vatCategory({ code, rate: '20' }))).toEqual(single('code', 'vat.unknown_category'));
      });

      it('refuses a code that is not a string', () => {
        expect(issuesOf(() => vatCategory({ code: 5 } as unknown as VatCategoryInput))).toEqual(single('code', 'vat.unknown_category'));
      });

      it('knows the nine codes of EN 16931', () => {
        expect([...VAT_CATEGORY_CODES].sort()).toEqual(['AE', 'E', 'G', 'K', 'L', 'M', 'O', 'S', 'Z']);
      });

      it.each(['100.01', '101', '-0.5', '-20'])('refuses the rate %s, outside 0 to 100', (rate) => {
        expect(issuesOf(() => vatCategory({ code: 'S', rate }))).toEqual(single('rate', 'vat.rate_out_of_range'));
      });

      it.each(['1e1', '7,5', ' 20', '+20', '20%', 'NaN', 'Infinity', '', '020'])('refuses the malformed rate %j', (rate) => {
        expect(issuesOf(() => vatCategory({ code: 'S', rate }))).toEqual(single('rate', 'decimal.malformed'));
      });

      it('refuses a rate given as a binary float', () => {
        expect(issuesOf(() => vatCategory({ code: 'S', rate: 7.5 }))).toEqual(single('rate', 'decimal.malformed'));
      });
    });
  });

  describe('vatKey', () => {
    it('groups the same category and rate however the rate is written', () => {
      expect(vatKey(vatCategory({ code: 'S', rate: '20' }))).toBe(vatKey(vatCategory({ code: 'S', rate: '20.00' })));
      expect(vatKey(vatCategory({ code: 'S', rate: 20 }))).toBe(vatKey(vatCategory({ code: 'S', rate: '20.0' })));
    });

    it('separates two rates of the same category', () => {
      expect(vatKey(vatCategory({ code: 'S', rate: '5.5' }))).not.toBe(vatKey(vatCategory({ code: 'S', rate: '5.55' })));
      expect(vatKey(vatCategory({ code: 'S', rate: '20' }))).not.toBe(vatKey(vatCategory({ code: 'S', rate: '2' })));
    });

    it('separates two categories of the same rate', () => {
      const zeroRated = [
        vatCategory({ code: 'Z' }),
        vatCategory({ code: 'E', exemptionReason: 'Exempt' }),
        vatCategory({ code: 'AE', exemptionReason: 'Reverse charge' }),
        vatCategory({ code: 'K', exemptionReason: 'Intra-community supply' }),
        vatCategory({ code: 'G', exemptionReason: 'Export' }),
        vatCategory({ code: 'L', rate: '0' }),
        vatCategory({ code: 'M', rate: '0' }),
        vatCategory({ code: 'O', exemptionReason: 'Not subject' }),
      ];

      expect(new Set(zeroRated.map(vatKey)).size).toBe(zeroRated.length);
    });

    it('groups exempt categories whatever their reason, since the breakdown is per category and rate', () => {
      expect(vatKey(vatCategory({ code: 'E', exemptionReason: 'Medical' }))).toBe(vatKey(vatCategory({ code: 'E', exemptionReasonCode: 'VATEX-EU-132' })));
    });
  });

  describe('vatCategoryToInput', () => {
    it.each<VatCategoryInput>([
      { code: 'S', rate: '20' },
      { code: 'S', rate: '5.5' },
      { code: 'Z', rate: '0' },
      { code: 'E', rate: '0', exemptionReason: 'Exempt under article 132' },
      { code: 'AE', rate: '0', exemptionReason: 'Reverse charge', exemptionReasonCode: 'VATEX-EU-AE' },
      { code: 'K', rate: '0', exemptionReasonCode: 'VATEX-EU-IC' },
      { code: 'G', rate: '0', exemptionReason: 'Export outside the EU' },
      { code: 'O', rate: null, exemptionReason: 'Not subject to VAT' },
      { code: 'L', rate: '6.5' },
      { code: 'M', rate: '0' },
    ])('gives back the JSON-safe input %j', (input) => {
      expect(vatCategoryToInput(vatCategory(input))).toEqual(input);
    });

    it('writes the rate in its canonical form, so a round trip keeps the breakdown key', () => {
      const category = vatCategory({ code: 'S', rate: '19.000' });
      const input = vatCategoryToInput(category);

      expect(input.rate).toBe('19');
      expect(vatKey(vatCategory(input))).toBe(vatKey(category));
    });

    it('gives the defaulted zero rate of an exempt category explicitly', () => {
      expect(vatCategoryToInput(vatCategory({ code: 'E', exemptionReason: 'Exempt' }))).toEqual({ code: 'E', rate: '0', exemptionReason: 'Exempt' });
    });

    it('produces plain JSON: no Decimal survives', () => {
      const input = vatCategoryToInput(vatCategory({ code: 'S', rate: '7.7' }));

      expect(JSON.parse(JSON.stringify(input))).toEqual(input);
      expect(typeof input.rate).toBe('string');
    });
  });
});
