import type { LoggedEvent } from '@invoicing/integration';
import type { Writable } from 'node:stream';
import { eventsAfter, type Follower } from './live-feed';

/** Where a stream reads the tenant's events from. */
export interface StreamSource {
  /** The tenant's shared poll (`LiveFeeds`): its looks at the log, and how far it has read. */
  readonly feed: Pick<Follower, 'next' | 'position'>;
  /** A page of the events the stream wants after a cursor, `next` past the others too: for a stream behind the poll. */
  read(after: number): Promise<{ readonly events: readonly LoggedEvent[]; readonly next: number }>;
  /** Whether the stream wants an event (its types). */
  wants(event: LoggedEvent): boolean;
}

export interface StreamTiming {
  /** When the stream ends (epoch ms): the client reconnects with its last id. */
  readonly ends: number;
  readonly keepAliveMs: number;
}

/**
 * Writes the tenant's events after `from` as server-sent events, then new ones as the tenant's shared poll finds them,
 * until `ends` or until the poll stops (the process is closing). A stream behind the poll (from an older cursor, or a
 * client slow to read) reads the log itself, a page at a time, each only once the one before has left the process: a
 * client that stops reading holds one page's worth of memory, not the tenant's whole log; one that has not read it by
 * `ends` is cut off.
 */
export async function streamEvents(out: Writable, source: StreamSource, from: number, timing: StreamTiming, format: (event: LoggedEvent) => string): Promise<void> {
  out.write('retry: 1000\n\n');
  let after = from;
  let quietSince = Date.now();
  const open = () => !out.destroyed && Date.now() < timing.ends;
  /** Writes the events and moves the cursor to `next`; false when the client did not take them in time. */
  const send = async (events: readonly LoggedEvent[], next: number): Promise<boolean> => {
    for (const event of events) out.write(`id: ${event.sequence}\nevent: ${event.type}\ndata: ${format(event)}\n\n`);
    if (next <= after) return true;
    after = next;
    quietSince = Date.now();
    // Filtered-out events move the cursor too: the reader resumes after them.
    if (events.length === 0) out.write(`id: ${after}\n\n`);
    return drained(out, timing.ends);
  };
  while (open()) {
    const tick = await source.feed.next();
    if (!tick || !open()) break;
    let taken = true;
    if (after < tick.from) {
      while (taken && open() && after < source.feed.position) {
        const page = await source.read(after);
        if (page.next <= after) break;
        taken = await send(page.events, page.next);
      }
    } else taken = await send(eventsAfter(tick, after, source.wants), tick.to);
    if (!taken) {
      out.destroy();
      return;
    }
    if (Date.now() - quietSince > timing.keepAliveMs) {
      out.write(': keep-alive\n\n');
      quietSince = Date.now();
    }
  }
  out.end();
}

/** Whether what was written has left the buffer by `until` (false: not by then, or the connection closed). */
function drained(out: Writable, until: number): Promise<boolean> {
  if (!out.writableNeedDrain) return Promise.resolve(!out.destroyed);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      out.off('drain', onDrain);
      out.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), Math.max(0, until - Date.now()));
    out.once('drain', onDrain);
    out.once('close', onClose);
  });
}
