import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postDelivery } from './http-delivery';

// One delivery attempt against receivers on loopback that misbehave: each is bounded, none is followed.
const LOOPBACK = { allowHttp: true, allowPrivateAddresses: true };

let server: Server;
let base: string;
let hits: string[];
beforeAll(async () => {
  hits = [];
  server = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    if (request.url === '/redirect') {
      response.writeHead(307, { location: '/elsewhere' }).end();
    } else if (request.url === '/slow') {
      // Far past any attempt's deadline: an attempt that waited for it would answer 204, and after the test's own timeout.
      setTimeout(() => response.writeHead(204).end(), 10_000).unref();
    } else if (request.url === '/huge') {
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const write = () => {
        while (!response.destroyed && response.write(chunk)) if (response.writableLength > 10 * 1024 * 1024) return;
        if (!response.destroyed) response.once('drain', write);
      };
      write();
    } else {
      request.resume();
      request.on('end', () => response.writeHead(request.headers['webhook-id'] === 'ok' ? 204 : 410).end('gone for good'));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('postDelivery', () => {
  it('counts any 2xx as delivered, and keeps the start of a refusal for the log', async () => {
    expect(await postDelivery(`${base}/ok`, { 'webhook-id': 'ok' }, '{}', LOOPBACK)).toMatchObject({ ok: true, status: 204 });
    expect(await postDelivery(`${base}/ok`, { 'webhook-id': 'no' }, '{}', LOOPBACK)).toMatchObject({ ok: false, status: 410, error: 'answered 410', responseExcerpt: 'gone for good' });
  });

  it('does not follow a redirect', async () => {
    hits = [];
    expect(await postDelivery(`${base}/redirect`, {}, '{}', LOOPBACK)).toMatchObject({ ok: false, status: 307, error: 'redirect (307) not followed' });
    expect(hits).toEqual(['POST /redirect']);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const result = await postDelivery(`${base}/slow`, {}, '{}', LOOPBACK, { timeoutMs: 200, maxResponseBytes: 1024 });
    // Its failure, not the receiver's late 204, is the answer: no wall-clock bound (shared machines are slow at times).
    expect(result).toMatchObject({ ok: false, error: 'no answer within 200 ms' });
  });

  it('reads at most the bytes allowed of an endless answer', async () => {
    const result = await postDelivery(`${base}/huge`, {}, '{}', LOOPBACK, { timeoutMs: 5_000, maxResponseBytes: 1024 });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.responseExcerpt?.length).toBeLessThanOrEqual(500);
  });

  it('refuses to connect to a private address under the strict policy, even by name', async () => {
    hits = [];
    const byName = await postDelivery(base.replace('127.0.0.1', 'localhost'), {}, '{}', { allowHttp: true, allowPrivateAddresses: false });
    expect(byName).toMatchObject({ ok: false });
    expect(byName.error).toMatch(/not a public address|not a public one/);
    expect(hits).toEqual([]);
  });
});
