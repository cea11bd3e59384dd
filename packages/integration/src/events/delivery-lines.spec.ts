import type { WebhookDelivery } from '../webhooks/webhook';
import { DeliveryLines, inFlightLimits } from './delivery-lines';

const NOW = new Date('2026-12-07T10:00:00Z');

function delivery(tenantId: string, endpointId: string, aggregateId: string, sequence: number, change: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return { tenantId, endpointId, aggregateId, sequence, eventId: `${tenantId}/${sequence}`, eventType: 'partner.updated', status: 'pending', attempts: 0, createdAt: NOW, nextAttemptAt: NOW, history: [], body: '{}', ...change };
}

const name = (taken: WebhookDelivery | undefined): string | undefined => taken && `${taken.tenantId}/${taken.endpointId}/${taken.aggregateId}/${taken.sequence}`;

function takeAll(lines: DeliveryLines, total: number): string[] {
  const taken: string[] = [];
  for (let next = lines.take(inFlightLimits(total), NOW); next; next = lines.take(inFlightLimits(total), NOW)) taken.push(name(next) as string);
  return taken;
}

describe('DeliveryLines', () => {
  describe('take', () => {
    it('gives each line one delivery at a time, a tenant never served first, and no tenant or endpoint every slot', () => {
      const lines = new DeliveryLines();
      const backlog = [1, 2, 3, 4, 5].flatMap((sequence) => [delivery('a', 'slow', `agg-${sequence % 3}`, sequence)]);
      lines.fill(lines.readBegins(), backlog, NOW);
      // Three lines of endpoint a/slow: three of four slots, one delivery of each line.
      expect(takeAll(lines, 4)).toEqual(['a/slow/agg-1/1', 'a/slow/agg-2/2', 'a/slow/agg-0/3']);
      // Tenant b's delivery, read later, takes the slot left, before a's lines go on.
      lines.fill(lines.readBegins(), [...backlog, delivery('b', 'fast', 'agg-9', 6)], NOW);
      expect(takeAll(lines, 4)).toEqual(['b/fast/agg-9/6']);
      // One in flight (the API busy): after a's delivery ends, b's next goes before a's (a was served last).
      const one = new DeliveryLines();
      one.fill(one.readBegins(), [delivery('a', 'slow', 'x', 1), delivery('a', 'slow', 'x', 2), delivery('b', 'fast', 'y', 3), delivery('b', 'fast', 'y', 4)], NOW);
      const first = one.take(inFlightLimits(1), NOW) as WebhookDelivery;
      expect(one.take(inFlightLimits(1), NOW)).toBeUndefined();
      one.settle(first, true);
      const second = one.take(inFlightLimits(1), NOW) as WebhookDelivery;
      one.settle(second, true);
      expect([first, second, one.take(inFlightLimits(1), NOW)].map(name)).toEqual(['a/slow/x/1', 'b/fast/y/3', 'a/slow/x/2']);
    });

    it("keeps a line in sequence order: its next delivery only once the one before was sent or given up, none after one put off", () => {
      const lines = new DeliveryLines();
      lines.fill(lines.readBegins(), [3, 1, 2].map((sequence) => delivery('t', 'e', 'agg', sequence)), NOW);
      const first = lines.take(inFlightLimits(4), NOW) as WebhookDelivery;
      expect([name(first), lines.take(inFlightLimits(4), NOW)]).toEqual(['t/e/agg/1', undefined]);
      lines.settle(first, true);
      const second = lines.take(inFlightLimits(4), NOW) as WebhookDelivery;
      expect(name(second)).toBe('t/e/agg/2');
      // Put off to a retry: the rest of the line waits for a later read.
      lines.settle(second, false);
      expect([lines.take(inFlightLimits(4), NOW), lines.waiting, lines.inFlight]).toEqual([undefined, false, 0]);
    });
  });

  describe('fill', () => {
    it('leaves out a line in flight, and keeps its own copy of a line that ended an attempt during the read rather than the copy read', () => {
      const lines = new DeliveryLines();
      const line = [1, 2, 3].map((sequence) => delivery('t', 'e', 'agg', sequence));
      lines.fill(lines.readBegins(), [...line, delivery('t', 'e', 'other', 4)], NOW);
      const first = lines.take(inFlightLimits(4), NOW) as WebhookDelivery;
      const other = lines.take(inFlightLimits(4), NOW) as WebhookDelivery;
      expect([first, other].map(name)).toEqual(['t/e/agg/1', 't/e/other/4']);
      // A read begins; meanwhile delivery 1 is delivered: the read still shows it waiting.
      const read = lines.readBegins();
      lines.settle(first, true);
      lines.fill(read, [...line, delivery('t', 'e', 'other', 4)], NOW);
      // Not 1 again (the read's stale copy), and nothing of the line still in flight.
      expect(takeAll(lines, 4)).toEqual(['t/e/agg/2']);
      // The next read, begun after, is taken as it is.
      lines.settle(other, true);
      lines.fill(lines.readBegins(), [delivery('t', 'e', 'other', 5)], NOW);
      expect(takeAll(lines, 4)).toEqual(['t/e/other/5']);
    });

    it('holds back a line whose first delivery is not due, and answers when it is', () => {
      const lines = new DeliveryLines();
      const later = new Date(NOW.getTime() + 10_000);
      expect(lines.fill(lines.readBegins(), [delivery('t', 'e', 'agg', 1, { nextAttemptAt: later }), delivery('t', 'e', 'agg', 2)], NOW)).toBe(later.getTime());
      expect([lines.take(inFlightLimits(4), NOW), lines.waiting]).toEqual([undefined, false]);
    });
  });
});
