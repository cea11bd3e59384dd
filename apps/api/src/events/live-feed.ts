import type { TenantId } from '@invoicing/core';
import type { EventLog, LoggedEvent } from '@invoicing/integration';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpProblem } from '../http/problem';

/** One look of a tenant's shared poll at its log: the events logged after `from`, up to `to`, of every type. */
export interface Tick {
  readonly from: number;
  readonly to: number;
  /** The tenant's head as the look found it. */
  readonly head: number;
  readonly events: readonly LoggedEvent[];
}

/** A stream or long poll following a tenant's feed: it holds one of the places the caps allow until it leaves. */
export interface Follower {
  /** The poll's next look, or undefined once the feeds are closed (the process is stopping). */
  next(): Promise<Tick | undefined>;
  /** How far the poll has read: a follower behind it reads the log itself up to there. */
  readonly position: number;
  /** Gives the place back; once only. */
  leave(): void;
}

export interface LiveFeedSettings {
  /** How often a tenant's log is looked at while someone follows it. */
  readonly pollMs: number;
  /** Followers (streams and long polls) one tenant may have at once in this process; 0: no cap. */
  readonly perTenant: number;
  /** Followers of all tenants at once in this process; 0: no cap. */
  readonly perProcess: number;
}

/** Events one look reads at most; a tenant further ahead is read on at once, without the pause. */
const EVENTS_PER_LOOK = 500;
/** What a refused follower is told to wait: long polls last seconds, and clients retry with their cursor. */
const RETRY_AFTER_SECONDS = 10;

/** The events of a look a follower at `after` has not had, of the types it wants. */
export function eventsAfter(tick: Tick, after: number, wants: (event: LoggedEvent) => boolean): LoggedEvent[] {
  return tick.events.filter((event) => event.sequence > after && wants(event));
}

/**
 * The live side of the change feed (audit DOS-1): every stream and long poll of a tenant in this process follows ONE
 * poll of its log, which looks at the head every `pollMs` while anyone waits and reads new events once for all of
 * them. Each used to poll on its own, so that a tenant's 1,500 streams kept the connection pool all tenants share full.
 * The followers are also capped, per tenant and per process (429 `events.too_many_streams`).
 */
export class LiveFeeds {
  private readonly tenants = new Map<TenantId, TenantFeed>();
  private followers = 0;
  private readonly stopping = new AbortController();

  constructor(
    private readonly log: Pick<EventLog, 'head' | 'read'>,
    private readonly settings: LiveFeedSettings,
  ) {}

  get closed(): boolean {
    return this.stopping.signal.aborted;
  }

  /**
   * Takes a place among the tenant's followers.
   * @throws HttpProblem 429 `events.too_many_streams` (`limit`: `tenant` or `process`) when the caps are reached
   */
  follow(tenantId: TenantId): Follower {
    const { perTenant, perProcess } = this.settings;
    let feed = this.tenants.get(tenantId);
    if (perTenant > 0 && (feed?.followers ?? 0) >= perTenant) throw tooMany('tenant', perTenant);
    if (perProcess > 0 && this.followers >= perProcess) throw tooMany('process', perProcess);
    if (!feed) {
      feed = new TenantFeed(tenantId, this.log, this.settings.pollMs, this.stopping.signal, (idle) => {
        // A feed forgotten and made again meanwhile is the new one's place in the map.
        if (this.tenants.get(tenantId) === idle) this.tenants.delete(tenantId);
      });
      this.tenants.set(tenantId, feed);
    }
    const joined = feed;
    joined.followers += 1;
    this.followers += 1;
    let left = false;
    return {
      next: () => joined.next(),
      get position() {
        return joined.position ?? 0;
      },
      leave: () => {
        if (left) return;
        left = true;
        joined.followers -= 1;
        this.followers -= 1;
        joined.forgetIfIdle();
      },
    };
  }

  /** Ends every wait at once: streams and long polls end, so that stopping does not wait for them. */
  close(): void {
    this.stopping.abort();
    for (const feed of this.tenants.values()) feed.settle(undefined);
  }
}

function tooMany(limit: 'tenant' | 'process', max: number): HttpProblem {
  const whose = limit === 'tenant' ? 'Your tenant has' : 'This server has';
  return new HttpProblem(
    429,
    'events.too_many_streams',
    `${whose} ${max} live streams and long polls of the change feed open already: close one, or retry after ${RETRY_AFTER_SECONDS} s.`,
    { limit, max },
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}

interface Waiter {
  resolve(tick: Tick | undefined): void;
  reject(error: unknown): void;
}

/** One tenant's poll: runs while one of its followers waits for a look, and stops when none does. */
class TenantFeed {
  followers = 0;
  /** What the poll has read up to; unknown until its first look. */
  position: number | undefined;
  private waiters: Waiter[] = [];
  private running = false;

  constructor(
    private readonly tenantId: TenantId,
    private readonly log: Pick<EventLog, 'head' | 'read'>,
    private readonly pollMs: number,
    private readonly stopping: AbortSignal,
    private readonly forget: (feed: TenantFeed) => void,
  ) {}

  next(): Promise<Tick | undefined> {
    if (this.stopping.aborted) return Promise.resolve(undefined);
    const tick = new Promise<Tick | undefined>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.running) {
      this.running = true;
      void this.run();
    }
    return tick;
  }

  settle(tick: Tick | undefined, error?: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve(tick);
      else waiter.reject(error);
    }
  }

  forgetIfIdle(): void {
    if (this.followers === 0 && !this.running) this.forget(this);
  }

  /** Looks, hands the look to every waiter, pauses; stops after a pause that left nobody waiting. */
  private async run(): Promise<void> {
    try {
      while (this.waiters.length > 0 && !this.stopping.aborted) {
        let behind = false;
        try {
          const tick = await this.look();
          behind = tick.to < tick.head;
          this.settle(tick);
        } catch (error) {
          // Every waiter meets the failure (a stream ends, a long poll answers 503); the next look tries again.
          this.settle(undefined, error);
        }
        if (!behind) await sleep(this.pollMs, undefined, { signal: this.stopping }).catch(() => undefined);
      }
    } finally {
      this.running = false;
      if (this.stopping.aborted) this.settle(undefined);
      this.forgetIfIdle();
    }
  }

  private async look(): Promise<Tick> {
    const head = await this.log.head(this.tenantId);
    const from = this.position ?? head;
    if (head <= from) {
      this.position = from;
      return { from, to: from, head: Math.max(head, from), events: [] };
    }
    const page = await this.log.read(this.tenantId, { after: from, limit: EVENTS_PER_LOOK });
    const to = Math.max(page.next, from);
    this.position = to;
    return { from, to, head: Math.max(page.head, to), events: page.events };
  }
}
