import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type Answer, type TestApi } from './testing/harness';

const eur = (amount: string) => ({ amount, currency: 'EUR' });

/**
 * The whole story over HTTP, each step by the role that does it in real life: an admin sets up the partners, the
 * partnership and the catalogue; an accountant invoices and collects; a viewer reads the reports.
 */
describe('a full invoicing scenario', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi('scenario');
  });
  afterAll(() => t?.close());

  it('partners → partnership → marketable → draft → issue → partial payment → past due → payment → paid → balance zero', async () => {
    const ok = async (status: number, answer: Promise<Answer>) => {
      const { status: actual, body } = await answer;
      expect({ status: actual, code: body?.code }).toEqual({ status, code: undefined });
      return body;
    };

    // Partners: the tenant itself as seller, and its customer with a contact.
    const seller = await ok(
      201,
      t.call('POST', '/v1/partners', {
        body: { legalName: 'Acme Consulting SAS', identifiers: { vatId: 'FR32123456789' }, addresses: [{ lines: ['12 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }] },
      }),
    );
    const buyer = await ok(
      201,
      t.call('POST', '/v1/partners', {
        body: {
          legalName: 'Globex Trading GmbH',
          identifiers: { vatId: 'DE123456789' },
          addresses: [{ lines: ['Hauptstraße 1'], city: 'Berlin', postalCode: '10115', countryCode: 'DE' }],
          contacts: [{ name: 'Bea Buyer', email: 'bea@globex.example', role: 'accounts payable' }],
        },
      }),
    );

    // The catalogue, and the partnership with its terms and a negotiated price.
    const day = await ok(
      201,
      t.call('POST', '/v1/marketables', {
        body: { sku: 'CONSULT-DAY', kind: 'service', name: 'Consulting day', unitCode: 'DAY', prices: [{ currency: 'EUR', unitPrice: '800.00' }], defaultVat: { code: 'S', rate: '20' } },
      }),
    );
    const partnership = await ok(
      201,
      t.call('POST', '/v1/partnerships', { body: { sellerId: seller.id, buyerId: buyer.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' } }),
    );
    await ok(200, t.call('PUT', `/v1/partnerships/${partnership.id}/price-overrides/${day.id}`, { body: { unitPrice: '750.00' } }));

    // The accountant drafts from the catalogue (the negotiated price applies) and issues.
    const draft = await ok(
      201,
      t.call('POST', '/v1/invoices', {
        as: 'acme-accountant',
        body: { partnershipId: partnership.id, issueDate: '2026-03-02', buyerContactId: buyer.contacts[0].id, lines: [{ marketableId: day.id, quantity: '2' }] },
        headers: { 'idempotency-key': 'scenario-draft' },
      }),
    );
    expect(draft).toMatchObject({ status: 'draft', lines: [{ name: 'Consulting day', unitCode: 'DAY', netPrice: '750' }] });
    expect(draft.totals).toMatchObject({ lineTotal: eur('1500.00'), taxTotal: eur('300.00'), taxInclusive: eur('1800.00'), amountDue: eur('1800.00') });

    const issued = await ok(200, t.call('POST', `/v1/invoices/${draft.id}/issue`, { as: 'acme-accountant', headers: { 'if-match': `"${draft.version}"` } }));
    expect(issued).toMatchObject({ status: 'issued', issueDate: '2026-03-02', dueDate: '2026-04-01', outstanding: eur('1800.00') });
    expect(issued.number).toMatch(/^INV-\d+$/);
    expect(issued.seller).toMatchObject({ partnerId: seller.id, legalName: 'Acme Consulting SAS', identifiers: { vatId: 'FR32123456789' } });

    // A partial payment.
    const first = await ok(
      201,
      t.call('POST', `/v1/partners/${buyer.id}/payments`, { as: 'acme-accountant', body: { amount: '800.00', currency: 'EUR', receivedOn: '2026-03-20', reference: 'SEPA-001', applyTo: [draft.id] } }),
    );
    expect(first.applications).toEqual([{ invoiceId: draft.id, amount: eur('800.00'), appliedOn: '2026-03-20' }]);
    expect(await ok(200, t.call('GET', `/v1/invoices/${draft.id}`, { as: 'acme-viewer' }))).toMatchObject({ status: 'partially_paid', outstanding: eur('1000.00') });

    // A month after the due date, it is past due by 30 days.
    const pastDue = await ok(200, t.call('GET', '/v1/reports/past-due?as_of=2026-05-01', { as: 'acme-viewer' }));
    expect(pastDue.items).toEqual([expect.objectContaining({ id: draft.id, number: issued.number, dueDate: '2026-04-01', daysPastDue: 30, outstanding: eur('1000.00') })]);
    const balance = await ok(200, t.call('GET', `/v1/partners/${buyer.id}/balance`, { as: 'acme-viewer' }));
    expect(balance.balances).toEqual([{ currency: 'EUR', outstanding: eur('1000.00'), unappliedCredit: eur('0.00'), balance: eur('1000.00') }]);

    // The rest arrives: paid, nothing past due, balance zero.
    await ok(201, t.call('POST', `/v1/invoices/${draft.id}/payments`, { as: 'acme-accountant', body: { amount: '1000.00', currency: 'EUR', receivedOn: '2026-05-03', reference: 'SEPA-002' } }));
    expect(await ok(200, t.call('GET', `/v1/invoices/${draft.id}`))).toMatchObject({ status: 'paid', paid: eur('1800.00'), outstanding: eur('0.00') });
    expect((await ok(200, t.call('GET', '/v1/reports/past-due?as_of=2026-05-04'))).items).toEqual([]);
    // Currencies where nothing is owed either way are left out (docs/payments-and-balances.md): zero is no line.
    expect((await ok(200, t.call('GET', `/v1/partners/${buyer.id}/balance`))).balances).toEqual([]);
    const payments = await ok(200, t.call('GET', `/v1/partners/${buyer.id}/payments`));
    // Newest first.
    expect(payments.items.map((payment: { reference: string; unapplied: unknown }) => [payment.reference, payment.unapplied])).toEqual([
      ['SEPA-002', eur('0.00')],
      ['SEPA-001', eur('0.00')],
    ]);
  });
});
