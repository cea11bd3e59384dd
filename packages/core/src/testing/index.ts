/**
 * Test doubles for the core ports: a clock you set and an id generator that counts.
 * @packageDocumentation
 */
import type { Clock } from '../time/clock.port';
import type { Id, IdGenerator } from '../ids/id';

/** A clock that returns the instant it was given, until moved. */
export class FixedClock implements Clock {
  private instant: Date;

  constructor(instant: Date = new Date('2026-01-15T09:00:00Z')) {
    // A copy: the caller may go on changing the Date it passed.
    this.instant = new Date(instant);
  }

  now(): Date {
    return new Date(this.instant);
  }

  /** Sets the clock to an instant (an ISO 8601 string or a Date). */
  set(instant: Date | string): void {
    this.instant = new Date(instant);
  }

  /** Moves the clock forward. */
  advance(milliseconds: number): void {
    this.instant = new Date(this.instant.getTime() + milliseconds);
  }
}

/** Ids `<prefix>-000001`, `<prefix>-000002` …: readable in test failures, and sortable like real ones. */
export class SequentialIdGenerator implements IdGenerator {
  private counter = 0;

  constructor(private readonly prefix = 'id') {}

  next<Brand extends string>(): Id<Brand> {
    this.counter += 1;
    return `${this.prefix}-${String(this.counter).padStart(6, '0')}` as Id<Brand>;
  }
}
