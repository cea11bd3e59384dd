import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { convert } from '../../examples/e-invoice';
import { readInvoice } from './e-invoice';

const EXAMPLE = resolve(__dirname, '../../../../../shared/fixtures/en16931/ubl/ubl-tc434-example5.xml');

describe('README e-invoice example', () => {
  let log: jest.SpyInstance;
  beforeEach(() => (log = jest.spyOn(console, 'log').mockImplementation(() => undefined)));
  afterEach(() => log.mockRestore());

  it('is the example file, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(readFileSync(join(__dirname, '..', '..', 'examples', 'e-invoice.ts'), 'utf8').trim());
  });

  it('converts an official UBL example to CII that reads back as the same document', async () => {
    const cii = await convert(EXAMPLE);
    expect(log.mock.calls.at(-1)).toEqual(['ubl 380 TOSL110: 2337.50 DKK due']);
    const original = await readInvoice(readFileSync(EXAMPLE));
    const converted = await readInvoice(cii);
    expect(converted.syntax).toBe('cii');
    expect(converted.findings.filter((f) => f.severity === 'fatal')).toEqual([]);
    expect(converted.document.totals).toEqual(original.document.totals);
    expect(converted.document.lines).toEqual(original.document.lines);
  });

  it('refuses a document whose stated total disagrees with its lines, naming the rule and where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e-invoice-'));
    try {
      const broken = join(dir, 'broken.xml');
      writeFileSync(broken, readFileSync(EXAMPLE, 'utf8').replace(/(<cac:LegalMonetaryTotal>\s*<cbc:LineExtensionAmount currencyID="DKK">)[^<]*/, '$11.00'));
      await expect(convert(broken)).rejects.toThrow('TOSL110 breaks EN 16931');
      expect(log.mock.calls.map(([line]) => line)).toContainEqual(expect.stringMatching(/^fatal BR-CO-10 at \/Invoice\/cac:LegalMonetaryTotal\/cbc:LineExtensionAmount: /));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
