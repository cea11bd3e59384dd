import type { WebhookDelivery } from '../webhooks/webhook';

/** Deliveries in flight at once: in all, and at most per tenant and per endpoint. */
export interface InFlightLimits {
  readonly total: number;
  readonly tenant: number;
  readonly endpoint: number;
}

/**
 * The limits for `total` in flight: no tenant and no endpoint takes every one of them while there are two or more, so
 * that slow receivers leave one for the others' deliveries.
 */
export function inFlightLimits(total: number): InFlightLimits {
  const share = Math.max(1, total - 1);
  return { total, tenant: share, endpoint: share };
}

const endpointKey = (delivery: WebhookDelivery): string => `${delivery.tenantId}/${delivery.endpointId}`;
const lineKey = (delivery: WebhookDelivery): string => `${delivery.tenantId}/${delivery.endpointId}/${delivery.aggregateId}`;
const dueAt = (delivery: WebhookDelivery): number => delivery.nextAttemptAt?.getTime() ?? 0;

/**
 * The sender's waiting deliveries as lines, one per endpoint and aggregate, whose deliveries go out one at a time in
 * sequence order (an aggregate's events reach an endpoint in order, even across retries). Lines are handed out one
 * delivery at a time, to the tenant with the fewest in flight, then the one served longest ago, and likewise between
 * its endpoints; an endpoint's lines take turns. So a line with many deliveries, or a slow receiver, delays the others
 * by at most the attempts it has in flight.
 */
export class DeliveryLines {
  /** Per tenant, per endpoint, its lines in turn, each line's deliveries oldest first. */
  private queued = new Map<string, Map<string, WebhookDelivery[][]>>();
  /** Endpoints whose lines wait for the next read (found disabled). */
  private readonly dropped = new Set<string>();
  /** Lines with a delivery in flight, and the rest of each. */
  private readonly flying = new Map<string, WebhookDelivery[]>();
  private readonly tenantLoad = new Map<string, number>();
  private readonly endpointLoad = new Map<string, number>();
  /** When each tenant and endpoint was last handed a delivery (a counter): the longest waiting goes first. */
  private readonly tenantTurn = new Map<string, number>();
  private readonly endpointTurn = new Map<string, number>();
  private turn = 0;
  private total = 0;
  private reads = 0;
  /** The read during which each line last settled an attempt. */
  private readonly settledIn = new Map<string, number>();

  /** Deliveries in flight. */
  get inFlight(): number {
    return this.total;
  }

  /** Whether deliveries wait to be handed out. */
  get waiting(): boolean {
    return this.queued.size > 0;
  }

  /** A read of the waiting deliveries begins: its number, for {@link fill}. */
  readBegins(): number {
    this.reads += 1;
    return this.reads;
  }

  /**
   * Takes read `read`'s deliveries as the lines to hand out, in place of the previous read's. A line in flight is left
   * out (it goes on from what was read before), and so is a line that settled an attempt since the read began: the
   * read may hold it as it was (a delivery since delivered, or put off), which would send it again or out of order; it
   * keeps what the previous read left of it. Returns when the first line not due by `now` is due, if any.
   */
  fill(read: number, deliveries: readonly WebhookDelivery[], now: Date): number | undefined {
    const previous = this.queued;
    this.queued = new Map();
    this.dropped.clear();
    const lines = new Map<string, WebhookDelivery[]>();
    for (const delivery of [...deliveries].sort((left, right) => left.sequence - right.sequence)) {
      const key = lineKey(delivery);
      const line = lines.get(key);
      if (line) line.push(delivery);
      else lines.set(key, [delivery]);
    }
    const changedSince = (key: string): boolean => (this.settledIn.get(key) ?? 0) >= read;
    let later: number | undefined;
    for (const [key, line] of lines) {
      if (this.flying.has(key) || changedSince(key)) continue;
      const at = dueAt(line[0] as WebhookDelivery);
      if (at > now.getTime()) later = Math.min(later ?? Infinity, at);
      else this.enqueue(line);
    }
    for (const endpoints of previous.values()) {
      for (const endpointLines of endpoints.values()) for (const line of endpointLines) if (changedSince(lineKey(line[0] as WebhookDelivery))) this.enqueue(line);
    }
    for (const [key, at] of this.settledIn) if (at < read) this.settledIn.delete(key);
    // Turns are kept for whoever waits or is in flight; one that comes back later is served as new.
    const tenants = new Set([...this.queued.keys(), ...this.tenantLoad.keys()]);
    for (const tenant of this.tenantTurn.keys()) if (!tenants.has(tenant)) this.tenantTurn.delete(tenant);
    const endpoints = new Set([...[...this.queued.values()].flatMap((each) => [...each.keys()]), ...this.endpointLoad.keys()]);
    for (const endpoint of this.endpointTurn.keys()) if (!endpoints.has(endpoint)) this.endpointTurn.delete(endpoint);
    return later;
  }

