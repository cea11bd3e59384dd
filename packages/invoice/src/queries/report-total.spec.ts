import { describe, expect, it } from '@jest/globals';
import { RUNNING_TOTAL_MAX_MINOR } from '@invoicing/core';
import type { PartnerId } from '../shared/ids';
import { AGING_BUCKETS } from './invoice-summary';
import { ReportTotalOutOfRangeError, agingRow, reportTotal } from './report-total';

const partnerId = 'buyer-1' as PartnerId;

describe('reportTotal', () => {
  it('gives a sum past the largest amount exactly, with the currency’s decimals', () => {
    expect(reportTotal(1_999_999_999_999_998n, { currency: 'USD', figure: 'invoiceTotal' }).toString()).toBe('19999999999999.98');
    expect(reportTotal(1_999_999_999_999_998n, { currency: 'JPY', figure: 'invoiceTotal' }).toString()).toBe('1999999999999998');
    expect(reportTotal(-1_999_999_999_999_998n, { currency: 'BHD', figure: 'net' }).toString()).toBe('-1999999999999.998');
    expect(reportTotal(RUNNING_TOTAL_MAX_MINOR, { currency: 'EUR', figure: 'net' }).minor).toBe(RUNNING_TOTAL_MAX_MINOR);
  });

  it.each([
    ['past 2^63 − 1', RUNNING_TOTAL_MAX_MINOR + 1n],
    ['below −(2^63 − 1)', -RUNNING_TOTAL_MAX_MINOR - 1n],
    ['not summed by the database (null)', null],
  ])('fails with report.total_out_of_range naming the row for a sum %s', (_, minor) => {
    const failure = (() => {
      try {
        return reportTotal(minor, { currency: 'EUR', partnerId, figure: 'total' });
      } catch (caught) {
        return caught;
      }
    })();

    expect(failure).toBeInstanceOf(ReportTotalOutOfRangeError);
    expect(failure).toMatchObject({ code: 'report.total_out_of_range', details: { currency: 'EUR', partnerId, figure: 'total' } });
  });
});

describe('agingRow', () => {
  it('totals the buckets exactly past the largest amount', () => {
    const row = agingRow(partnerId, 'EUR', { current: 999_999_999_999_999n, days1To30: 999_999_999_999_999n, days31To60: 0n, days61To90: 0n, over90: 1n });

    expect(Object.keys(row).sort()).toEqual(['currency', 'partnerId', ...AGING_BUCKETS, 'total'].sort());
    expect([row.current.toString(), row.days1To30.toString(), row.over90.toString(), row.total.toString()]).toEqual(['9999999999999.99', '9999999999999.99', '0.01', '19999999999999.99']);
  });

  it('fails with report.total_out_of_range for a bucket the database could not sum, or a total past 64 bits', () => {
    const zero = { current: 0n, days1To30: 0n, days31To60: 0n, days61To90: 0n, over90: 0n };
    expect(() => agingRow(partnerId, 'EUR', { ...zero, over90: null })).toThrow(expect.objectContaining({ code: 'report.total_out_of_range', details: { currency: 'EUR', partnerId, figure: 'over90' } }));
    expect(() => agingRow(partnerId, 'EUR', { ...zero, current: RUNNING_TOTAL_MAX_MINOR, over90: 1n })).toThrow(
      expect.objectContaining({ code: 'report.total_out_of_range', details: { currency: 'EUR', partnerId, figure: 'total' } }),
    );
  });
});
