import { describe, expect, it } from '@jest/globals';
import { Decimal, Money, ValidationError, type CurrencyCode } from '@invoicing/core';
import { allowanceCharge, documentAllowanceCharge, invoiceLine, invoiceLineToInput, unitCode, type InvoiceLineInput } from './invoice-line';

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

/** Path and code of every issue: what a caller matches on (never the message). */
const issuesOf = (fn: () => unknown) => caught(fn).issues.map(({ path, code }) => ({ path, code }));

const S20 = { code: 'S', rate: '20' } as const;

/** A valid line; each test overrides what it is about. */
const line = (overrides: Partial<InvoiceLineInput> = {}, currency: CurrencyCode = 'EUR', position = 0) =>
  invoiceLine({ name: 'Consulting', quantity: '1', unitCode: 'HUR', netPrice: '100.00', vat: S20, ...overrides }, currency, position);

const netOf = (overrides: Partial<InvoiceLineInput>, currency: CurrencyCode = 'EUR') => line(overrides, currency).netAmount.toString();

describe('InvoiceLine', () => {
  describe('invoiceLine', () => {
    describe('net amount (BT-131)', () => {
      it.each([
        // quantity × net price, nothing to round
        ['3', '19.99', '59.97'],
        ['2.5', '80.00', '200.00'],
        // 1 × 0.125 = 0.125: a tie, rounded half-up to 0.13
        ['1', '0.125', '0.13'],
        // 3 × 0.015 = 0.045: a tie, rounded half-up to 0.05
        ['3', '0.015', '0.05'],
        // 3 × 0.3333 = 0.9999 → 1.00
        ['3', '0.3333', '1.00'],
        // 100.000 × 0.1212 = 12.12 (sample-discount-price.xml)
        ['100.000', '0.1212', '12.12'],
        // 16000 × 0.00880 = 140.80 (ubl-tc434-example8.xml, line 1)
        ['16000', '0.00880', '140.80'],
        // 1 × 0.124999 = 0.124999 → 0.12: below the tie
        ['1', '0.124999', '0.12'],
      ])('is %s × %s = %s EUR when the price has no base quantity', (quantity, netPrice, expected) => {
        expect(netOf({ quantity, netPrice })).toBe(expected);
      });

      it.each([
        // 132 × 15.24 ÷ 12 = 2011.68 ÷ 12 = 167.64 (ubl-tc434-example8.xml, line 3)
        ['132', '15.24', '12', '167.64'],
        // 1 × 441.00 ÷ 12 = 36.75 (ubl-tc434-example8.xml, line 5)
        ['1', '441.00', '12', '36.75'],
        // 1 × 10 ÷ 3 = 3.333… → 3.33
        ['1', '10', '3', '3.33'],
        // 2 × 10 ÷ 3 = 6.666… → 6.67
        ['2', '10', '3', '6.67'],
        // 250 × 12.50 ÷ 1000 = 3.125 → 3.13 (price per thousand, a tie)
        ['250', '12.50', '1000', '3.13'],
        // 3 × 1.50 ÷ 0.5 = 9.00 (a price per half unit)
        ['3', '1.50', '0.5', '9.00'],
      ])('is %s × %s ÷ %s = %s EUR with a price base quantity (BT-149)', (quantity, netPrice, priceBaseQuantity, expected) => {
        expect(netOf({ quantity, netPrice, priceBaseQuantity })).toBe(expected);
      });

      it.each([
        // −1 × 0.125 = −0.125 → −0.13: half-up rounds a tie away from zero
        ['-1', '0.125', '-0.13'],
        // −6 × 18.33 = −109.98: a return
        ['-6', '18.33', '-109.98'],
        // −1 × 625743.54 = −625743.54 (BIS3_Invoice_negativ.XML)
        ['-1', '625743.54', '-625743.54'],
      ])('is negative for the negative quantity %s × %s = %s EUR (returns are allowed)', (quantity, netPrice, expected) => {
        const parsed = line({ quantity, netPrice });

        expect(parsed.netAmount.toString()).toBe(expected);
        expect(parsed.quantity.toString()).toBe(quantity);
      });

      it.each([
        // JPY has no decimals: 3 × 333.5 = 1000.5 → 1001
        ['JPY', '3', '333.5', '1001'],
        // 1 × 0.4 = 0.4 → 0
        ['JPY', '1', '0.4', '0'],
        // 7 × 1500 = 10500
        ['JPY', '7', '1500', '10500'],
        // BHD has 3 decimals: 1 × 1.0005 = 1.0005 → 1.001
        ['BHD', '1', '1.0005', '1.001'],
        // 3 × 0.3333 = 0.9999 → 1.000
        ['BHD', '3', '0.3333', '1.000'],
        // EUR has 2: 1 × 1.0005 = 1.0005 → 1.00
        ['EUR', '1', '1.0005', '1.00'],
      ] as const)('rounds half-up to the decimals of %s: %s × %s = %s', (currency, quantity, netPrice, expected) => {
        const parsed = line({ quantity, netPrice }, currency);

        expect(parsed.netAmount.currency).toBe(currency);
        expect(parsed.netAmount.toString()).toBe(expected);
      });

      it('rounds once, on the exact quotient, when the price base quantity does not divide the product', () => {
        // 0.0149999999 ÷ 3 = 0.00499999996… is just below the tie: 0.00; 0.0150000001 ÷ 3 just above it: 0.01.
        expect(netOf({ quantity: '1', netPrice: '0.0149999999', priceBaseQuantity: '3' })).toBe('0.00');
        expect(netOf({ quantity: '1', netPrice: '0.0150000001', priceBaseQuantity: '3' })).toBe('0.01');
        // 0.015 ÷ 3 = 0.005 exactly: a tie, half up.
        expect(netOf({ quantity: '1', netPrice: '0.015', priceBaseQuantity: '3' })).toBe('0.01');
      });

      it('is exact for the largest quantity, price and base quantity, and their most decimals', () => {
        // 999 999 999.999999 × 0.0000000001 = 0.0999999999999999 → 0.10
        expect(netOf({ quantity: '999999999.999999', netPrice: '0.0000000001' })).toBe('0.10');
        // 1 × 1 000 000 000 000 ÷ 1 000 000 000 = 1000.00; 1 × 1 000 000 000 000 ÷ 0.000001 would leave the range of Money.
        expect(netOf({ quantity: '1', netPrice: '1000000000000', priceBaseQuantity: '1000000000' })).toBe('1000.00');
        // −10^9 × 9999.99 = −9 999 990 000 000.00, just inside the range of Money.
        expect(netOf({ quantity: '-1000000000', netPrice: '9999.99' })).toBe('-9999990000000.00');
      });

      it('adds charges and subtracts allowances given as amounts', () => {
        // 10 × 12.50 = 125.00; + 5.00 + 2.50 − 12.50 = 120.00
        const parsed = line({
          quantity: '10',
          netPrice: '12.50',
          charges: [
            { amount: '5.00', reason: 'Packaging' },
            { amount: '2.50', reasonCode: 'ABL' },
          ],
          allowances: [{ amount: '12.50', reason: 'Loyal customer', reasonCode: '95' }],
        });

        expect(parsed.netAmount.toString()).toBe('120.00');
        expect(parsed.charges.map((charge) => charge.amount.toString())).toEqual(['5.00', '2.50']);
        expect(parsed.allowances[0]).toMatchObject({ reason: 'Loyal customer', reasonCode: '95' });
      });

      it('applies a percent allowance to the line gross amount when no base amount is given', () => {
        // gross 3 × 33.33 = 99.99; 10 % of it = 9.999 → 10.00; net 99.99 − 10.00 = 89.99
        const parsed = line({ quantity: '3', netPrice: '33.33', allowances: [{ percent: '10', reason: 'Volume discount' }] });

        expect(parsed.allowances[0]?.amount.toString()).toBe('10.00');
        expect(parsed.allowances[0]?.percent?.toString()).toBe('10');
        expect(parsed.allowances[0]).not.toHaveProperty('baseAmount');
        expect(parsed.netAmount.toString()).toBe('89.99');
      });

      it('applies a percent to its own base amount when one is given', () => {
        // gross 99.99; allowance 10 % of 50.00 = 5.00; charge 2.5 % of 99.99 = 2.49975 → 2.50; net 99.99 − 5.00 + 2.50 = 97.49
        const parsed = line({
          quantity: '3',
          netPrice: '33.33',
          allowances: [{ percent: '10', baseAmount: '50.00', reason: 'Partial discount' }],
          charges: [{ percent: '2.5', reason: 'Handling' }],
        });

        expect(parsed.allowances[0]?.amount.toString()).toBe('5.00');
        expect(parsed.allowances[0]?.baseAmount?.toString()).toBe('50.00');
        expect(parsed.charges[0]?.amount.toString()).toBe('2.50');
        expect(parsed.netAmount.toString()).toBe('97.49');
      });

      it('takes the gross amount after the price base quantity as the base of a percent', () => {
        // gross 1 × 441.00 ÷ 12 = 36.75; 10 % = 3.675 → 3.68; net 36.75 − 3.68 = 33.07
        const parsed = line({ quantity: '1', netPrice: '441.00', priceBaseQuantity: '12', allowances: [{ percent: '10', reason: 'Discount' }] });

        expect(parsed.allowances[0]?.amount.toString()).toBe('3.68');
        expect(parsed.netAmount.toString()).toBe('33.07');
      });

      it('gives the same amounts as ubl-tc434-example5.xml line 1 (10 % allowance and 10 % charge of 1000.00)', () => {
        // 1000 × 1.00 ÷ 1 = 1000.00; − 10 % of 1000.00 + 10 % of 1000.00 = 1000.00
        const parsed = line(
          {
            quantity: '1000',
            unitCode: 'EA',
            netPrice: '1.00',
            priceBaseQuantity: '1',
            allowances: [{ percent: '10', baseAmount: '1000.00', reason: 'Loyal customer', reasonCode: '100' }],
            charges: [{ percent: '10', baseAmount: '1000.00', reason: 'Packaging', reasonCode: 'ABL' }],
            vat: { code: 'S', rate: '25' },
          },
          'DKK',
        );

        expect(parsed.allowances[0]?.amount.toString()).toBe('100.00');
        expect(parsed.charges[0]?.amount.toString()).toBe('100.00');
        expect(parsed.netAmount.toString()).toBe('1000.00');
      });

      it('can be negative when allowances exceed the gross amount', () => {
        // 1 × 10.00 − 15.00 = −5.00
        expect(netOf({ quantity: '1', netPrice: '10.00', allowances: [{ amount: '15.00', reason: 'Credit for late delivery' }] })).toBe('-5.00');
      });

      it('applies a percent of a negative gross amount with its sign, so a discounted return stays a smaller return', () => {
        // gross −2 × 50.00 = −100.00; 10 % = −10.00; net −100.00 − (−10.00) = −90.00
        const parsed = line({ quantity: '-2', netPrice: '50.00', allowances: [{ percent: '10', reason: 'Discount' }] });

        expect(parsed.allowances[0]?.amount.toString()).toBe('-10.00');
        expect(parsed.netAmount.toString()).toBe('-90.00');
      });

      it.each(['0', '0.00', '-0'])('keeps a line at the free price %s at zero', (netPrice) => {
        expect(netOf({ quantity: '5', netPrice })).toBe('0.00');
      });
    });

    describe('bounds', () => {
      it.each(['1000000000', '-1000000000', '0.000001', '1.5000000'])('takes the quantity %j', (quantity) => {
        expect(line({ quantity, netPrice: '1.00' }).quantity.equals(quantity)).toBe(true);
      });

      it.each(['1000000000.000001', '-1000000001', '0.0000001', '99999999999999999999999999'])('throws line.quantity_out_of_range for the quantity %j', (quantity) => {
        expect(issuesOf(() => line({ quantity }))).toEqual([{ path: 'quantity', code: 'line.quantity_out_of_range' }]);
      });

      it.each(['1000000000000', '0.0000000001', '12.5000000000000'])('takes the net price %j', (netPrice) => {
        expect(line({ netPrice }).netPrice.equals(netPrice)).toBe(true);
      });

      it.each(['1000000000000.01', '0.00000000001', '99999999999999999999.99'])('throws line.price_out_of_range for the net price %j', (netPrice) => {
        expect(issuesOf(() => line({ netPrice }))).toEqual([{ path: 'netPrice', code: 'line.price_out_of_range' }]);
      });

      it.each(['1000000001', '0.0000001', '0'])('throws line.invalid_base_quantity for the price base quantity %j', (priceBaseQuantity) => {
        expect(issuesOf(() => line({ priceBaseQuantity }))).toEqual([{ path: 'priceBaseQuantity', code: 'line.invalid_base_quantity' }]);
      });

      it('throws decimal.out_of_range for a quantity or price of 400 digits, before any arithmetic', () => {
        const huge = '9'.repeat(400);

        expect(issuesOf(() => line({ quantity: huge, netPrice: huge }))).toEqual([
          { path: 'quantity', code: 'decimal.out_of_range' },
          { path: 'netPrice', code: 'decimal.out_of_range' },
        ]);
      });

      it('throws money.out_of_range under the line when quantity × price is beyond the range of Money, with the other issues', () => {
        // 10^9 × 10^12 EUR: both in bounds, but 10^21 EUR is far beyond 9 999 999 999 999.99.
        expect(issuesOf(() => line({ quantity: '1000000000', netPrice: '1000000000000', unitCode: 'x' }))).toEqual([
          { path: 'unitCode', code: 'unit_code.malformed' },
          { path: '', code: 'money.out_of_range' },
        ]);
        // 1000 × 10 000 000 000.00 = 10^13 EUR, one cent beyond the largest amount.
        expect(issuesOf(() => line({ quantity: '1000', netPrice: '10000000000' }))).toEqual([{ path: '', code: 'money.out_of_range' }]);
        expect(netOf({ quantity: '1000', netPrice: '9999999999.99' })).toBe('9999999999990.00');
      });

      it('throws money.out_of_range when charges take the net amount beyond the range, and for a percent beyond it', () => {
        const nearLimit = { quantity: '1000', netPrice: '9999999999.99' };

        expect(issuesOf(() => line({ ...nearLimit, charges: [{ amount: '10.00', reason: 'Fee' }] }))).toEqual([{ path: '', code: 'money.out_of_range' }]);
        expect(issuesOf(() => line({ ...nearLimit, charges: [{ percent: '200', reason: 'Fee' }] }))).toEqual([{ path: 'charges.0.amount', code: 'money.out_of_range' }]);
      });
    });

    describe('parsed content', () => {
      it('numbers the line after its position and defaults the price base quantity to 1 when they are not given', () => {
        const parsed = line({}, 'EUR', 2);

        expect(parsed.id).toBe('3');
        expect(parsed.priceBaseQuantity.toString()).toBe('1');
        expect(parsed.allowances).toEqual([]);
        expect(parsed.charges).toEqual([]);
      });

      it('keeps the given id, texts trimmed, unit code, decimals and VAT category', () => {
        const parsed = line({
          id: ' A-7 ',
          name: '  Laptop  ',
          description: 'Scratch on box',
          sellerItemId: 'JB007',
          quantity: '2',
          unitCode: 'C62',
          netPrice: '1273.00',
          priceBaseQuantity: '1',
          vat: { code: 'S', rate: '25' },
        });

        expect(parsed).toMatchObject({ id: 'A-7', name: 'Laptop', description: 'Scratch on box', sellerItemId: 'JB007', unitCode: 'C62' });
        expect(parsed.netPrice.toString()).toBe('1273');
        expect(parsed.vat.code).toBe('S');
        expect(parsed.vat.rate?.toString()).toBe('25');
        expect(parsed.netAmount.equals(Money.of('2546.00', 'EUR'))).toBe(true);
      });
    });

    describe('period (BG-26)', () => {
      it('keeps the days the line is for, both included', () => {
        expect(line({ period: { start: '2026-03-01', end: '2026-03-31' } }).period).toEqual({ start: '2026-03-01', end: '2026-03-31' });
        expect(line({ period: { start: '2026-03-01' } }).period).toEqual({ start: '2026-03-01' });
        expect(line()).not.toHaveProperty('period');
      });

      it.each([
        ['no date (BR-CO-20)', {}, [{ path: 'period', code: 'invoice.invalid_period' }]],
        ['an end before its start (BR-30)', { start: '2026-03-31', end: '2026-03-30' }, [{ path: 'period.end', code: 'invoice.invalid_period' }]],
        ['dates that are not days', { start: '2026-02-29', end: 'March' }, [{ path: 'period.start', code: 'date.malformed' }, { path: 'period.end', code: 'date.malformed' }]],
      ])('refuses a period with %s, under the period path', (_case, period, issues) => {
        expect(issuesOf(() => line({ period }))).toEqual(issues);
      });
    });

    describe('validation', () => {
      it('refuses a negative net price (BR-27)', () => {
        expect(issuesOf(() => line({ netPrice: '-0.01' }))).toEqual([{ path: 'netPrice', code: 'line.negative_price' }]);
      });

      it.each(['0', '-1', '0.000'])('refuses the price base quantity %s, which is not above 0', (priceBaseQuantity) => {
        expect(issuesOf(() => line({ priceBaseQuantity }))).toEqual([{ path: 'priceBaseQuantity', code: 'line.invalid_base_quantity' }]);
      });

      it.each(['c62', 'C', 'ABCD', 'C-6', '', 'h 87'])('refuses the malformed unit code %j', (code) => {
        expect(issuesOf(() => line({ unitCode: code }))).toEqual([{ path: 'unitCode', code: 'unit_code.malformed' }]);
      });

      it.each([
        ['quantity', { quantity: '1e3' }],
        ['quantity', { quantity: '1,5' }],
        ['netPrice', { netPrice: '12,50' }],
        ['netPrice', { netPrice: 12.5 }],
        ['priceBaseQuantity', { priceBaseQuantity: '1E2' }],
      ] as const)('refuses a malformed decimal in %s', (path, overrides) => {
        expect(issuesOf(() => line(overrides))).toEqual([{ path, code: 'decimal.malformed' }]);
      });

      it('refuses a blank name', () => {
        expect(issuesOf(() => line({ name: '  ' }))).toEqual([{ path: 'name', code: 'text.required' }]);
      });

      it('refuses an allowance without a reason or reason code (BR-41, BR-42)', () => {
        expect(issuesOf(() => line({ allowances: [{ amount: '1.00' }] }))).toEqual([{ path: 'allowances.0.reason', code: 'allowance_charge.reason_required' }]);
      });

      it('refuses a charge with neither an amount nor a percent', () => {
        expect(issuesOf(() => line({ charges: [{ amount: '1.00', reason: 'Fee' }, { reason: 'Fee' }] }))).toEqual([
          { path: 'charges.1.amount', code: 'allowance_charge.amount_or_percent' },
        ]);
      });

      it('refuses a line allowance reason code outside UNTDID 5189 and a line charge reason code outside UNTDID 7161 (BR-CL-19, BR-CL-20; audit D3)', () => {
        // Issued, each made an invoice whose e-invoice was refused for ever: 95 is an allowance code, FC a charge code.
        expect(issuesOf(() => line({ allowances: [{ amount: '1.00', reasonCode: 'ZZ' }, { amount: '1.00', reasonCode: 'FC' }], charges: [{ amount: '1.00', reasonCode: '95' }] }))).toEqual([
          { path: 'allowances.0.reasonCode', code: 'allowance_charge.unknown_reason_code' },
          { path: 'allowances.1.reasonCode', code: 'allowance_charge.unknown_reason_code' },
          { path: 'charges.0.reasonCode', code: 'allowance_charge.unknown_reason_code' },
        ]);
        expect(line({ allowances: [{ amount: '1.00', reasonCode: '95' }], charges: [{ amount: '1.00', reasonCode: 'FC' }] }).netAmount.toString()).toBe('100.00');
      });

      it('refuses a VAT exemption reason code outside the CEF VATEX list (BR-CL-22; audit D3), and takes a listed one in any case, as the rule does', () => {
        expect(issuesOf(() => line({ vat: { code: 'E', exemptionReasonCode: 'VATEX-FAKE' } }))).toEqual([{ path: 'vat.exemptionReasonCode', code: 'vat.unknown_exemption_code' }]);
        expect(issuesOf(() => line({ vat: { code: 'E', exemptionReason: 'Exempt', exemptionReasonCode: 'VATEX-EU-132 1A' } }))).toEqual([{ path: 'vat.exemptionReasonCode', code: 'vat.unknown_exemption_code' }]);
        expect(line({ vat: { code: 'K', exemptionReasonCode: 'vatex-eu-ic' } }).vat.exemptionReasonCode).toBe('vatex-eu-ic');
      });

      it('refuses an invalid VAT category under the vat path', () => {
        expect(issuesOf(() => line({ vat: { code: 'E' } }))).toEqual([{ path: 'vat.exemptionReason', code: 'vat.exemption_reason_required' }]);
      });

      it('reports every bad field at once, with its path', () => {
        const error = caught(() =>
          line({
            name: '',
            quantity: '1e3',
            unitCode: 'hour',
            netPrice: '-5',
            priceBaseQuantity: '0',
            vat: { code: 'S' },
            allowances: [{ amount: '1.00', reason: 'ok' }, { amount: '2.00' }],
            charges: [{ reason: 'Fee' }, { amount: '1.234', reason: 'Fee' }],
          }),
        );

        expect(error.code).toBe('validation.failed');
        const found = error.issues.map(({ path, code }) => ({ path, code }));
        expect(found).toHaveLength(9);
        expect(found).toEqual(
          expect.arrayContaining([
            { path: 'name', code: 'text.required' },
            { path: 'quantity', code: 'decimal.malformed' },
            { path: 'unitCode', code: 'unit_code.malformed' },
            { path: 'netPrice', code: 'line.negative_price' },
            { path: 'priceBaseQuantity', code: 'line.invalid_base_quantity' },
            { path: 'vat.rate', code: 'vat.rate_required' },
            { path: 'allowances.1.reason', code: 'allowance_charge.reason_required' },
            { path: 'charges.0.amount', code: 'allowance_charge.amount_or_percent' },
            { path: 'charges.1.amount', code: 'money.precision_exceeded' },
          ]),
        );
      });
    });
  });

  describe('invoiceLineToInput', () => {
    it.each<[string, Partial<InvoiceLineInput>]>([
      ['a return with a percent allowance and charge', { quantity: '-2', netPrice: '10.00', allowances: [{ percent: '10', reason: 'Discount' }], charges: [{ percent: '5', reason: 'Packing' }] }],
      ['a percent with its own base and a percent rounded down by the caller', { quantity: '3', netPrice: '11.00', allowances: [{ percent: '7.5', baseAmount: '20.00', reason: 'Loyalty' }, { amount: '2.47', percent: '7.5', reason: 'Discount' }] }],
      ['a fixed allowance on a return', { quantity: '-1', netPrice: '10.00', allowances: [{ amount: '1.00', reasonCode: '95' }] }],
      ['a line period (BG-26)', { period: { start: '2026-03-01', end: '2026-03-31' } }],
      ['a line period with an end only', { period: { end: '2026-03-31' } }],
    ])('gives the input that parses back to the same line: %s', (_, overrides) => {
      // A full credit note copies the invoice's lines this way.
      const parsed = line(overrides);

      expect(invoiceLine(invoiceLineToInput(parsed), 'EUR', 0)).toEqual(parsed);
    });

    it('drops from the copy a code outside its list that a line stored before codes were checked carries, keeping it as the reason when there is none (audit D3)', () => {
      // Stored as issued then: a full credit note copies the line, and would otherwise be refused.
      const stored = {
        ...line(),
        allowances: [{ amount: Money.of('1.00', 'EUR'), reasonCode: 'ZZ' }],
        charges: [{ amount: Money.of('2.00', 'EUR'), reason: 'Discount given back', reasonCode: '95' }],
        vat: { code: 'E' as const, rate: new Decimal(0), exemptionReasonCode: 'VATEX-FAKE' },
      };
      const copied = invoiceLineToInput(stored);

      expect([copied.allowances, copied.charges, copied.vat]).toEqual([
        [{ amount: '1.00', reason: 'ZZ' }],
        [{ amount: '2.00', reason: 'Discount given back' }],
        { code: 'E', rate: '0', exemptionReason: 'VATEX-FAKE' },
      ]);
    });

    it('keeps a discounted return at its net amount: −2 × 10.00 less 10 % is −18.00, the allowance −2.00', () => {
      const parsed = line({ quantity: '-2', netPrice: '10.00', allowances: [{ percent: '10', reason: 'Discount' }] });
      const again = invoiceLine(invoiceLineToInput(parsed), 'EUR', 0);

      expect([again.netAmount.toString(), again.allowances[0]?.amount.toString(), again.allowances[0]?.percent?.toString()]).toEqual(['-18.00', '-2.00', '10']);
    });
  });

  describe('allowanceCharge', () => {
    it('keeps a fixed amount in the currency, with its reason and code', () => {
      const parsed = allowanceCharge({ amount: '12.5', reason: ' Damage ', reasonCode: '65' }, 'EUR');

      expect(parsed.amount.toJSON()).toEqual({ amount: '12.50', currency: 'EUR' });
      expect(parsed).toMatchObject({ reason: 'Damage', reasonCode: '65' });
      expect(parsed).not.toHaveProperty('percent');
    });

    it('refuses a reason code of neither UNTDID 5189 nor 7161 when it is not told which it is (audit D3)', () => {
      expect(issuesOf(() => allowanceCharge({ amount: '1.00', reasonCode: 'ZZ' }, 'EUR'))).toEqual([{ path: 'reasonCode', code: 'allowance_charge.unknown_reason_code' }]);
    });

    it('accepts a reason code alone', () => {
      expect(allowanceCharge({ amount: '1.00', reasonCode: 'FC' }, 'EUR')).not.toHaveProperty('reason');
    });

    it('computes a percent of the default base, rounded half-up to the currency', () => {
      // 7.5 % of 33.00 = 2.475 → 2.48
      expect(allowanceCharge({ percent: '7.5', reason: 'Discount' }, 'EUR', Money.of('33.00', 'EUR')).amount.toString()).toBe('2.48');
      // 7.5 % of 1005 JPY = 75.375 → 75
      expect(allowanceCharge({ percent: '7.5', reason: 'Discount' }, 'JPY', Money.of('1005', 'JPY')).amount.toString()).toBe('75');
    });

    it('prefers its own base amount over the default base', () => {
      // 10 % of 80.00 = 8.00 (not 10 % of 1000.00)
      expect(allowanceCharge({ percent: '10', baseAmount: '80.00', reason: 'Discount' }, 'EUR', Money.of('1000.00', 'EUR')).amount.toString()).toBe('8.00');
    });

    it('refuses a percent without any base', () => {
      expect(issuesOf(() => allowanceCharge({ percent: '10', reason: 'Discount' }, 'EUR'))).toEqual([{ path: 'amount', code: 'allowance_charge.base_required' }]);
    });

    it('refuses a negative percent or base, which would turn an allowance into a charge', () => {
      expect(issuesOf(() => allowanceCharge({ percent: '-50', baseAmount: '100.00', reason: 'Discount' }, 'EUR'))).toEqual([{ path: 'percent', code: 'allowance_charge.negative' }]);
      expect(issuesOf(() => allowanceCharge({ percent: '50', baseAmount: '-100.00', reason: 'Discount' }, 'EUR'))).toEqual([{ path: 'baseAmount', code: 'allowance_charge.negative' }]);
      expect(allowanceCharge({ percent: '0', baseAmount: '100.00', reason: 'Discount' }, 'EUR').amount.toString()).toBe('0.00');
    });

    it('takes a negative base equal to the return line\'s own gross, as the platform exports it (BT-137), and no other', () => {
      // Audit C3: the export writes a return line's percent with the gross it was taken of, −20.00; the import refused it.
      const gross = Money.of('-20.00', 'EUR');
      const parsed = allowanceCharge({ percent: '10', baseAmount: '-20.00', reason: 'Discount' }, 'EUR', gross);
      expect([parsed.amount.toString(), parsed.baseAmount?.toString()]).toEqual(['-2.00', '-20.00']);
      expect(allowanceCharge({ amount: '-2.00', percent: '10', baseAmount: '-20.00', reason: 'Discount' }, 'EUR', gross).amount.toString()).toBe('-2.00');
      // Another negative base, or one without a line, would still turn an allowance into a charge.
      expect(issuesOf(() => allowanceCharge({ percent: '10', baseAmount: '-10.00', reason: 'Discount' }, 'EUR', gross))).toEqual([{ path: 'baseAmount', code: 'allowance_charge.negative' }]);
      expect(issuesOf(() => allowanceCharge({ percent: '10', baseAmount: '-20.00', reason: 'Discount' }, 'EUR'))).toEqual([{ path: 'baseAmount', code: 'allowance_charge.negative' }]);
      const line = invoiceLine({ name: 'Returned', quantity: '-2', unitCode: 'C62', netPrice: '10.00', vat: { code: 'S', rate: '20' }, charges: [{ percent: '5', baseAmount: '-20.00', reason: 'Restocking' }] }, 'EUR', 0);
      expect([line.charges[0]?.amount.toString(), line.netAmount.toString()]).toEqual(['-1.00', '-21.00']);
    });

    it('takes an amount stated with its percent and base only when it is that percent, rounded either way', () => {
      // 7.5 % of 33.00 = 2.475: 2.47 and 2.48 are both that percent rounded to cents; 2.46 and 3.00 are not.
      expect(allowanceCharge({ amount: '2.47', percent: '7.5', baseAmount: '33.00', reason: 'Discount' }, 'EUR').amount.toString()).toBe('2.47');
      expect(allowanceCharge({ amount: '2.48', percent: '7.5', reason: 'Discount' }, 'EUR', Money.of('33.00', 'EUR')).amount.toString()).toBe('2.48');
      expect(issuesOf(() => allowanceCharge({ amount: '2.46', percent: '7.5', baseAmount: '33.00', reason: 'Discount' }, 'EUR'))).toEqual([{ path: 'amount', code: 'allowance_charge.amount_mismatch' }]);
      expect(issuesOf(() => allowanceCharge({ amount: '3.00', percent: '7.5', reason: 'Discount' }, 'EUR', Money.of('33.00', 'EUR')))).toEqual([{ path: 'amount', code: 'allowance_charge.amount_mismatch' }]);
      // Without a base, the percent cannot be checked: the amount stands.
      expect(allowanceCharge({ amount: '3.00', percent: '7.5', reason: 'Discount' }, 'EUR').amount.toString()).toBe('3.00');
    });

    it('takes an amount stated with its percent on a return line when it is that percent of the negative gross, sign included', () => {
      // 10 % of −20.00 is −2.00; 7.5 % of −33.00 is −2.475: −2.47 and −2.48 are both that percent rounded to cents.
      const returned = (amount: string, percent: string, gross: string) => () => allowanceCharge({ amount, percent, reason: 'Discount' }, 'EUR', Money.of(gross, 'EUR'));

      expect(returned('-2.00', '10', '-20.00')().amount.toString()).toBe('-2.00');
      expect(returned('-2.47', '7.5', '-33.00')().amount.toString()).toBe('-2.47');
      expect(returned('-2.48', '7.5', '-33.00')().amount.toString()).toBe('-2.48');
      for (const amount of ['2.00', '-2.01', '-1.99']) expect(issuesOf(returned(amount, '10', '-20.00'))).toEqual([{ path: 'amount', code: 'allowance_charge.amount_mismatch' }]);
      expect(issuesOf(returned('-2.46', '7.5', '-33.00'))).toEqual([{ path: 'amount', code: 'allowance_charge.amount_mismatch' }]);
    });

    it('refuses a negative fixed amount', () => {
      expect(issuesOf(() => allowanceCharge({ amount: '-1.00', reason: 'Discount' }, 'EUR'))).toEqual([{ path: 'amount', code: 'allowance_charge.negative' }]);
    });

    it.each([
      ['amount', { amount: '1,00' }, 'money.malformed'],
      ['amount', { amount: '1e2' }, 'money.malformed'],
      ['amount', { amount: '1.001' }, 'money.precision_exceeded'],
      ['baseAmount', { percent: '10', baseAmount: '10,00' }, 'money.malformed'],
      ['percent', { percent: '10%' }, 'decimal.malformed'],
    ] as const)('reports a malformed %s under its own path', (path, input, code) => {
      expect(issuesOf(() => allowanceCharge({ ...input, reason: 'Discount' }, 'EUR', Money.of('100.00', 'EUR')))).toEqual([{ path, code }]);
    });

    it('refuses decimals a currency does not have', () => {
      expect(issuesOf(() => allowanceCharge({ amount: '1.5', reason: 'Discount' }, 'JPY'))).toEqual([{ path: 'amount', code: 'money.precision_exceeded' }]);
    });

    it('reports a missing reason and a missing amount together', () => {
      expect(issuesOf(() => allowanceCharge({}, 'EUR'))).toEqual(
        expect.arrayContaining([
          { path: 'reason', code: 'allowance_charge.reason_required' },
          { path: 'amount', code: 'allowance_charge.amount_or_percent' },
        ]),
      );
    });
  });

  describe('documentAllowanceCharge', () => {
    it('parses a document-level allowance with its VAT category (BG-20)', () => {
      const parsed = documentAllowanceCharge({ amount: '100.00', reason: 'Promotion discount', reasonCode: '95', vat: { code: 'S', rate: '25' } }, 'NOK');

      expect(parsed.amount.toJSON()).toEqual({ amount: '100.00', currency: 'NOK' });
      expect(parsed.vat.code).toBe('S');
      expect(parsed.vat.rate?.toString()).toBe('25');
      expect(parsed).toMatchObject({ reason: 'Promotion discount', reasonCode: '95' });
    });

    it('computes a percent of its base amount (BT-93, BT-94)', () => {
      // 10 % of 1500.00 = 150.00 (ubl-tc434-example5.xml)
      const parsed = documentAllowanceCharge({ percent: '10', baseAmount: '1500.00', reason: 'Loyal customer', vat: { code: 'S', rate: '25' } }, 'DKK');

      expect(parsed.amount.toString()).toBe('150.00');
    });

    it('keeps an exempt category with its reason', () => {
      const parsed = documentAllowanceCharge({ amount: '1', reason: 'Discount1', vat: { code: 'E', rate: '0', exemptionReason: 'Skatteundantag' } }, 'SEK');

      expect(parsed.vat).toMatchObject({ code: 'E', exemptionReason: 'Skatteundantag' });
      expect(parsed.amount.toString()).toBe('1.00');
    });

    it('needs a base amount for a percent, since a document has no line gross amount', () => {
      expect(issuesOf(() => documentAllowanceCharge({ percent: '10', reason: 'Discount', vat: S20 }, 'EUR'))).toEqual([
        { path: 'amount', code: 'allowance_charge.base_required' },
      ]);
    });

    it('reports the allowance and its VAT category issues at once, VAT ones under vat', () => {
      expect(issuesOf(() => documentAllowanceCharge({ amount: '5.00', vat: { code: 'E' } }, 'EUR'))).toEqual(
        expect.arrayContaining([
          { path: 'reason', code: 'allowance_charge.reason_required' },
          { path: 'vat.exemptionReason', code: 'vat.exemption_reason_required' },
        ]),
      );
    });

    it('refuses a missing VAT category', () => {
      expect(issuesOf(() => documentAllowanceCharge({ amount: '5.00', reason: 'Freight' } as never, 'EUR'))).toEqual([{ path: 'vat.code', code: 'vat.unknown_category' }]);
    });
  });

  describe('unitCode', () => {
    it.each(['C62', 'HUR', 'H87', 'EA', 'KWH', 'MON', 'DAY', 'IE'])('accepts the UN/ECE Recommendation 20 code %s', (code) => {
      expect(unitCode(code)).toBe(code);
    });

    it.each(['c62', 'C', 'ABCD', '', 'C 6'])('refuses %j under the given path', (code) => {
      expect(issuesOf(() => unitCode(code, 'lines.0.unitCode'))).toEqual([{ path: 'lines.0.unitCode', code: 'unit_code.malformed' }]);
    });

    it('refuses a value that is not a string', () => {
      expect(issuesOf(() => unitCode(62))).toEqual([{ path: 'unitCode', code: 'unit_code.malformed' }]);
    });
  });
});
