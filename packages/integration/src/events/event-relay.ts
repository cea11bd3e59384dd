import type { Outbox } from '@invoicing/invoice';
import { postDelivery, DEFAULT_DELIVERY_LIMITS, type DeliveryAttemptResult, type DeliveryLimits } from '../webhooks/http-delivery';
import type { WebhookUrlPolicy } from '../webhooks/endpoint-url';
import { signWebhook } from '../webhooks/signature';
import { DEFAULT_RETRY_POLICY, endpointWants, nextAttemptAt, signingSecrets, type RetryPolicy, type WebhookDelivery, type WebhookEndpoint } from '../webhooks/webhook';
import type { WebhookDeliveryStore, WebhookEndpointStore } from '../webhooks/webhook.port';
import { DeliveryLines, inFlightLimits } from './delivery-lines';
import { eventJsonOf } from './event-json';
import type { EventLog, LoggedEvent } from './event-log.port';

/** A lease on the relay's work, so that one process at a time does it (`MongoLease`). */
export interface Lease {
  /** Takes or renews the lease; false while another process holds it. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

/** Background work done under the relay's lease besides relaying (sealing issued documents). */
export interface Chore {
  readonly name: string;
  /** At most this often (default: every round of the relay, which comes every `idleMs` or sooner). */
  readonly everyMs?: number;
  run(): Promise<number>;
}

export interface RelaySettings {
  /** Pause after a round that did not fill its batch: the longest an event waits for the relay to look. */
  readonly idleMs: number;
  /** Events read from the outbox per round. */
  readonly batchSize: number;
  /** Deliveries sent at once, over all endpoints: requests in flight, most of their time spent waiting on receivers. */
  readonly sendConcurrency: number;
  /**
   * Deliveries recorded at once: the database writes of sending, kept few so that deliveries take what requests
   * leave of the database instead of competing with them (measured: 16 at once cost writes a third of their rate).
   */
  readonly recordConcurrency: number;
  readonly retry: RetryPolicy;
  readonly limits: DeliveryLimits;
  /** Where a tenant's endpoints may be (checked again at each delivery, on the addresses the name resolves to). */
  readonly urlPolicy: WebhookUrlPolicy | ((tenantId: string) => WebhookUrlPolicy);
}

/** The longest the sender goes without reading the waiting deliveries. */
const SEND_CHECK_MS = 2_000;
/**
 * How long a round of sending goes on from what it read before it reads again, when new deliveries were queued
 * meanwhile (or SEND_CHECK_MS passed) and some of what it read still waits for a free slot: the longest a new
 * delivery waits behind others' backlogs. A round also lasts ROUND_PER_READ times its read at least, so that reading
 * a large backlog (as long as the backlog, on FerretDB) stays a small part of sending.
 */
const SEND_ROUND_MS = 500;
const ROUND_PER_READ = 4;
/**
 * The same while the process serves requests (one attempt in flight, ADR 0023): a read of a large backlog then costs
 * the requests' database, and the few attempts a round makes gain nothing from reading it sooner.
 */
const ROUND_PER_READ_SERVING = 20;
/** Waiting deliveries the sender reads per round. */
const WAITING_READ = 5_000;
/** How often a sender held back by the process's requests looks whether they are over. */
const YIELD_CHECK_MS = 20;

export const DEFAULT_RELAY_SETTINGS: RelaySettings = {
  idleMs: 250,
  batchSize: 500,
  sendConcurrency: 4,
  recordConcurrency: 2,
  retry: DEFAULT_RETRY_POLICY,
  limits: DEFAULT_DELIVERY_LIMITS,
  urlPolicy: { allowHttp: false, allowPrivateAddresses: false },
};

/**
 * What the relay did since it started, for `GET /v1/admin/events`. The lag is read from the database there (the age of
 * the oldest waiting outbox entry), since any process may be the one relaying.
 */
export interface RelayMetrics {
  readonly holdsLease: boolean;
  readonly relayed: number;
  /** Events relayed per second over the last minute. */
  readonly relayedPerSecond: number;
  readonly relayFailures: number;
  readonly deliveriesSent: number;
  readonly deliveriesFailedAttempts: number;
  readonly deliveriesGivenUp: number;
  readonly endpointsDisabled: number;
  /** The last failed round's error: for the process's own log; it may name any tenant. */
  readonly lastError?: string;
  /** When a round last failed. */
  readonly lastFailureAt?: Date;
}

export interface RelayLogger {
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

export interface RelayDependencies {
  readonly outbox: Outbox;
  readonly log: EventLog;
  readonly endpoints: WebhookEndpointStore;
  readonly deliveries: WebhookDeliveryStore;
  readonly lease: Lease;
  readonly chores?: readonly Chore[];
  readonly logger?: RelayLogger;
  readonly now?: () => Date;
  /** Sends one delivery (tests and benchmarks replace the HTTP client). */
  readonly post?: typeof postDelivery;
  /**
   * Whether the process is serving requests now (the API's in-flight count). While it is, the sender keeps one
   * delivery in flight and one write at a time, so that deliveries take what requests leave: delivery must not slow
   * the writes that cause it. Without it (the worker process), the sender always runs at its settings.
   */
  readonly foregroundBusy?: () => boolean;
}

/**
 * The relay: drains the outbox into the tenants' event logs, queues a delivery of each event for every endpoint that
 * wants it, marks the events published, then sends what is due, one delivery at a time per endpoint and aggregate, so
 * that an aggregate's events reach an endpoint in order even across retries. At least once at every step: a crash
 * after logging and before marking publishes again, which logs and queues nothing twice (both are idempotent by event
 * id). It works only while it holds the lease, so one process relays at a time however many run.
 */
export class EventRelay {
  private readonly settings: RelaySettings;
  private readonly now: () => Date;
  private readonly post: typeof postDelivery;
  private running = false;
  /** Set by {@link stop}: a round in progress ends after the deliveries in flight instead of going through its list. */
  private stopping = false;
  private loop?: Promise<void>;
  private readonly sleepers = new Set<() => void>();
  /** What wakes the sender: new deliveries queued, an attempt over, a stop. */
  private readonly senderSleepers = new Set<() => void>();
  /** The waiting deliveries as lines, handed out fairly, and what is in flight. */
  private readonly lines = new DeliveryLines();
  /** Attempts under way, awaited by {@link stop}: a round does not wait for a slow one. */
  private readonly flights = new Set<Promise<void>>();
  /** Whether a round of sending is under way (it goes on from attempts that end); else an attempt that ends asks for one. */
  private sending = false;
  private attemptsMade = 0;
  /** Endpoints found deleted in this read's round: their deliveries are given up without reading them each time. */
  private readonly deleted = new Set<string>();
  /** When this process last recorded each endpoint's success, so that attempts at once record it once. */
  private readonly successRecorded = new Map<string, number>();
  private recording = 0;
  private readonly recordQueue: (() => void)[] = [];
  private holdsLease = false;
  /** When each chore last ran. */
  private readonly choresRun = new Map<Chore, number>();
  private readonly recent: { at: number; count: number }[] = [];
  private counters = { relayed: 0, relayFailures: 0, deliveriesSent: 0, deliveriesFailedAttempts: 0, deliveriesGivenUp: 0, endpointsDisabled: 0 };
  private lastError?: { readonly message: string; readonly at: Date };
  /** When the sender next reads the waiting deliveries, unless new ones were queued: retries wait, so it need not look. */
  private nextSendCheck = 0;
  private sendNow = true;