  /**
   * The next delivery to send within `limits`, its line in flight until {@link settle}; undefined when none may start.
   * A line whose next delivery is not due by `now` (put off since it was read) waits for a later read.
   */
  take(limits: InFlightLimits, now: Date): WebhookDelivery | undefined {
    while (this.total < limits.total) {
      let best: { tenant: string; endpoint: string; rank: number[] } | undefined;
      for (const [tenant, endpoints] of this.queued) {
        const tenantLoad = this.tenantLoad.get(tenant) ?? 0;
        if (tenantLoad >= limits.tenant) continue;
        for (const endpoint of endpoints.keys()) {
          const endpointLoad = this.endpointLoad.get(endpoint) ?? 0;
          if (endpointLoad >= limits.endpoint) continue;
          const rank = [tenantLoad, this.tenantTurn.get(tenant) ?? 0, endpointLoad, this.endpointTurn.get(endpoint) ?? 0];
          if (!best || before(rank, best.rank)) best = { tenant, endpoint, rank };
        }
      }
      if (!best) return undefined;
      const endpoints = this.queued.get(best.tenant) as Map<string, WebhookDelivery[][]>;
      const lines = endpoints.get(best.endpoint) as WebhookDelivery[][];
      const [head, ...rest] = lines.shift() as WebhookDelivery[];
      if (lines.length === 0) endpoints.delete(best.endpoint);
      if (endpoints.size === 0) this.queued.delete(best.tenant);
      if (!head || dueAt(head) > now.getTime()) continue;
      this.flying.set(lineKey(head), rest);
      this.total += 1;
      this.tenantLoad.set(best.tenant, (this.tenantLoad.get(best.tenant) ?? 0) + 1);
      this.endpointLoad.set(best.endpoint, (this.endpointLoad.get(best.endpoint) ?? 0) + 1);
      this.turn += 1;
      this.tenantTurn.set(best.tenant, this.turn);
      this.endpointTurn.set(best.endpoint, this.turn);
      return head;
    }
    return undefined;
  }

  /**
   * The attempt at a delivery {@link take} gave is over. `goOn`: the line's next delivery takes its turn (this one was
   * delivered, or given up); otherwise the line waits for a later read (it was put off, or not sent).
   */
  settle(delivery: WebhookDelivery, goOn: boolean): void {
    const key = lineKey(delivery);
    const rest = this.flying.get(key);
    if (rest === undefined) return;
    this.flying.delete(key);
    this.settledIn.set(key, this.reads);
    this.total -= 1;
    for (const [loads, of] of [
      [this.tenantLoad, delivery.tenantId],
      [this.endpointLoad, endpointKey(delivery)],
    ] as const) {
      const load = (loads.get(of) ?? 1) - 1;
      if (load > 0) loads.set(of, load);
      else loads.delete(of);
    }
    if (goOn && rest.length > 0 && !this.dropped.has(endpointKey(delivery))) this.enqueue(rest);
  }

  /** The delivery's endpoint takes no more deliveries until the next read (it was found disabled). */
  drop(delivery: WebhookDelivery): void {
    const endpoint = endpointKey(delivery);
    this.dropped.add(endpoint);
    const endpoints = this.queued.get(delivery.tenantId);
    endpoints?.delete(endpoint);
    if (endpoints?.size === 0) this.queued.delete(delivery.tenantId);
  }

  private enqueue(line: WebhookDelivery[]): void {
    const first = line[0] as WebhookDelivery;
    const endpoints = this.queued.get(first.tenantId) ?? new Map<string, WebhookDelivery[][]>();
    this.queued.set(first.tenantId, endpoints);
    const lines = endpoints.get(endpointKey(first)) ?? [];
    endpoints.set(endpointKey(first), lines);
    lines.push(line);
  }
}

function before(left: readonly number[], right: readonly number[]): boolean {
  for (let index = 0; index < left.length; index += 1) {
    if ((left[index] as number) !== (right[index] as number)) return (left[index] as number) < (right[index] as number);
  }
  return false;
}
