import { describe, expect, it } from '@jest/globals';
import { Money, type CurrencyCode } from '@invoicing/core';
import { Decimal as DecimalJs } from 'decimal.js';
import fc from 'fast-check';
import {
  documentAllowanceCharge,
  invoiceLine,
  type AllowanceChargeInput,
  type DocumentAllowanceChargeInput,
  type InvoiceLineInput,
} from './invoice-line';
import { closingVatOf, computeTotals, vatBreakdown, withClosingVat, type InvoiceTotals, type VatBreakdown } from './totals';
import type { VatCategoryInput } from './vat';

const S20: VatCategoryInput = { code: 'S', rate: '20' };
const S5_5: VatCategoryInput = { code: 'S', rate: '5.5' };
const EXEMPT: VatCategoryInput = { code: 'E', exemptionReason: 'Exempt under article 132' };

type LineSpec = Pick<InvoiceLineInput, 'quantity' | 'netPrice' | 'vat'> & Partial<InvoiceLineInput>;

interface DocumentSpec {
  readonly currency?: CurrencyCode;
  readonly lines: readonly LineSpec[];
  readonly allowances?: readonly DocumentAllowanceChargeInput[];
  readonly charges?: readonly DocumentAllowanceChargeInput[];
  readonly prepaid?: string;
  readonly rounding?: string;
}

/** Parses a document the way `Invoice.draft` does, then computes its breakdown and totals. */
function compute(spec: DocumentSpec): { breakdown: VatBreakdown[]; totals: InvoiceTotals } {
  const currency = spec.currency ?? 'EUR';
  const input = {
    currency,
    lines: spec.lines.map((line, index) => invoiceLine({ name: `Item ${index + 1}`, unitCode: 'C62', ...line }, currency, index)),
    allowances: (spec.allowances ?? []).map((item) => documentAllowanceCharge(item, currency)),
    charges: (spec.charges ?? []).map((item) => documentAllowanceCharge(item, currency)),
    prepaid: Money.of(spec.prepaid ?? '0', currency),
    rounding: Money.of(spec.rounding ?? '0', currency),
  };
  const breakdown = vatBreakdown(input);
  return { breakdown, totals: computeTotals(input, breakdown) };
}

/** Each breakdown entry as `category:rate → taxable / tax`, in the domain's order. */
const entries = (breakdown: readonly VatBreakdown[]) =>
  breakdown.map((entry) => [`${entry.category.code}:${entry.category.rate?.toString() ?? '-'}`, entry.taxableAmount.toString(), entry.taxAmount.toString()]);

/** Every total as its decimal string. */
const amounts = (totals: InvoiceTotals) => Object.fromEntries(Object.entries(totals).map(([name, money]) => [name, (money as Money).toString()]));

/**
 * A worked document, checked by hand:
 *   line 1: 3 × 19.99          = 59.97   S 20 %
 *   line 2: 2.5 × 80.00        = 200.00  S 20 %
 *   line 3: 1 × 45.00          = 45.00   S 5.5 %
 *   line 4: 2 × 12.00          = 24.00   E
 *   document allowance 10.00 in S 20 %, document charge 7.50 in S 5.5 %, prepaid 50.00
 */
const worked: DocumentSpec = {
  lines: [
    { quantity: '3', netPrice: '19.99', vat: S20 },
    { quantity: '2.5', netPrice: '80.00', vat: S20, unitCode: 'HUR' },
    { quantity: '1', netPrice: '45.00', vat: S5_5 },
    { quantity: '2', netPrice: '12.00', vat: EXEMPT },
  ],
  allowances: [{ amount: '10.00', reason: 'Loyalty', vat: S20 }],
  charges: [{ amount: '7.50', reason: 'Delivery', vat: S5_5 }],
  prepaid: '50.00',
};