  constructor(
    private readonly dependencies: RelayDependencies,
    settings: Partial<RelaySettings> = {},
  ) {
    this.settings = { ...DEFAULT_RELAY_SETTINGS, ...settings };
    this.now = dependencies.now ?? (() => new Date());
    this.post = dependencies.post ?? postDelivery;
  }

  /** Starts working in the background until {@link stop}. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = this.work();
  }

  /** Finishes the round in progress, releases the lease, and stops. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopping = true;
    for (const wake of [...this.sleepers, ...this.senderSleepers]) wake();
    this.sleepers.clear();
    await this.loop;
    while (this.flights.size > 0) await Promise.all([...this.flights]);
    await this.dependencies.lease.release();
    this.holdsLease = false;
  }

  metrics(): RelayMetrics {
    const since = Date.now() - 60_000;
    const lastMinute = this.recent.filter((entry) => entry.at >= since).reduce((sum, entry) => sum + entry.count, 0);
    return {
      holdsLease: this.holdsLease,
      ...this.counters,
      relayedPerSecond: Math.round((lastMinute / 60) * 10) / 10,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError.message, lastFailureAt: this.lastError.at }),
    };
  }

  /**
   * Two loops under one lease: relaying (and the chores), and sending. Apart, so that slow receivers never hold back
   * the log and the change feed, and a burst of writes never holds back deliveries already due.
   */
  private async work(): Promise<void> {
    await Promise.all([
      this.loopWhileRunning(async () => {
        this.holdsLease = await this.dependencies.lease.acquire();
        if (!this.holdsLease) return false;
        const relayed = await this.relayOnce();
        for (const chore of this.dependencies.chores ?? []) {
          if (Date.now() - (this.choresRun.get(chore) ?? -Infinity) < (chore.everyMs ?? 0)) continue;
          this.choresRun.set(chore, Date.now());
          await this.runChore(chore);
        }
        // Only a full batch goes again at once: under a steady stream of writes, each round then takes what came in
        // during the pause, and a round's fixed cost (a read per collection, the locks, the log's head) is shared by
        // many events instead of a few.
        return relayed >= this.settings.batchSize;
      }, this.sleepers),
      // New deliveries, or an attempt over with its line's next one to read, wake the sender from its pause.
      this.loopWhileRunning(async () => this.holdsLease && ((await this.sendOnce()) > 0 || this.sendNow), this.senderSleepers),
    ]);
  }

