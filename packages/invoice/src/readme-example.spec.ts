import { addDays, type CalendarDate } from '@invoicing/core';
import { describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickStart } from '../examples/quick-start';

describe('README quick start', () => {
  it('is the example file, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '..', 'examples', 'quick-start.ts'), 'utf8');
    expect(readme).toContain(example.trim());
  });

  it('creates partners, a partnership and a marketable, issues, is paid in part and reads the balance', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const { invoice, balance } = await quickStart();
    expect(log.mock.calls).toEqual([['INV-000001', '720.00'], ['220.00']]);
    expect(invoice.status).toBe('issued');
    expect(invoice.lines[0]?.netAmount.toString()).toBe('600.00');
    expect(invoice.dueDate).toBe(addDays(invoice.issueDate as CalendarDate, 30));
    expect([balance?.currency, balance?.outstanding.toString(), balance?.unappliedCredit.toString()]).toEqual(['EUR', '220.00', '0.00']);
    log.mockRestore();
  });
});
