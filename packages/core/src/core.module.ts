import { ContainerModule } from 'inversify';
import { EVENT_PUBLISHER, type EventPublisher } from './events/domain-event';
import { ID_GENERATOR, UuidV7IdGenerator, type IdGenerator } from './ids/id';
import { CLOCK, SystemClock, type Clock } from './time/clock.port';

/** The implementations of core's ports a container gets from {@link coreModule}. */
export interface CorePorts {
  /** What time it is; the machine's clock ({@link SystemClock}) when omitted. */
  readonly clock?: Clock;
  /** Where new ids come from; UUIDv7s ({@link UuidV7IdGenerator}) when omitted. */
  readonly ids?: IdGenerator;
  /** Where relayed domain events go. No default: dropping events silently is never what a service wants. */
  readonly publisher: EventPublisher;
}

/**
 * Binds core's ports (`CLOCK`, `ID_GENERATOR`, `EVENT_PUBLISHER`) in an inversify container. Load it once per
 * container, beside the module of every domain package (`invoiceModule`, …), which bind only their own ports, so
 * several domain packages share one clock, one id generator and one publisher without binding them twice.
 *
 * @example
 * container.loadSync(coreModule({ publisher }), invoiceModule(), invoiceAdaptersModule(adapters));
 */
export function coreModule(ports: CorePorts): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(CLOCK).toConstantValue(ports.clock ?? new SystemClock());
    bind(ID_GENERATOR).toConstantValue(ports.ids ?? new UuidV7IdGenerator());
    bind(EVENT_PUBLISHER).toConstantValue(ports.publisher);
  });
}
