import { describe, expect, it } from '@jest/globals';
import type { LoggedEvent } from '@invoicing/integration';
import { Writable } from 'node:stream';
import { streamEvents, type StreamSource } from './event-stream';
import type { Tick } from './live-feed';

// The server-sent events loop against a client that reads nothing (a writable that never takes a chunk): it must not
// read the tenant's log page after page into memory, and must let go of the client when the stream's time is up.
const event = (sequence: number, type = 'invoice.issued'): LoggedEvent =>
  ({ id: `acme/invoice/i-${sequence}/1/0`, type, tenantId: 'acme', aggregateType: 'invoice', aggregateId: `i-${sequence}`, aggregateVersion: 1, index: 0, occurredAt: new Date(0), payload: { note: 'x'.repeat(500) }, actor: { type: 'system', id: 'system' }, sequence, loggedAt: new Date(0) }) as LoggedEvent;

/**
 * A tenant's log of `size` events and its shared poll, whose looks come each time the stream asks (`looks` of them,
 * then none: the feeds closed); `grow` logs more, which the next look reads.
 */
function logOf(size: number, looks = Number.POSITIVE_INFINITY): StreamSource & { pagesRead: number; looksTaken: number; grow(count: number): void } {
  let head = size;
  let position: number | undefined;
  const source = {
    pagesRead: 0,
    looksTaken: 0,
    grow: (count: number) => {
      head += count;
    },
    read: async (after: number) => {
      source.pagesRead += 1;
      const events = Array.from({ length: Math.min(200, head - after) }, (_, index) => event(after + index + 1));
      return { events, next: events.at(-1)?.sequence ?? after };
    },
    wants: () => true,
    feed: {
      get position() {
        return position ?? 0;
      },
      next: async (): Promise<Tick | undefined> => {
        if (source.looksTaken >= looks) return undefined;
        source.looksTaken += 1;
        await new Promise((resolve) => setTimeout(resolve, 1));
        const from = position ?? head;
        position = head;
        return { from, to: head, head, events: Array.from({ length: head - from }, (_, index) => event(from + index + 1)) };
      },
    },
  };
  return source;
}

function reader(received: string[]): Writable {
  return new Writable({
    highWaterMark: 16 * 1024,
    write: (chunk: Buffer, _encoding, done) => {
      received.push(chunk.toString());
      setImmediate(done);
    },
  });
}

describe('streamEvents', () => {
  it('reads no further page while a client that reads nothing has not taken the last one, and cuts it off when time is up', async () => {
    const stuck = new Writable({ highWaterMark: 16 * 1024, write: () => undefined });
    const log = logOf(100_000);
    const started = Date.now();
    await streamEvents(stuck, log, 0, { ends: started + 300, keepAliveMs: 15_000 }, (e) => JSON.stringify(e));
    expect(log.pagesRead).toBe(1);
    expect(stuck.destroyed).toBe(true);
  });

  it('reads the log itself, page after page, while it is behind the shared poll, then follows the poll\'s looks', async () => {
    const received: string[] = [];
    const out = reader(received);
    const log = logOf(1000, 3);
    const finished = new Promise((resolve) => out.once('finish', resolve));
    const grown = log.feed.next;
    // The second look finds 5 more events: the stream, caught up, takes them from the look, not from the log.
    log.feed.next = async () => {
      if (log.looksTaken === 1) log.grow(5);
      return grown();
    };
    await streamEvents(out, log, 0, { ends: Date.now() + 60_000, keepAliveMs: 15_000 }, (e) => JSON.stringify({ sequence: e.sequence }));
    await finished;
    const ids = received.join('').match(/^id: \d+$/gm) ?? [];
    expect(ids).toHaveLength(1005);
    expect(ids.at(-1)).toBe('id: 1005');
    expect(log.pagesRead).toBe(5);
  });

  it('moves the cursor past the events of a look it does not want', async () => {
    const received: string[] = [];
    const out = reader(received);
    const log = logOf(0, 3);
    const grown = log.feed.next;
    log.feed.next = async () => {
      if (log.looksTaken === 1) log.grow(3);
      if (log.looksTaken === 2) log.grow(2);
      return grown();
    };
    const finished = new Promise((resolve) => out.once('finish', resolve));
    await streamEvents(out, { ...log, wants: (e) => e.sequence === 2 }, 0, { ends: Date.now() + 60_000, keepAliveMs: 15_000 }, (e) => String(e.sequence));
    await finished;
    // A look with none it wants still moves its `id`, so that a client resumes after them.
    expect(received.join('')).toBe('retry: 1000\n\nid: 2\nevent: invoice.issued\ndata: 2\n\nid: 5\n\n');
    expect(log.pagesRead).toBe(0);
  });
});
