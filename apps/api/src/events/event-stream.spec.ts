import { describe, expect, it } from '@jest/globals';
import type { LoggedEvent } from '@invoicing/integration';
import { Writable } from 'node:stream';
import { streamEvents, type StreamSource } from './event-stream';

// The server-sent events loop against a client that reads nothing (a writable that never takes a chunk): it must not
// read the tenant's log page after page into memory, and must let go of the client when the stream's time is up.
const event = (sequence: number): LoggedEvent =>
  ({ id: `acme/invoice/i-${sequence}/1/0`, type: 'invoice.issued', tenantId: 'acme', aggregateType: 'invoice', aggregateId: `i-${sequence}`, aggregateVersion: 1, index: 0, occurredAt: new Date(0), payload: { note: 'x'.repeat(500) }, actor: { type: 'system', id: 'system' }, sequence, loggedAt: new Date(0) }) as LoggedEvent;

function logOf(size: number): StreamSource & { pagesRead: number } {
  const source = {
    pagesRead: 0,
    head: async () => size,
    read: async (after: number) => {
      source.pagesRead += 1;
      const events = Array.from({ length: Math.min(200, size - after) }, (_, index) => event(after + index + 1));
      return { events, next: events.at(-1)?.sequence ?? after };
    },
  };
  return source;
}

describe('streamEvents', () => {
  it('reads no further page while a client that reads nothing has not taken the last one, and cuts it off when time is up', async () => {
    const stuck = new Writable({ highWaterMark: 16 * 1024, write: () => undefined });
    const log = logOf(100_000);
    const started = Date.now();
    await streamEvents(stuck, log, 0, { ends: started + 300, pollMs: 5, keepAliveMs: 15_000, closing: () => false }, (e) => JSON.stringify(e));
    expect(log.pagesRead).toBe(1);
    expect(stuck.destroyed).toBe(true);
  });

  it('streams every event to a client that reads, page after page, then ends', async () => {
    const received: string[] = [];
    const reader = new Writable({
      highWaterMark: 16 * 1024,
      write: (chunk: Buffer, _encoding, done) => {
        received.push(chunk.toString());
        setImmediate(done);
      },
    });
    const log = logOf(1000);
    const finished = new Promise((resolve) => reader.once('finish', resolve));
    // Ends once the last page has been read rather than at a time, so that a slow machine cannot cut it short.
    const lastPageRead = () => log.pagesRead === 5;
    await streamEvents(reader, log, 0, { ends: Date.now() + 60_000, pollMs: 5, keepAliveMs: 15_000, closing: lastPageRead }, (e) => JSON.stringify({ sequence: e.sequence }));
    await finished;
    const ids = received.join('').match(/^id: \d+$/gm) ?? [];
    expect(ids).toHaveLength(1000);
    expect(ids.at(-1)).toBe('id: 1000');
    expect(log.pagesRead).toBe(5);
  });
});
