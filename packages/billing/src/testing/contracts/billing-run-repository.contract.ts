import { ConflictError, type Cursor, type TenantId } from '@invoicing/core';
import { aTenant } from '@invoicing/invoice/testing';
import type { BillingAdapters } from '../../billing-adapters';
import type { BillingRunState } from '../../runs/billing-run';
import type { BillingRunRepository } from '../../runs/billing-run-repository.port';
import { aRun } from './billing-builders';
import { jestGlobals } from './jest-globals';

/** Contract of `BillingRunRepository`: runs by tenant and id, replaced as they progress, listed newest first. */
export function describeBillingRunRepositoryContract(adapters: () => BillingAdapters): void {
  const { describe, expect, it } = jestGlobals();
  const runs = (): BillingRunRepository => adapters().runs;

  /** Every run of a tenant, through pages of `limit`. */
  async function everyRun(tenant: TenantId, limit: number): Promise<BillingRunState[][]> {
    const pages: BillingRunState[][] = [];
    let cursor: Cursor | null | undefined;
    do {
      const page = await runs().list(tenant, { limit, ...(cursor ? { cursor } : {}) });
      pages.push([...page.items]);
      cursor = page.nextCursor;
    } while (cursor);
    return pages;
  }

  describe('BillingRunRepository', () => {
    it('creates a run once and reads it back whole; the same id again is refused with billing_run.id_taken', async () => {
      const tenant = aTenant();
      const run = aRun(tenant, 'run-1');

      await runs().create(run);
      const again = runs().create({ ...run, dryRun: false });

      await expect(again).rejects.toBeInstanceOf(ConflictError);
      await expect(runs().create(run)).rejects.toMatchObject({ code: 'billing_run.id_taken' });
      expect(await runs().get(tenant, 'run-1')).toEqual(run);
      const { partnershipIds: _all, previews: _none, error: _fine, ...plain } = aRun(tenant, 'run-2');
      await runs().create(plain);
      const read = await runs().get(tenant, 'run-2');
      expect(read).toEqual(plain);
      expect(read && ['partnershipIds', 'previews', 'error', 'finishedAt'].filter((field) => field in read)).toEqual([]);
    });

    it('lets one of several callers at once take over a run still running whose record is older than asked, and no other run', async () => {
      const tenant = aTenant();
      const stalled = aRun(tenant, 'stalled', '2026-02-01T06:00:00Z');
      await runs().create(stalled);
      await runs().create(aRun(tenant, 'moving', '2026-02-01T06:00:00Z', { updatedAt: new Date('2026-02-01T06:09:00Z') }));
      await runs().create(aRun(tenant, 'done', '2026-02-01T06:00:00Z', { status: 'completed' }));
      const stalledBefore = new Date('2026-02-01T06:05:00Z');
      const at = new Date('2026-02-01T06:10:00Z');

      const claims = await Promise.all(Array.from({ length: 5 }, () => runs().claimStalled(tenant, 'stalled', stalledBefore, at)));
      const taken = claims.filter((claim) => claim !== undefined);
      expect(taken).toEqual([{ ...stalled, updatedAt: at }]);
      expect((await runs().get(tenant, 'stalled'))?.updatedAt).toEqual(at);
      // Taken over now: no longer stalled for a later caller.
      expect(await runs().claimStalled(tenant, 'stalled', stalledBefore, at)).toBeUndefined();
      expect(await runs().claimStalled(tenant, 'moving', stalledBefore, at)).toBeUndefined();
      expect(await runs().claimStalled(tenant, 'done', stalledBefore, at)).toBeUndefined();
      expect(await runs().claimStalled(tenant, 'missing', stalledBefore, at)).toBeUndefined();
      expect(await runs().claimStalled(aTenant(), 'stalled', stalledBefore, at)).toBeUndefined();
    });

    it('replaces a run with its latest progress: fields it no longer has are gone', async () => {
      const tenant = aTenant();
      const run = aRun(tenant, 'run-1');
      await runs().create(run);
      const { error: _gone, previews: _too, ...rest } = run;
      const finished: BillingRunState = {
        ...rest,
        status: 'completed',
        counts: { ...run.counts, processed: 2, bills: 2, invoicesIssued: 1, invoicesDrafted: 1 },
        failures: [],
        updatedAt: new Date('2026-02-01T06:05:00.001Z'),
        finishedAt: new Date('2026-02-01T06:05:00.001Z'),
      };

      await runs().update(finished);

      expect(await runs().get(tenant, 'run-1')).toEqual(finished);
      const read = await runs().get(tenant, 'run-1');
      expect(read && 'error' in read).toBe(false);
    });

    it('stores nothing when a run that was never created is updated', async () => {
      const tenant = aTenant();

      await runs().update(aRun(tenant, 'never-created'));

      expect(await runs().get(tenant, 'never-created')).toBeUndefined();
    });

    it("treats another tenant's run exactly like a missing one, and lets that tenant have its own under the same id", async () => {
      const tenant = aTenant();
      const other = aTenant();
      await runs().create(aRun(tenant, 'run-1'));

      expect(await runs().get(other, 'run-1')).toBeUndefined();
      await runs().update(aRun(other, 'run-1', '2026-03-01T00:00:00Z'));
      expect((await runs().get(tenant, 'run-1'))?.startedAt).toEqual(new Date('2026-02-01T06:00:00Z'));
      await runs().create(aRun(other, 'run-1', '2026-03-01T00:00:00Z'));
      expect((await runs().get(other, 'run-1'))?.startedAt).toEqual(new Date('2026-03-01T00:00:00Z'));
    });

    it("lists a tenant's runs newest first (by start, then id), page after page", async () => {
      const tenant = aTenant();
      const created = [
        aRun(tenant, 'r-1', '2026-01-01T06:00:00Z'),
        aRun(tenant, 'r-3', '2026-03-01T06:00:00Z'),
        aRun(tenant, 'r-2b', '2026-02-01T06:00:00Z'),
        aRun(tenant, 'r-2a', '2026-02-01T06:00:00Z'),
        aRun(tenant, 'r-4', '2026-04-01T06:00:00.001Z'),
      ];
      for (const run of created) await runs().create(run);
      await runs().create(aRun(aTenant(), 'r-9', '2026-05-01T06:00:00Z'));
      const byId = (id: string) => created.find((run) => run.id === id);

      const pages = await everyRun(tenant, 2);

      expect(pages).toEqual([
        [byId('r-4'), byId('r-3')],
        [byId('r-2b'), byId('r-2a')],
        [byId('r-1')],
      ]);
      expect(await everyRun(tenant, 5)).toEqual([pages.flat()]);
      expect(await runs().list(aTenant(), {})).toEqual({ items: [], nextCursor: null });
      await expect(runs().list(tenant, { cursor: 'not-a-cursor' as Cursor })).rejects.toMatchObject({ code: 'pagination.invalid_cursor' });
    });
  });
}
