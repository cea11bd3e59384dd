import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { RequestsInFlight } from './requests-in-flight';

describe('RequestsInFlight', () => {
  const requests = new RequestsInFlight(['/v1/events']);
  const release: (() => void)[] = [];
  let server: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    server = Fastify();
    server.addHook('onRequest', requests.hook);
    const held = async (): Promise<string> => {
      await new Promise<void>((resolve) => release.push(resolve));
      return 'done';
    };
    server.get('/v1/partners', held);
    server.get('/v1/events', held);
    await server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server.close();
  });

  async function waitForHeld(count: number): Promise<void> {
    while (release.length < count) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  /** The count drops on the response's `close`, which may come a moment after the client has its answer. */
  async function becomesIdle(): Promise<boolean> {
    for (let tries = 0; tries < 500 && requests.busy; tries += 1) await new Promise((resolve) => setTimeout(resolve, 2));
    return !requests.busy;
  }

  it('is busy while a request is answered, and no longer once it is, or once its client went away', async () => {
    expect(requests.busy).toBe(false);
    const answered = fetch(`${base}/v1/partners?limit=1`);
    await waitForHeld(1);
    expect(requests.busy).toBe(true);
    release.shift()?.();
    expect(await (await answered).text()).toBe('done');
    expect(await becomesIdle()).toBe(true);

    const aborted = new AbortController();
    const gone = fetch(`${base}/v1/partners`, { signal: aborted.signal }).catch(() => 'aborted');
    await waitForHeld(1);
    expect(requests.busy).toBe(true);
    aborted.abort();
    expect(await gone).toBe('aborted');
    expect(await becomesIdle()).toBe(true);
    release.shift()?.();
  });

  it('leaves out the change feed, whose streams and long polls stay open at no cost', async () => {
    const feed = fetch(`${base}/v1/events?after=0&wait=30`);
    await waitForHeld(1);
    expect(requests.busy).toBe(false);
    release.shift()?.();
    await (await feed).text();
  });
});
