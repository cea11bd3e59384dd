/** Port: the current instant. Inject it instead of calling `new Date()`, so tests control time. */
export interface Clock {
  now(): Date;
}

/** Injection token of the {@link Clock} port. */
export const CLOCK = Symbol.for('@invoicing/core/Clock');

/** The machine's clock. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
