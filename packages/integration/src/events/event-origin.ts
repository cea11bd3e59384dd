import type { EventActor } from '@invoicing/core';
import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is acting, and in which request: what every event stored while it runs is stamped with. */
export interface EventOrigin {
  readonly actor: EventActor;
  readonly requestId?: string;
}

/** The platform acting on its own: the default when no request or job set an origin. */
export const SYSTEM_ACTOR: EventActor = { type: 'system', id: 'system' };

const storage = new AsyncLocalStorage<EventOrigin>();

/**
 * Runs `work` as `origin`: the events stored by any save it makes, however deep and however asynchronous, carry that
 * actor and request id. Aggregates stay unaware of who calls them; the adapter that writes the outbox asks.
 */
export function runAs<T>(origin: EventOrigin, work: () => T): T {
  return storage.run(origin, work);
}

/** The origin of the work running now, if any. */
export function currentEventOrigin(): EventOrigin | undefined {
  return storage.getStore();
}
