import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickStart } from '../examples/quick-start';

describe('README quick start', () => {
  it('is the example file, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(readFileSync(join(__dirname, '..', 'examples', 'quick-start.ts'), 'utf8').trim());
  });

  it('bills a fee and graduated usage into a draft invoice, as its comments say', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const invoice = await quickStart();
    expect(log.mock.calls).toEqual([
      [250, 1],
      [2, 0],
      ['API calls — tier 1 (0 to 100)', '100 × 0.1', '10.00'],
      ['API calls — tier 2 (100 to ∞)', '150 × 0.05', '7.50'],
      ['Platform fee', '1 × 49', '49.00'],
      ['draft', '79.80'],
    ]);
    expect(invoice.lines).toHaveLength(3);
    log.mockRestore();
  });
});
