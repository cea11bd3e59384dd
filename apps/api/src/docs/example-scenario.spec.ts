import { describe, expect, it, jest } from '@jest/globals';
import type { ExampleScenario } from './example-scenario';

/** Plays the scenario in a fresh copy of the module, as a new start of the API would. */
function playFresh(): Promise<ExampleScenario> {
  let play: (() => Promise<ExampleScenario>) | undefined;
  jest.isolateModules(() => {
    ({ exampleScenario: play } = jest.requireActual<typeof import('./example-scenario')>('./example-scenario'));
  });
  if (!play) throw new Error('example-scenario did not load');
  return play();
}

/** The UUIDv7 ids of a state, with the instant each one's first 48 bits tell. */
const UUID_V7 = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('exampleScenario', () => {
  it('tells the same story on every start: the same ids, instants and amounts', async () => {
    const [first, second] = await Promise.all([playFresh(), playFresh()]);
    expect(JSON.stringify(second)).toEqual(JSON.stringify(first));
  });

  it('plays it once per start', async () => {
    const { exampleScenario } = await import('./example-scenario');
    expect(await exampleScenario()).toBe(await exampleScenario());
  });

  it('gives out UUIDv7 ids that tell when each resource was created', async () => {
    const { partners, invoices, payments } = await playFresh();
    for (const state of [partners.seller, invoices.issued, payments.recorded]) {
      const [, high = '', low = ''] = UUID_V7.exec(state.id) ?? [];
      expect(new Date(parseInt(`${high}${low}`, 16)).toISOString()).toBe(new Date(state.createdAt).toISOString());
    }
  });

  it('tells the story the examples describe: invoice NL-2026-0412 of 16 hours at the negotiated rate and 6 seats, 19 % VAT, settled by two payments', async () => {
    const { invoices, payments } = await playFresh();
    const { issued } = invoices;
    expect([issued.number, issued.externalReference, issued.currency, issued.seller?.legalName, issued.buyer?.address?.city]).toEqual([
      'RE-000004',
      'NL-2026-0412',
      'EUR',
      'Nordlicht Software GmbH',
      'Hamburg',
    ]);
    expect(issued.lines.map((line) => `${line.quantity.toString()} ${line.unitCode} × ${line.netPrice.toString()}`)).toEqual(['16 HUR × 110', '6 C62 × 249']);
    expect(issued.totals.amountDue.toString()).toBe('3872.26');
    const paid = [payments.invoicePayment, payments.applied].flatMap((payment) => payment.applications.filter((application) => application.invoiceId === issued.id));
    expect(paid.map((application) => application.amount.toString())).toEqual(['2000.00', '1872.26']);
  });
});
