import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickStart } from '../examples/quick-start';

describe('README quick start', () => {
  it('is the example file, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(readFileSync(join(__dirname, '..', 'examples', 'quick-start.ts'), 'utf8').trim());
  });

  it('prices 250 calls on graduated tiers and prorates a monthly fee, as its comments say', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const { usage, fee } = quickStart();
    expect(log.mock.calls).toEqual([
      ['155', '100 × 1 + 100 × 0.5 + 50 × 0.1'],
      ['2026-03-01', '2026-04-01', '67.74'],
    ]);
    expect(usage.parts).toHaveLength(3);
    expect(fee.currency).toBe('EUR');
    log.mockRestore();
  });
});
