import { getEventListeners } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { sleep } from './import';

// The pause between two polls of an import: an import followed for minutes sleeps hundreds of times on one signal.
describe('sleep', () => {
  it('leaves no listener on the signal once it has slept', async () => {
    const signal = new AbortController().signal;
    for (let slept = 0; slept < 12; slept += 1) await sleep(1, signal);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('wakes at once when the signal aborts', async () => {
    const stopping = new AbortController();
    const started = Date.now();
    const slept = sleep(60_000, stopping.signal);
    stopping.abort();
    await slept;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