describe('totals', () => {
  describe('computeTotals', () => {
    it('sums the line net amounts into BT-106 (BR-CO-10)', () => {
      // 59.97 + 200.00 + 45.00 + 24.00 = 328.97
      expect(compute(worked).totals.lineTotal.toString()).toBe('328.97');
    });

    it('sums the document allowances into BT-107 (BR-CO-11)', () => {
      // 10.00 + 2.50 + 0.01 = 12.51
      const { totals } = compute({
        ...worked,
        allowances: [
          { amount: '10.00', reason: 'Loyalty', vat: S20 },
          { amount: '2.50', reason: 'Promotion', vat: S5_5 },
          { amount: '0.01', reasonCode: '95', vat: EXEMPT },
        ],
      });

      expect(totals.allowanceTotal.toString()).toBe('12.51');
    });

    it('sums the document charges into BT-108 (BR-CO-12)', () => {
      // 7.50 + 4.99 = 12.49
      const { totals } = compute({ ...worked, charges: [...(worked.charges ?? []), { amount: '4.99', reason: 'Insurance', vat: S20 }] });

      expect(totals.chargeTotal.toString()).toBe('12.49');
    });

    it('gives BT-109 = BT-106 − BT-107 + BT-108 (BR-CO-13)', () => {
      // 328.97 − 10.00 + 7.50 = 326.47
      const { totals } = compute(worked);

      expect([totals.allowanceTotal.toString(), totals.chargeTotal.toString(), totals.taxExclusive.toString()]).toEqual(['10.00', '7.50', '326.47']);
    });

    it('sums the breakdown tax amounts into BT-110 (BR-CO-14)', () => {
      // S 20 %: 49.99, S 5.5 %: 2.89, E: 0.00 → 52.88
      expect(compute(worked).totals.taxTotal.toString()).toBe('52.88');
    });

    it('gives BT-112 = BT-109 + BT-110 (BR-CO-15)', () => {
      // 326.47 + 52.88 = 379.35
      expect(compute(worked).totals.taxInclusive.toString()).toBe('379.35');
    });

    it('gives BT-115 = BT-112 − BT-113 + BT-114 (BR-CO-16)', () => {
      // 379.35 − 50.00 + 0.00 = 329.35
      expect(amounts(compute(worked).totals)).toEqual({
        lineTotal: '328.97',
        allowanceTotal: '10.00',
        chargeTotal: '7.50',
        taxExclusive: '326.47',
        taxTotal: '52.88',
        taxInclusive: '379.35',
        prepaid: '50.00',
        rounding: '0.00',
        amountDue: '329.35',
      });
    });

    it('adds a rounding amount (BT-114) after subtracting the prepaid amount (BT-113)', () => {
      // 84.12 × 19 % = 15.9828 → 15.98; 84.12 + 15.98 = 100.10; 100.10 − 50.00 + (−0.10) = 50.00
      const { totals } = compute({ lines: [{ quantity: '1', netPrice: '84.12', vat: { code: 'S', rate: '19' } }], prepaid: '50.00', rounding: '-0.10' });

      expect(amounts(totals)).toMatchObject({ taxTotal: '15.98', taxInclusive: '100.10', prepaid: '50.00', rounding: '-0.10', amountDue: '50.00' });
    });

    it('rounds the amount due up with a positive rounding amount', () => {
      // 9.99 zero rated; 9.99 − 0.00 + 0.01 = 10.00
      const { totals } = compute({ lines: [{ quantity: '1', netPrice: '9.99', vat: { code: 'Z' } }], rounding: '0.01' });

      expect(totals.amountDue.toString()).toBe('10.00');
    });

    it('gives a negative amount due when more was prepaid than the document is worth', () => {
      // 100.00 + 20 % = 120.00; 120.00 − 150.00 = −30.00
      const { totals } = compute({ lines: [{ quantity: '1', netPrice: '100.00', vat: S20 }], prepaid: '150.00' });

      expect(totals.amountDue.toString()).toBe('-30.00');
    });

    it('is zero throughout for a document without lines', () => {
      const { breakdown, totals } = compute({ lines: [] });

      expect(breakdown).toEqual([]);
      expect(Object.values(amounts(totals))).toEqual(Array(9).fill('0.00'));
    });

    it('keeps the currency of the document, with its decimals', () => {
      // JPY: 3 × 333 = 999; 999 × 10 % = 99.9 → 100; 999 + 100 = 1099
      const { totals } = compute({ currency: 'JPY', lines: [{ quantity: '3', netPrice: '333', vat: { code: 'S', rate: '10' } }] });

      expect(totals.amountDue.toJSON()).toEqual({ amount: '1099', currency: 'JPY' });
    });

    it('uses the breakdown it is given for the tax total', () => {
      const { breakdown } = compute(worked);
      const input = {
        currency: 'EUR' as const,
        lines: worked.lines.map((line, index) => invoiceLine({ name: 'Item', unitCode: 'C62', ...line }, 'EUR', index)),
        allowances: [],
        charges: [],
        prepaid: Money.zero('EUR'),
        rounding: Money.zero('EUR'),
      };

      // Only the first entry (S 20 %, tax 49.99) is passed in.
      expect(computeTotals(input, breakdown.slice(0, 1)).taxTotal.toString()).toBe('49.99');
    });

    it('refuses lines of another currency than the document', () => {
      const lines = [invoiceLine({ name: 'Item', quantity: '1', unitCode: 'C62', netPrice: '1.00', vat: S20 }, 'USD', 0)];

      expect(() =>
        computeTotals({ currency: 'EUR', lines, allowances: [], charges: [], prepaid: Money.zero('EUR'), rounding: Money.zero('EUR') }),
      ).toThrow(expect.objectContaining({ code: 'money.currency_mismatch' }));
    });
  });

  describe('vatBreakdown', () => {
    it('computes each entry as taxable × rate ÷ 100, rounded half-up (BR-CO-17)', () => {
      // S 20 %: 59.97 + 200.00 − 10.00 = 249.97; × 20 % = 49.994 → 49.99
      // S 5.5 %: 45.00 + 7.50 = 52.50; × 5.5 % = 2.8875 → 2.89
      // E: 24.00; no tax
      expect(entries(compute(worked).breakdown)).toEqual([
        ['S:20', '249.97', '49.99'],
        ['S:5.5', '52.50', '2.89'],
        ['E:0', '24.00', '0.00'],
      ]);
    });

    it('makes the taxable amounts add up to BT-109', () => {
      // 249.97 + 52.50 + 24.00 = 326.47
      const { breakdown, totals } = compute(worked);

      expect(Money.sum('EUR', breakdown.map((entry) => entry.taxableAmount)).equals(totals.taxExclusive)).toBe(true);
    });

    it('makes one entry per category and rate, however the rate is written, in order of first appearance', () => {
      // S 20 %: 100.00 + 50.00 = 150.00 → 30.00; S 10 %: 30.00 + 8.00 = 38.00 → 3.80; Z: 20.00; E: 10.00 + 5.00 = 15.00
      const { breakdown } = compute({
        lines: [
          { quantity: '1', netPrice: '100.00', vat: { code: 'S', rate: '20' } },
          { quantity: '1', netPrice: '50.00', vat: { code: 'S', rate: '20.00' } },
          { quantity: '1', netPrice: '30.00', vat: { code: 'S', rate: '10' } },
          { quantity: '1', netPrice: '20.00', vat: { code: 'Z' } },
          { quantity: '1', netPrice: '10.00', vat: { code: 'E', exemptionReason: 'Medical care' } },
          { quantity: '1', netPrice: '5.00', vat: { code: 'E', exemptionReasonCode: 'VATEX-EU-132-1I' } },
          { quantity: '1', netPrice: '8.00', vat: { code: 'S', rate: '10.0' } },
        ],
      });

      expect(entries(breakdown)).toEqual([
        ['S:20', '150.00', '30.00'],
        ['S:10', '38.00', '3.80'],
        ['Z:0', '20.00', '0.00'],
        ['E:0', '15.00', '0.00'],
      ]);
      // BR-E-10: the exempt entry still carries a reason.
      expect(breakdown[3]?.category.exemptionReason ?? breakdown[3]?.category.exemptionReasonCode).toBeDefined();
    });

    it('separates the same rate in two categories', () => {
      // Z and E are both 0 %, and L may be too: three entries
      const { breakdown } = compute({
        lines: [
          { quantity: '1', netPrice: '1.00', vat: { code: 'Z' } },
          { quantity: '1', netPrice: '2.00', vat: EXEMPT },
          { quantity: '1', netPrice: '3.00', vat: { code: 'L', rate: '0' } },
        ],
      });

      expect(entries(breakdown)).toEqual([
        ['Z:0', '1.00', '0.00'],
        ['E:0', '2.00', '0.00'],
        ['L:0', '3.00', '0.00'],
      ]);
    });

    it('feeds document allowances and charges into the entry of their own category and rate', () => {
      // S 25 %: 200.00 − 20.00 = 180.00 → 45.00
      // S 12 %: 100.00 + 10.00 = 110.00 → 13.20
      // Z: a charge alone makes an entry of its own, 15.00 → 0.00
      // S 10 %: an allowance alone makes a negative entry, −5.00 → −0.50
      const S25 = { code: 'S', rate: '25' };
      const S12 = { code: 'S', rate: '12' };
      const { breakdown, totals } = compute({
        lines: [
          { quantity: '2', netPrice: '100.00', vat: S25 },
          { quantity: '1', netPrice: '100.00', vat: S12 },
        ],
        allowances: [
          { amount: '20.00', reason: 'Discount', vat: S25 },
          { amount: '5.00', reason: 'Voucher', vat: { code: 'S', rate: '10' } },
        ],
        charges: [
          { amount: '10.00', reason: 'Packaging', vat: S12 },
          { amount: '15.00', reason: 'Freight', vat: { code: 'Z' } },
        ],
      });

      expect(entries(breakdown)).toEqual([
        ['S:25', '180.00', '45.00'],
        ['S:12', '110.00', '13.20'],
        ['S:10', '-5.00', '-0.50'],
        ['Z:0', '15.00', '0.00'],
      ]);
      // 45.00 + 13.20 − 0.50 + 0.00 = 57.70; 300.00 − 25.00 + 25.00 = 300.00
      expect([totals.taxTotal.toString(), totals.taxExclusive.toString()]).toEqual(['57.70', '300.00']);
    });

    it('rounds the tax once per entry, not per line: three lines of 0.10 at 5 % owe 0.02, not 3 × 0.01', () => {
      // Per line: 0.10 × 5 % = 0.005 → 0.01, three times = 0.03.
      // Per entry: 0.30 × 5 % = 0.015 → 0.02.
      const line = { quantity: '1', netPrice: '0.10', vat: { code: 'S', rate: '5' } };
      const { breakdown, totals } = compute({ lines: [line, line, line] });

      expect(entries(breakdown)).toEqual([['S:5', '0.30', '0.02']]);
      expect(totals.taxTotal.toString()).toBe('0.02');
    });

    it('rounds the tax once per entry, not per line: seven lines of 1.11 at 19 % owe 1.48, not 7 × 0.21', () => {
      // Per line: 1.11 × 19 % = 0.2109 → 0.21, seven times = 1.47.
      // Per entry: 7.77 × 19 % = 1.4763 → 1.48.
      const line = { quantity: '1', netPrice: '1.11', vat: { code: 'S', rate: '19' } };
      const { totals } = compute({ lines: Array(7).fill(line) });

      expect(totals.taxTotal.toString()).toBe('1.48');
    });

    it('rounds a negative tie away from zero', () => {
      // −0.10 × 25 % = −0.025 → −0.03
      const { breakdown } = compute({ lines: [{ quantity: '-1', netPrice: '0.10', vat: { code: 'S', rate: '25' } }] });

      expect(entries(breakdown)).toEqual([['S:25', '-0.10', '-0.03']]);
    });

    it('rounds to the decimals of the currency', () => {
      // JPY: 1005 × 8 % = 80.4 → 80; 999 × 10 % = 99.9 → 100
      expect(
        entries(
          compute({
            currency: 'JPY',
            lines: [
              { quantity: '1', netPrice: '1005', vat: { code: 'S', rate: '8' } },
              { quantity: '3', netPrice: '333', vat: { code: 'S', rate: '10' } },
            ],
          }).breakdown,
        ),
      ).toEqual([
        ['S:8', '1005', '80'],
        ['S:10', '999', '100'],
      ]);
      // BHD: 1.115 × 10 % = 0.1115 → 0.112 (a tie at the third decimal)
      expect(entries(compute({ currency: 'BHD', lines: [{ quantity: '1', netPrice: '1.115', vat: { code: 'S', rate: '10' } }] }).breakdown)).toEqual([
        ['S:10', '1.115', '0.112'],
      ]);
    });

    it('keeps every exemption reason of one category and rate, in order, joined: one breakdown entry carries one text (BT-120)', () => {
      // Before, 'Reason B' and its code were dropped without a word (review of 6 December 2026).
      const { breakdown } = compute({
        lines: [
          { quantity: '1', netPrice: '10.00', vat: { code: 'E', exemptionReason: 'Reason A' } },
          { quantity: '1', netPrice: '5.00', vat: { code: 'E', exemptionReason: 'Reason B', exemptionReasonCode: 'VATEX-EU-132' } },
          { quantity: '1', netPrice: '1.00', vat: { code: 'E', exemptionReason: 'Reason A' } },
        ],
      });

      expect(entries(breakdown)).toEqual([['E:0', '16.00', '0.00']]);
      expect(breakdown[0]?.category).toEqual({ code: 'E', rate: expect.anything(), exemptionReason: 'Reason A; Reason B', exemptionReasonCode: 'VATEX-EU-132' });
    });

    it('keeps the first reason code of one category and rate as its code (BT-121), and the others in its text, on lines and document allowances and charges alike', () => {
      const AE = (exemptionReasonCode: string) => ({ code: 'AE', exemptionReason: 'Reverse charge', exemptionReasonCode });
      const { breakdown } = compute({
        lines: [
          { quantity: '1', netPrice: '10.00', vat: AE('VATEX-EU-AE') },
          { quantity: '1', netPrice: '10.00', vat: AE('VATEX-EU-AE') },
          { quantity: '1', netPrice: '10.00', vat: AE('VATEX-EU-IC') },
        ],
        allowances: [{ amount: '1.00', reason: 'Discount', vat: AE('VATEX-EU-G') }],
        charges: [{ amount: '1.00', reason: 'Freight', vat: AE('VATEX-EU-O') }],
      });

      expect(breakdown[0]?.category).toEqual({
        code: 'AE',
        rate: expect.anything(),
        exemptionReason: 'Reverse charge; VATEX-EU-IC; VATEX-EU-G; VATEX-EU-O',
        exemptionReasonCode: 'VATEX-EU-AE',
      });
    });

    it('takes a reason or code given on some lines of an entry and left out on others', () => {
      const { breakdown } = compute({
        lines: [
          { quantity: '1', netPrice: '10.00', vat: { code: 'E', exemptionReason: ' Medical care ' } },
          { quantity: '1', netPrice: '5.00', vat: { code: 'E', exemptionReasonCode: 'VATEX-EU-132' } },
          { quantity: '1', netPrice: '2.00', vat: { code: 'E', exemptionReason: 'Medical care', exemptionReasonCode: 'VATEX-EU-132' } },
        ],
        charges: [{ amount: '3.00', reason: 'Freight', vat: { code: 'E', exemptionReason: 'Medical care' } }],
      });

      expect(entries(breakdown)).toEqual([['E:0', '20.00', '0.00']]);
      expect(breakdown[0]?.category).toEqual({ code: 'E', rate: expect.anything(), exemptionReason: 'Medical care', exemptionReasonCode: 'VATEX-EU-132' });
    });

    it('lets each category and rate have its own reason', () => {
      const { breakdown } = compute({
        lines: [
          { quantity: '1', netPrice: '10.00', vat: { code: 'E', exemptionReason: 'Medical care' } },
          { quantity: '1', netPrice: '5.00', vat: { code: 'O', exemptionReason: 'Not subject to VAT' } },
          { quantity: '1', netPrice: '5.00', vat: { code: 'G', exemptionReason: 'Export' } },
        ],
      });

      expect(breakdown.map((entry) => entry.category.exemptionReason)).toEqual(['Medical care', 'Not subject to VAT', 'Export']);
    });

    it('charges no tax and has no rate for category O', () => {
      // 2500.00 + 700.00 = 3200.00, not subject to VAT (ubl-tc434-example7.xml)
      const O = { code: 'O', exemptionReason: 'Tax' };
      const { breakdown, totals } = compute({
        currency: 'SEK',
        lines: [
          { quantity: '1', netPrice: '2500.00', vat: O },
          { quantity: '1', netPrice: '700.00', vat: O },
        ],
      });

      expect(entries(breakdown)).toEqual([['O:-', '3200.00', '0.00']]);
      expect(breakdown[0]?.category.rate).toBeNull();
      expect(totals.taxInclusive.toString()).toBe('3200.00');
    });
  });

  describe('computeTotals and vatBreakdown (properties)', () => {
    /** A reference decimal.js with room for every exact product; independent of the domain's Decimal. */
    const Exact = DecimalJs.clone({ precision: 200 });
    const halfUp = (value: DecimalJs) => value.toDecimalPlaces(2, DecimalJs.ROUND_HALF_UP);
    /** EUR text of an exact value that already has at most 2 decimals. */
    const eur = (value: DecimalJs) => (value.isZero() ? '0.00' : value.toFixed(2));
    const sum = (values: readonly DecimalJs[]) => values.reduce((total, value) => total.plus(value), new Exact(0));

    /** `digits` × 10^−scale as a plain decimal string, e.g. (−1234n, 3) → "-1.234". */
    const decimalText = (digits: bigint, scale: number): string => {
      const sign = digits < 0n ? '-' : '';
      const padded = (digits < 0n ? -digits : digits).toString().padStart(scale + 1, '0');
      const cut = padded.length - scale;
      return scale === 0 ? `${sign}${padded}` : `${sign}${padded.slice(0, cut)}.${padded.slice(cut)}`;
    };
    const decimalString = (min: bigint, max: bigint, maxScale: number) =>
      fc.tuple(fc.bigInt({ min, max }), fc.integer({ min: 0, max: maxScale })).map(([digits, scale]) => decimalText(digits, scale));
    const eurString = (min: bigint, max: bigint) => fc.bigInt({ min, max }).map((cents) => decimalText(cents, 2));

    const categories: readonly VatCategoryInput[] = [
      { code: 'S', rate: '20' },
      { code: 'S', rate: '20.00' },
      { code: 'S', rate: '5.5' },
      { code: 'S', rate: '7.7' },
      { code: 'S', rate: '19' },
      { code: 'Z' },
      { code: 'E', exemptionReason: 'Exempt' },
      { code: 'AE', exemptionReasonCode: 'VATEX-EU-AE' },
      { code: 'O', exemptionReason: 'Not subject to VAT' },
      { code: 'L', rate: '6.5' },
    ];
    const anyCategory = fc.constantFrom(...categories);
    const anyAllowanceCharge: fc.Arbitrary<AllowanceChargeInput> = fc.oneof(
      eurString(0n, 50_000n).map((amount) => ({ amount, reason: 'Fixed' })),
      // 0.00 % to 100.00 %
      eurString(0n, 10_000n).map((percent) => ({ percent, reason: 'Percent of the line' })),
    );
    const anyLine: fc.Arbitrary<LineSpec> = fc.record(
      {
        // Large but within Money's bound (10^13 EUR) for 8 lines with 200 % of charges and VAT: 10^5 × 10^6 / 0.5 × 3 × 8 × 1.25.
        // up to ±100 000 (fewer when it has decimals, up to 3); negative quantities are returns
        quantity: decimalString(-100_000n, 100_000n, 3),
        // up to 1 000 000 (fewer when it has decimals, up to 4)
        netPrice: decimalString(0n, 1_000_000n, 4),
        priceBaseQuantity: fc.constantFrom('1', '2', '3', '12', '0.5', '100'),
        vat: anyCategory,
        allowances: fc.array(anyAllowanceCharge, { maxLength: 2 }),
        charges: fc.array(anyAllowanceCharge, { maxLength: 2 }),
      },
      { requiredKeys: ['quantity', 'netPrice', 'vat'] },
    );
    const anyDocumentAllowanceCharge: fc.Arbitrary<DocumentAllowanceChargeInput> = fc.record({
      amount: eurString(0n, 100_000n),
      reason: fc.constant('Document level'),
      vat: anyCategory,
    });
    const anyDocument = fc.record({
      lines: fc.array(anyLine, { maxLength: 8 }),
      allowances: fc.array(anyDocumentAllowanceCharge, { maxLength: 3 }),
      charges: fc.array(anyDocumentAllowanceCharge, { maxLength: 3 }),
      prepaid: eurString(0n, 100_000n),
      rounding: eurString(-99n, 99n),
    });

    /** BT-131 worked out from the input strings alone. */
    const expectedLineNet = (line: LineSpec): DecimalJs => {
      const gross = halfUp(new Exact(String(line.quantity)).times(String(line.netPrice)).dividedBy(String(line.priceBaseQuantity ?? '1')));
      const amountOf = (item: AllowanceChargeInput) => (item.amount !== undefined ? new Exact(item.amount) : halfUp(gross.times(String(item.percent)).dividedBy(100)));
      return gross.plus(sum((line.charges ?? []).map(amountOf))).minus(sum((line.allowances ?? []).map(amountOf)));
    };
    const keyOf = (code: string, rate: string | null) => `${code}:${rate === null ? '-' : new Exact(rate).toString()}`;
    const rateOf = (category: VatCategoryInput): string | null => (category.code === 'O' ? null : category.rate === undefined || category.rate === null ? '0' : String(category.rate));

    it('keeps every BR-CO rule and rounds each breakdown entry once, for any lines, allowances and charges', () => {
      fc.assert(
        fc.property(anyDocument, (document) => {
          const { breakdown, totals } = compute(document);
          const lines = document.lines.map((line, index) => invoiceLine({ name: 'Item', unitCode: 'C62', ...line }, 'EUR', index));

          // BT-131 of each line, from the input alone
          const lineNets = document.lines.map(expectedLineNet);
          expect(lines.map((line) => line.netAmount.toString())).toEqual(lineNets.map(eur));

          // BR-CO-10 … BR-CO-16
          const allowanceTotal = sum(document.allowances.map((item) => new Exact(item.amount as string)));
          const chargeTotal = sum(document.charges.map((item) => new Exact(item.amount as string)));
          const lineTotal = sum(lineNets);
          const taxExclusive = lineTotal.minus(allowanceTotal).plus(chargeTotal);
          expect(totals.lineTotal.toString()).toBe(eur(lineTotal));
          expect(totals.lineTotal.equals(Money.sum('EUR', lines.map((line) => line.netAmount)))).toBe(true);
          expect(totals.allowanceTotal.toString()).toBe(eur(allowanceTotal));
          expect(totals.chargeTotal.toString()).toBe(eur(chargeTotal));
          expect(totals.taxExclusive.toString()).toBe(eur(taxExclusive));
          expect(totals.taxTotal.equals(Money.sum('EUR', breakdown.map((entry) => entry.taxAmount)))).toBe(true);
          expect(totals.taxInclusive.equals(totals.taxExclusive.add(totals.taxTotal))).toBe(true);
          expect(totals.amountDue.toString()).toBe(eur(new Exact(totals.taxInclusive.toString()).minus(document.prepaid).plus(document.rounding)));
          expect(Money.sum('EUR', breakdown.map((entry) => entry.taxableAmount)).toString()).toBe(eur(taxExclusive));

          // One entry per category and rate, each taxed once: round-half-up(taxable × rate ÷ 100)
          const groups = new Map<string, { rate: string | null; taxable: DecimalJs }>();
          const add = (category: VatCategoryInput, amount: DecimalJs) => {
            const key = keyOf(category.code, rateOf(category));
            const group = groups.get(key) ?? { rate: rateOf(category), taxable: new Exact(0) };
            groups.set(key, { ...group, taxable: group.taxable.plus(amount) });
          };
          document.lines.forEach((line, index) => add(line.vat, lineNets[index] as DecimalJs));
          document.allowances.forEach((item) => add(item.vat, new Exact(item.amount as string).negated()));
          document.charges.forEach((item) => add(item.vat, new Exact(item.amount as string)));
          const expected = [...groups.entries()].map(([key, { rate, taxable }]) => [
            key,
            eur(taxable),
            eur(rate === null ? new Exact(0) : halfUp(taxable.times(rate).dividedBy(100))),
          ]);
          const actual = breakdown.map((entry) => [
            keyOf(entry.category.code, entry.category.rate === null ? null : entry.category.rate.toString()),
            entry.taxableAmount.toString(),
            entry.taxAmount.toString(),
          ]);
          expect(actual).toEqual(expected);
          expect(totals.taxTotal.toString()).toBe(eur(sum(expected.map(([, , tax]) => new Exact(tax as string)))));
        }),
        { numRuns: 150 },
      );
    });
  });

  describe('withClosingVat', () => {
    it('states the VAT a credit note closes a category with in place of the computed one, and closingVatOf reads it back', () => {
      const { breakdown } = compute({ lines: [{ quantity: '1', netPrice: '0.10', vat: { code: 'S', rate: '15' } }, { quantity: '1', netPrice: '2.00', vat: S20 }] });
      expect(breakdown.map((entry) => entry.taxAmount.toString())).toEqual(['0.02', '0.40']);

      const closed = withClosingVat(breakdown, [{ code: 'S', rate: '15.0', taxAmount: '0.01' }]);

      expect(closed.map((entry) => entry.taxAmount.toString())).toEqual(['0.01', '0.40']);
      expect(closingVatOf(closed)).toEqual([{ code: 'S', rate: '15', taxAmount: '0.01' }]);
      expect(closingVatOf(breakdown)).toEqual([]);
      expect(computeTotals({ currency: 'EUR', lines: [], allowances: [], charges: [], prepaid: Money.zero('EUR'), rounding: Money.zero('EUR') }, closed).taxTotal.toString()).toBe('0.41');
    });

    it('refuses a closing VAT amount for a category the document does not have', () => {
      const { breakdown } = compute({ lines: [{ quantity: '1', netPrice: '2.00', vat: S20 }] });

      expect(() => withClosingVat(breakdown, [{ code: 'S', rate: '10', taxAmount: '0.01' }])).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'closingVat.0', code: 'request.is_in' })] }));
      expect(() => withClosingVat(breakdown, [{ code: 'S', rate: '20', taxAmount: '0.001' }])).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'closingVat.0.taxAmount' })] }));
    });
  });
});
