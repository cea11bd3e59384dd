import type { LoggedEvent } from '@invoicing/integration';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where a stream reads the tenant's log from: its head, and a page of events after a cursor. */
export interface StreamSource {
  head(): Promise<number>;
  read(after: number): Promise<{ readonly events: readonly LoggedEvent[]; readonly next: number }>;
}

export interface StreamTiming {
  /** When the stream ends (epoch ms): the client reconnects with its last id. */
  readonly ends: number;
  readonly pollMs: number;
  readonly keepAliveMs: number;
  /** The process is stopping. */
  readonly closing: () => boolean;
}

/**
 * Writes the tenant's events after `from` as server-sent events, then new ones as they are logged, until `ends`. A
 * page is read only once the one before has left the process: a client that stops reading holds one page's worth of
 * memory, not the tenant's whole log; one that has not read it by `ends` is cut off.
 */
export async function streamEvents(out: Writable, source: StreamSource, from: number, timing: StreamTiming, format: (event: LoggedEvent) => string): Promise<void> {
  out.write('retry: 1000\n\n');
  let after = from;
  let quietSince = Date.now();
  while (!out.destroyed && !timing.closing() && Date.now() < timing.ends) {
    const page = (await source.head()) > after ? await source.read(after) : undefined;
    for (const event of page?.events ?? []) out.write(`id: ${event.sequence}\nevent: ${event.type}\ndata: ${format(event)}\n\n`);
    if (page && page.next > after) {
      after = page.next;
      quietSince = Date.now();
      // Filtered-out events move the cursor too: the reader resumes after them.
      if (page.events.length === 0) out.write(`id: ${after}\n\n`);
      if (!(await drained(out, timing.ends))) {
        out.destroy();
        return;
      }
      continue;
    }
    if (Date.now() - quietSince > timing.keepAliveMs) {
      out.write(': keep-alive\n\n');
      quietSince = Date.now();
    }
    await sleep(timing.pollMs);
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
