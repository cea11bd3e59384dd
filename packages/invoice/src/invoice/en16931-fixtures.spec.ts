import { describe, expect, it } from '@jest/globals';
import { Money, decimal, definedFields, parseId, tenantId, type CurrencyCode } from '@invoicing/core';
import { EN16931_DOCUMENTS, type En16931Document } from './en16931-fixtures.data';
import { Invoice } from './invoice';

/** Builds the document as a draft, with placeholder parties: only its content matters here. */
function draft(document: En16931Document): Invoice {
  return Invoice.draft(
    {
      kind: document.kind,
      partnershipId: parseId<'Partnership'>('partnership-1'),
      sellerId: parseId<'Partner'>('seller-1'),
      buyerId: parseId<'Partner'>('buyer-1'),
      currency: document.currency,
      paymentTerms: { kind: 'net', days: 30 },
      series: 'INV',
      lines: document.lines,
      ...definedFields({ allowances: document.allowances, charges: document.charges, prepaidAmount: document.prepaidAmount, roundingAmount: document.roundingAmount }),
    },
    { tenantId: tenantId('t1'), id: parseId<'Invoice'>('invoice-1'), at: new Date('2026-01-15T09:00:00Z') },
  );
}

/**
 * A stated figure in the canonical form `Money.toString()` gives ("1436.5" → "1436.50", "100" JPY → "100");
 * a figure the document leaves out is zero.
 */
const canonical = (stated: string | undefined, currency: CurrencyCode) => Money.of(stated ?? '0', currency).toString();

/** A breakdown entry as `category:rate`, with the rate in its shortest form ("19.00" → "19"). */
const entryKey = (code: string, rate: string | null) => `${code}:${rate === null ? '-' : decimal(rate).toString()}`;

const sorted = (rows: string[][]) => [...rows].sort((a, b) => a.join().localeCompare(b.join()));

describe('EN 16931 example documents', () => {
  it('covers at least six documents, in both syntaxes, with varied features', () => {
    expect(EN16931_DOCUMENTS.length).toBeGreaterThanOrEqual(6);
    expect(new Set(EN16931_DOCUMENTS.map((document) => document.syntax))).toEqual(new Set(['UBL', 'CII']));
    expect(new Set(EN16931_DOCUMENTS.map((document) => document.file)).size).toBe(EN16931_DOCUMENTS.length);
  });

  describe.each(EN16931_DOCUMENTS.map((document) => [document.file, document] as const))('Invoice.draft of %s', (_file, document) => {
    const { currency, stated } = document;

    it('computes each line net amount (BT-131) as the document states it', () => {
      const invoice = draft(document);

      expect(invoice.lines.map((line) => line.netAmount.toString())).toEqual(stated.lines.map((line) => canonical(line.netAmount, currency)));
    });

    it('computes each line allowance and charge amount (BT-136, BT-141) as the document states it', () => {
      const invoice = draft(document);

      expect(invoice.lines.map((line) => line.allowances.map((item) => item.amount.toString()))).toEqual(
        stated.lines.map((line) => (line.allowances ?? []).map((amount) => canonical(amount, currency))),
      );
      expect(invoice.lines.map((line) => line.charges.map((item) => item.amount.toString()))).toEqual(
        stated.lines.map((line) => (line.charges ?? []).map((amount) => canonical(amount, currency))),
      );
    });

    it('computes each document allowance and charge amount (BT-92, BT-99) as the document states it', () => {
      const { allowances, charges } = draft(document).toState();

      expect(allowances.map((item) => item.amount.toString())).toEqual((stated.allowances ?? []).map((amount) => canonical(amount, currency)));
      expect(charges.map((item) => item.amount.toString())).toEqual((stated.charges ?? []).map((amount) => canonical(amount, currency)));
    });

    it('computes the VAT breakdown (BG-23) as the document states it, one entry per category and rate', () => {
      const invoice = draft(document);
      const computed = invoice.vatBreakdown.map((entry) => [
        entryKey(entry.category.code, entry.category.rate === null ? null : entry.category.rate.toString()),
        entry.taxableAmount.toString(),
        entry.taxAmount.toString(),
      ]);
      const expected = stated.vatBreakdown.map((entry) => [entryKey(entry.code, entry.rate), canonical(entry.taxable, currency), canonical(entry.tax, currency)]);

      expect(sorted(computed)).toEqual(sorted(expected));
    });

    it('computes the document totals (BG-22) as the document states them', () => {
      const { totals } = draft(document);

      expect({
        lineTotal: totals.lineTotal.toString(),
        allowanceTotal: totals.allowanceTotal.toString(),
        chargeTotal: totals.chargeTotal.toString(),
        taxExclusive: totals.taxExclusive.toString(),
        taxTotal: totals.taxTotal.toString(),
        taxInclusive: totals.taxInclusive.toString(),
        prepaid: totals.prepaid.toString(),
        rounding: totals.rounding.toString(),
        amountDue: totals.amountDue.toString(),
      }).toEqual({
        lineTotal: canonical(stated.lineTotal, currency),
        allowanceTotal: canonical(stated.allowanceTotal, currency),
        chargeTotal: canonical(stated.chargeTotal, currency),
        taxExclusive: canonical(stated.taxExclusive, currency),
        taxTotal: canonical(stated.taxTotal, currency),
        taxInclusive: canonical(stated.taxInclusive, currency),
        prepaid: canonical(stated.prepaid, currency),
        rounding: canonical(stated.rounding, currency),
        amountDue: canonical(stated.amountDue, currency),
      });
    });

    it('keeps the document kind and currency', () => {
      const invoice = draft(document);

      expect([invoice.kind, invoice.currency, invoice.totals.amountDue.currency]).toEqual([document.kind, currency, currency]);
    });
  });
});
