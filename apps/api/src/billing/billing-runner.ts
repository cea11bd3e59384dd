import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ExecuteBillingRun, TakeOverStalledRun, type BillingRunState } from '@invoicing/billing';
import { definedFields } from '@invoicing/core';
import { currentEventOrigin, runAs } from '@invoicing/integration';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Carries out started billing runs in the background of this process: the request that starts one answers at once
 * (202), and {@link ExecuteBillingRun} bills partnership after partnership behind it. The use case awaits the database
 * for each partnership and bills at most `BILLING_RUN_CONCURRENCY` at once, so the event loop stays free for other
 * requests. A run already being carried out here is not started twice. A run read, or found by a retry of its start
 * (its key's record lost), while its record has not moved for the stalled time (its process stopped) is taken over
 * here ({@link TakeOverStalledRun}): polling a run is enough to see it finish. Before that it is left to the process
 * carrying it out, which may still be running it; taking over bills nothing twice, as bills are unique per
 * partnership and date. On shutdown the runs stop at their next date, left `running` to be taken over so: closing
 * never waits for a run to end.
 */
@Injectable()
export class BillingRunner implements OnModuleDestroy {
  private readonly running = new Map<string, Promise<void>>();
  /** Aborted when the process shuts down: the runs under way stop at their next date. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly executeBillingRun: ExecuteBillingRun,
    private readonly takeOverStalledRun: TakeOverStalledRun,
  ) {}

  /** `run` as read, or as taken over and now carried out here when its process had stopped. */
  async resumeIfStalled(run: BillingRunState, log: FastifyBaseLogger): Promise<BillingRunState> {
    if (this.stopping.signal.aborted || this.running.has(keyOf(run)) || !this.takeOverStalledRun.stalled(run)) return run;
    const taken = await this.takeOverStalledRun.execute({ tenantId: run.tenantId, runId: run.id });
    if (!taken) return run;
    log.warn({ tenantId: run.tenantId, billingRunId: run.id, lastWrittenAt: run.updatedAt.toISOString() }, 'billing run taken over: its process had stopped');
    this.carryOut(taken, log);
    return taken;
  }

  /** Starts carrying out `run` unless it is over or already carried out here; `log` says how it ended. */
  carryOut(run: BillingRunState, log: FastifyBaseLogger): void {
    const key = keyOf(run);
    // Shutting down: the run waits, `running`, for a process to take it over.
    if (run.status !== 'running' || this.running.has(key) || this.stopping.signal.aborted) return;
    const context = { tenantId: run.tenantId, billingRunId: run.id };
    // A run's invoices are the system's doing, in the request that started the run (docs/events.md, "Actor").
    const origin = { actor: { type: 'system' as const, id: 'billing-run' }, ...definedFields({ requestId: currentEventOrigin()?.requestId }) };
    const done = runAs(origin, () => this.executeBillingRun.execute({ tenantId: run.tenantId, runId: run.id, stop: this.stopping.signal })).then(
      (finished) =>
        finished.status === 'running'
          ? log.warn({ ...context, counts: finished.counts }, 'billing run stopped by shutdown: left running for another process to take over')
          : log.info({ ...context, status: finished.status, counts: finished.counts }, 'billing run finished'),
      // The run's record says `failed` when it could; when even that write failed it stays `running`, and the next
      // run bills what this one did not.
      (error: unknown) => log.error({ ...context, err: error }, 'billing run stopped'),
    );
    this.running.set(key, done);
    void done.finally(() => this.running.delete(key));
  }

  /**
   * On shutdown, before the database closes: the runs under way stop at their next date (each bill, with its invoice,
   * is one short step) and write their progress. A dry run or a run over many partnerships could otherwise hold the
   * process for hours (audit dates F1).
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.running.values());
  }
}

function keyOf(run: BillingRunState): string {
  return `${run.tenantId}\u0000${run.id}`;
}
