import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@invoicing/core';
import { SetBillingPlan } from './plans/billing-plan.use-cases';
import { priceModel } from './pricing/price-model';
import { createBillingScenario } from './testing';
import { RecordUsage } from './usage/usage.use-cases';

/**
 * A value of the wrong type (null, a string for an object …) given to the public API of @invoicing/billing is refused
 * with a typed ValidationError naming the field, never a TypeError from deep inside a parser.
 */

const VAT = { code: 'S', rate: '20' } as const;

/** The error `run` throws or rejects with; fails when it succeeds. */
async function refusal(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal, the input was accepted');
}

async function scenarioWithPlan() {
  const scenario = await createBillingScenario({ now: '2026-03-10T12:00:00Z' });
  await scenario.use(SetBillingPlan).execute({
    tenantId: scenario.tenantId,
    partnershipId: scenario.partnership.id,
    effectiveFrom: '2026-03-01',
    terms: { interval: 'monthly', charges: [{ kind: 'usage', code: 'calls', name: 'API calls', metric: { code: 'api_calls', aggregation: 'count' }, price: { kind: 'per_unit', unitPrice: '0.01' }, vat: VAT }] },
  });
  return scenario;
}

// `any`: these inputs are what a JavaScript caller or a JSON body can send, whatever the types say.
/* eslint-disable @typescript-eslint/no-explicit-any */
describe('wrong input types through the public API of @invoicing/billing', () => {
  it.each<[string, (scenario: Awaited<ReturnType<typeof scenarioWithPlan>>) => unknown, string, string]>([
    [
      'SetBillingPlan with a null tier',
      (s) =>
        s.use(SetBillingPlan).execute({
          tenantId: s.tenantId,
          partnershipId: s.partnership.id,
          effectiveFrom: '2026-03-01',
          expectedVersion: 1,
          terms: { interval: 'monthly', charges: [{ kind: 'usage', code: 'c', name: 'C', vat: VAT, metric: { code: 'c', aggregation: 'count' }, price: { kind: 'graduated', tiers: [{ upTo: '10', unitPrice: '1' }, null] } }] },
        } as any),
      'request.is_object',
      'terms.charges.0.price.tiers.1',
    ],
    ['priceModel(null)', () => priceModel(null as any), 'request.is_object', ''],
    ['priceModel with a null tier', () => priceModel({ kind: 'volume', tiers: [null] } as any), 'request.is_object', 'tiers.0'],
  ])('refuses %s with a typed error', async (_case, run, code, path) => {
    const error = await refusal(() => scenarioWithPlan().then(run));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe(code);
    expect((error as ValidationError).issues.map((issue) => [issue.path, issue.code])).toEqual([[path, code]]);
  });

  it.each<[string, unknown, string, string]>([
    ['a null event', null, 'request.is_object', ''],
    ['a string for an event', 'calls', 'request.is_object', ''],
    ['a list for an event', [], 'request.is_object', ''],
    ['properties that are a string', { eventId: 'bad', metricCode: 'api_calls', timestamp: '2026-03-10T10:00:00Z', properties: 'gb=2' }, 'request.is_object', 'properties'],
  ])('RecordUsage rejects %s on its own and stores the others of the batch', async (_case, bad, code, path) => {
    const s = await scenarioWithPlan();
    const event = (eventId: string) => ({ eventId, metricCode: 'api_calls', timestamp: '2026-03-10T10:00:00Z', partnershipId: s.partnership.id });
    const badEvent = typeof bad === 'object' && bad !== null && !Array.isArray(bad) ? { ...bad, partnershipId: s.partnership.id } : bad;

    const result = await s.use(RecordUsage).execute({ tenantId: s.tenantId, events: [event('before'), badEvent as any, event('after')] });

    expect(result.results.map((each) => (each.status === 'rejected' ? [each.status, each.error.code, each.error.issues.map((issue) => [issue.path, issue.code])] : [each.eventId, each.status]))).toEqual([
      ['before', 'stored'],
      ['rejected', code, [[path, code]]],
      ['after', 'stored'],
    ]);
    expect([result.stored, result.rejected]).toEqual([2, 1]);
  });
});
