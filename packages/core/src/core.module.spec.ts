import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Container, ContainerModule } from 'inversify';
import { coreModule } from './core.module';
import { EVENT_PUBLISHER, type DomainEvent, type EventPublisher } from './events/domain-event';
import { ID_GENERATOR, UuidV7IdGenerator, type IdGenerator } from './ids/id';
import { FixedClock, SequentialIdGenerator } from './testing';
import { CLOCK, SystemClock, type Clock } from './time/clock.port';

const publisher: EventPublisher = { publish: async (_events: readonly DomainEvent[]) => undefined };

describe('coreModule', () => {
  it('binds the clock, id generator and publisher it is given', () => {
    const clock = new FixedClock(new Date('2026-03-10T09:00:00Z'));
    const ids = new SequentialIdGenerator();
    const container = new Container();
    container.loadSync(coreModule({ clock, ids, publisher }));

    expect(container.get<Clock>(CLOCK).now().toISOString()).toBe('2026-03-10T09:00:00.000Z');
    expect(container.get<IdGenerator>(ID_GENERATOR).next()).toBe('id-000001');
    expect(container.get<EventPublisher>(EVENT_PUBLISHER)).toBe(publisher);
  });

  it('uses the system clock and UUIDv7 ids when none are given', () => {
    const container = new Container();
    container.loadSync(coreModule({ publisher }));

    expect(container.get(CLOCK)).toBeInstanceOf(SystemClock);
    expect(container.get(ID_GENERATOR)).toBeInstanceOf(UuidV7IdGenerator);
  });

  it('lets several domain modules share its ports, each bound once', () => {
    // Two domain packages' modules, each resolving the clock through its own binding of the token.
    const uses = (name: string) =>
      new ContainerModule(({ bind }) => {
        bind(name).toResolvedValue((clock: Clock) => clock, [CLOCK]);
      });
    const container = new Container();
    container.loadSync(coreModule({ publisher }), uses('invoice'), uses('billing'));

    expect(container.get<Clock>('invoice')).toBe(container.get<Clock>('billing'));
    expect(container.getAll(CLOCK)).toHaveLength(1);
  });
});
