import type { Outbox } from '@invoicing/invoice';
import { postDelivery, DEFAULT_DELIVERY_LIMITS, type DeliveryAttemptResult, type DeliveryLimits } from '../webhooks/http-delivery';
import type { WebhookUrlPolicy } from '../webhooks/endpoint-url';
import { signWebhook } from '../webhooks/signature';
import { DEFAULT_RETRY_POLICY, endpointWants, nextAttemptAt, signingSecrets, type RetryPolicy, type WebhookDelivery, type WebhookEndpoint } from '../webhooks/webhook';
import type { WebhookDeliveryStore, WebhookEndpointStore } from '../webhooks/webhook.port';
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
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    await this.loop;
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
      }),
      this.loopWhileRunning(async () => this.holdsLease && (await this.sendOnce()) > 0),
    ]);
  }

  /** Runs `round` until stopped, at once again after a busy round, after `idleMs` otherwise or after a failure. */
  private async loopWhileRunning(round: () => Promise<boolean>): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        busy = await round();
      } catch (error) {
        this.counters.relayFailures += 1;
        this.lastError = { message: (error as Error).message, at: new Date() };
        this.dependencies.logger?.error('event relay round failed', { error: this.lastError.message });
      }
      if (!busy && this.running) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(wake);
        resolve();
      }, this.settings.idleMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.sleepers.add(wake);
    });
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
    if (queued.length > 0) this.sendNow = true;
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
   * One round of sending: every waiting delivery that is due and first in line for its endpoint and aggregate, each
   * line in sequence order until one fails. Returns how many attempts were made.
   */
  async sendOnce(): Promise<number> {
    if (!this.sendNow && Date.now() < this.nextSendCheck) return 0;
    this.sendNow = false;
    // At most WAITING_READ; past that many waiting, each endpoint's share, oldest first (the store's `waiting`), so that
    // no endpoint's backlog keeps the others' from being read (ADR 0023).
    const waiting = await this.dependencies.deliveries.waiting(WAITING_READ);
    const now = this.now();
    // Deliveries queued elsewhere (a re-send through another process) are seen within this time at the latest.
    this.nextSendCheck = Date.now() + SEND_CHECK_MS;
    if (waiting.length === 0) return 0;
    const lines = new Map<string, WebhookDelivery[]>();
    for (const delivery of [...waiting].sort((left, right) => left.sequence - right.sequence)) {
      const key = `${delivery.tenantId}/${delivery.endpointId}/${delivery.aggregateId}`;
      lines.set(key, [...(lines.get(key) ?? []), delivery]);
    }
    const due = [...lines.values()].filter((line) => ((line[0] as WebhookDelivery).nextAttemptAt?.getTime() ?? 0) <= now.getTime());
    const later = [...lines.values()].map((line) => (line[0] as WebhookDelivery).nextAttemptAt?.getTime() ?? 0).filter((at) => at > now.getTime());
    this.nextSendCheck = Math.min(this.nextSendCheck, ...later.slice(0, 10_000).map((at) => Date.now() + (at - now.getTime())));
    if (due.length === 0) return 0;
    const endpoints = new Map<string, Promise<WebhookEndpoint | undefined>>();
    const endpointOf = (delivery: WebhookDelivery): Promise<WebhookEndpoint | undefined> => {
      const key = `${delivery.tenantId}/${delivery.endpointId}`;
      if (!endpoints.has(key)) endpoints.set(key, this.dependencies.endpoints.get(delivery.tenantId, delivery.endpointId));
      return endpoints.get(key) as Promise<WebhookEndpoint | undefined>;
    };
    let attempts = 0;
    let next = 0;
    const worker = async (index: number): Promise<void> => {
      while (next < due.length && !this.stopping) {
        if (index > 0 && this.yielding()) {
          await new Promise((resolve) => setTimeout(resolve, YIELD_CHECK_MS));
          continue;
        }
        const line = due[next++] as WebhookDelivery[];
        for (const delivery of line) {
          if ((delivery.nextAttemptAt?.getTime() ?? 0) > this.now().getTime()) break;
          const endpoint = await endpointOf(delivery);
          if (endpoint && !endpoint.enabled) break;
          attempts += 1;
          if (!(await this.attempt(delivery, endpoint))) break;
          if (this.stopping) return;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.sendConcurrency, due.length) }, (_, index) => worker(index)));
    // Lines stopped at a retry, or went on past what this read saw: look again at once.
    if (attempts > 0) this.sendNow = true;
    return attempts;
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
      if (endpoint && (!endpoint.lastSuccessAt || at.getTime() - endpoint.lastSuccessAt.getTime() > 60_000)) {
        await endpoints.recordSuccess(endpoint.tenantId, endpoint.id, at);
        (endpoint as { lastSuccessAt?: Date }).lastSuccessAt = at;
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
      (endpoint as { enabled: boolean }).enabled = false;
      this.counters.endpointsDisabled += 1;
      this.dependencies.logger?.warn('webhook endpoint disabled after failing for the whole retry window', { tenantId: endpoint.tenantId, endpointId: endpoint.id });
    }
    // A delivery given up no longer holds back its aggregate's later events.
    return true;
  }
}