  /** Runs `round` until stopped, at once again after a busy round, after `idleMs` (or a wake) otherwise or after a failure. */
  private async loopWhileRunning(round: () => Promise<boolean>, sleepers: Set<() => void>): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        busy = await round();
      } catch (error) {
        this.roundFailed(error);
      }
      if (!busy && this.running) await this.pause(this.settings.idleMs, sleepers);
    }
  }

  private roundFailed(error: unknown): void {
    this.counters.relayFailures += 1;
    this.lastError = { message: (error as Error).message, at: new Date() };
    this.dependencies.logger?.error('event relay round failed', { error: this.lastError.message });
  }

  /** Waits `ms`, or less when one of `sleepers` is woken. */
  private pause(ms: number, sleepers: Set<() => void>): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  }

  private wakeSender(): void {
    for (const wake of [...this.senderSleepers]) wake();
  }

  private async runChore(chore: Chore): Promise<void> {
    try {
      await chore.run();
    } catch (error) {
      this.dependencies.logger?.warn(`${chore.name} failed`, { error: (error as Error).message });
    }
  }

  /** One round of relaying: up to a batch of events from the outbox to the logs and the deliveries. Returns how many. */
  async relayOnce(): Promise<number> {
    const { outbox, log, deliveries } = this.dependencies;
    const events = await outbox.pending(this.settings.batchSize);
    if (events.length === 0) return 0;
    const now = this.now();
    const logged = await log.append(events);
    const queued = await this.deliveriesOf(logged);
    await deliveries.enqueue(queued, now);
    if (queued.length > 0) {
      this.sendNow = true;
      this.wakeSender();
    }
    await outbox.markPublished(events.map((event) => event.id));
    this.counters.relayed += events.length;
    this.recent.push({ at: Date.now(), count: events.length });
    while (this.recent.length > 0 && (this.recent[0] as { at: number }).at < Date.now() - 60_000) this.recent.shift();
    return events.length;
  }

  private async deliveriesOf(logged: readonly LoggedEvent[]): Promise<{ endpointId: string; event: LoggedEvent; body: string }[]> {
    const endpointsOf = new Map<string, readonly WebhookEndpoint[]>();
    for (const tenantId of new Set(logged.map((event) => event.tenantId))) endpointsOf.set(tenantId, await this.dependencies.endpoints.list(tenantId));
    const queued: { endpointId: string; event: LoggedEvent; body: string }[] = [];
    for (const event of logged) {
      const wanting = (endpointsOf.get(event.tenantId) ?? []).filter((endpoint) => endpointWants(endpoint, event.type));
      if (wanting.length === 0) continue;
      const body = JSON.stringify(eventJsonOf(event));
      for (const endpoint of wanting) queued.push({ endpointId: endpoint.id, event, body });
    }
    return queued;
  }

  /**
   * One round of sending: reads the waiting deliveries and hands them out as slots free, a delivery at a time, fairly
   * between tenants, endpoints and lines (an endpoint and an aggregate, in sequence order until one fails; see
   * {@link DeliveryLines}). It ends when all it read is over, or when a read would find more (new deliveries queued,
   * SEND_CHECK_MS passed) and what it read is handed out or it has gone on for SEND_ROUND_MS: attempts still under way
   * then go on beside the next round, which leaves their lines alone. Returns how many attempts it started.
   */
  async sendOnce(): Promise<number> {
    if (this.sending || (!this.sendNow && Date.now() < this.nextSendCheck)) return 0;
    this.sending = true;
    const attemptsBefore = this.attemptsMade;
    try {
      this.sendNow = false;
      const read = this.lines.readBegins();
      const readStarted = Date.now();
      // At most WAITING_READ; past that many waiting, each endpoint's share, oldest first (the store's `waiting`), so that
      // no endpoint's backlog keeps the others' from being read (ADR 0023).
      const waiting = await this.dependencies.deliveries.waiting(WAITING_READ);
      const endsAt = Date.now() + Math.max(SEND_ROUND_MS, (this.yielding() ? ROUND_PER_READ_SERVING : ROUND_PER_READ) * (Date.now() - readStarted));
      const now = this.now();
      // Deliveries queued elsewhere (a re-send through another process) are seen within this time at the latest.
      this.nextSendCheck = Date.now() + SEND_CHECK_MS;
      const later = this.lines.fill(read, waiting, now);
      if (later !== undefined) this.nextSendCheck = Math.min(this.nextSendCheck, Date.now() + (later - now.getTime()));
      this.deleted.clear();
      while (!this.stopping) {
        const limits = inFlightLimits(this.yielding() ? 1 : this.settings.sendConcurrency);
        for (let delivery = this.lines.take(limits, this.now()); delivery; delivery = this.lines.take(limits, this.now())) this.launch(delivery);
        if (!this.lines.waiting && this.lines.inFlight === 0) break;
        const readAgain = this.sendNow ? !this.lines.waiting || Date.now() >= endsAt : this.lines.waiting && Date.now() >= Math.max(endsAt, this.nextSendCheck);
        if (readAgain) break;
        // Woken by an attempt that ends or new deliveries; while the process serves requests, also to see whether it still does.
        const until = this.sendNow ? endsAt : this.lines.waiting ? Math.max(endsAt, this.nextSendCheck) : Infinity;
        await this.pause(Math.max(0, Math.min(until - Date.now(), this.yielding() ? YIELD_CHECK_MS : SEND_CHECK_MS)), this.senderSleepers);
      }
      // Lines stopped at a retry, or went on past what this read saw: look again at once.
      if (this.attemptsMade > attemptsBefore || this.lines.waiting) this.sendNow = true;
    } finally {
      this.sending = false;
    }
    return this.attemptsMade - attemptsBefore;
  }

  /** Starts sending one delivery that {@link DeliveryLines.take} gave, tracked until over. */
  private launch(delivery: WebhookDelivery): void {
    const flight: Promise<void> = this.send(delivery).finally(() => this.flights.delete(flight));
    this.flights.add(flight);
  }

  /**
   * Reads the delivery's endpoint, then attempts it. The endpoint is read before each attempt, not once a round: a change
   * stored (deleted, disabled, a new URL, older secrets ended) holds for every attempt that starts after it.
   */
  private async send(delivery: WebhookDelivery): Promise<void> {
    let goOn = false;
    try {
      const key = `${delivery.tenantId}/${delivery.endpointId}`;
      const endpoint = this.deleted.has(key) ? undefined : await this.dependencies.endpoints.get(delivery.tenantId, delivery.endpointId);
      if (!endpoint) this.deleted.add(key);
      if (endpoint && !endpoint.enabled) this.lines.drop(delivery);
      else if (!this.stopping) {
        this.attemptsMade += 1;
        goOn = await this.attempt(delivery, endpoint);
      }
    } catch (error) {
      this.roundFailed(error);
    } finally {
      this.lines.settle(delivery, goOn);
      // Its line's next delivery is in the round under way, if any; otherwise the next round reads it.
      if (!this.sending) this.sendNow = true;
      this.wakeSender();
    }
  }

  private yielding(): boolean {
    return this.dependencies.foregroundBusy?.() ?? false;
  }

  /** Runs a write of the sender's, at most `recordConcurrency` at once (one while the process serves requests). */
  private async record(write: () => Promise<void>): Promise<void> {
    while (this.recording >= (this.yielding() ? 1 : this.settings.recordConcurrency)) await new Promise<void>((resolve) => this.recordQueue.push(resolve));
    this.recording += 1;
    try {
      await write();
    } finally {
      this.recording -= 1;
      this.recordQueue.shift()?.();
    }
  }

  /** Sends one delivery and records the attempt; true when it was delivered. */
  private async attempt(delivery: WebhookDelivery, endpoint: WebhookEndpoint | undefined): Promise<boolean> {
    const { deliveries, endpoints } = this.dependencies;
    const at = this.now();
    let result: DeliveryAttemptResult;
    if (!endpoint) {
      result = { ok: false, latencyMs: 0, error: 'the endpoint was deleted' };
    } else {
      const headers = signWebhook(signingSecrets(endpoint, at), { id: delivery.eventId, timestamp: at, body: delivery.body });
      const policy = typeof this.settings.urlPolicy === 'function' ? this.settings.urlPolicy(delivery.tenantId) : this.settings.urlPolicy;
      result = await this.post(endpoint.url, { ...headers }, delivery.body, policy, this.settings.limits);
    }
    const attempt = {
      at,
      latencyMs: result.latencyMs,
      ...(result.status === undefined ? {} : { status: result.status }),
      ...(result.error === undefined ? {} : { error: result.error }),
      ...(result.responseExcerpt === undefined ? {} : { response: result.responseExcerpt }),
    };
    if (result.ok) {
      await this.record(() => deliveries.recordAttempt(delivery, attempt, { status: 'delivered' }));
      this.counters.deliveriesSent += 1;
      // One write per endpoint and minute at most: enough to tell "has it succeeded since this failure began".
      const key = `${delivery.tenantId}/${delivery.endpointId}`;
      const last = Math.max(endpoint?.lastSuccessAt?.getTime() ?? -Infinity, this.successRecorded.get(key) ?? -Infinity);
      if (endpoint && at.getTime() - last > 60_000) {
        this.successRecorded.set(key, at.getTime());
        await endpoints.recordSuccess(endpoint.tenantId, endpoint.id, at);
      }
      return true;
    }
    this.counters.deliveriesFailedAttempts += 1;
    const firstAttemptAt = delivery.firstAttemptAt ?? at;
    const retryAt = endpoint ? nextAttemptAt(this.settings.retry, delivery.attempts + 1, firstAttemptAt, at) : undefined;
    if (retryAt) {
      await this.record(() => deliveries.recordAttempt(delivery, attempt, { status: 'pending', nextAttemptAt: retryAt }));
      return false;
    }
    await this.record(() => deliveries.recordAttempt(delivery, attempt, { status: 'failed' }));
    this.counters.deliveriesGivenUp += 1;
    // Failing for the whole window without one success since: the endpoint is disabled, and says so in an event.
    if (endpoint && (!endpoint.lastSuccessAt || endpoint.lastSuccessAt < firstAttemptAt) && (await endpoints.disableFailing(endpoint.tenantId, endpoint.id, endpoint.version, at))) {
      this.counters.endpointsDisabled += 1;
      this.dependencies.logger?.warn('webhook endpoint disabled after failing for the whole retry window', { tenantId: endpoint.tenantId, endpointId: endpoint.id });
    }
    // A delivery given up no longer holds back its aggregate's later events.
    return true;
  }
}
