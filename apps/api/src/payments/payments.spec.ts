import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { idempotentId } from '../http/idempotent-id';
import { startTestApi, type TestApi } from '../testing/harness';
import { InvoiceSeed } from '../testing/invoice-seed';

const eur = (amount: string) => ({ amount, currency: 'EUR' });

describe('partner account over HTTP', () => {
  let t: TestApi;
  let seed: InvoiceSeed;
  beforeAll(async () => {
    t = await startTestApi('payments');
    seed = new InvoiceSeed(t);
  });
  afterAll(() => t?.close());

  /** A buyer owing invoices of these net amounts (totals 1.2 × net), issued on these dates, net 30. */
  async function buyerOwing(name: string, invoices: [net: string, issueDate: string][]) {
    const buyer = await seed.buyer(name);
    const partnershipId = await seed.partnership(buyer.id);
    const issued = [];
    for (const [net, issueDate] of invoices) issued.push(await seed.invoice(partnershipId, net, issueDate));
    return { buyer, invoices: issued };
  }

  it('records a payment against the oldest receivables, keeps the rest as credit, and shows both in the balance', async () => {
    const { buyer, invoices } = await buyerOwing('Nordwind GmbH', [
      ['500', '2026-09-01'],
      ['250', '2026-09-15'],
    ]);
    const [a, b] = invoices.map((invoice) => invoice.id);
    const before = await t.call('GET', `/v1/partners/${buyer.id}/balance`, { as: 'acme-viewer' });
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ balances: [{ currency: 'EUR', outstanding: eur('900.00'), unappliedCredit: eur('0.00'), balance: eur('900.00') }] });

    const recorded = await t.call('POST', `/v1/partners/${buyer.id}/payments`, {
      as: 'acme-accountant',
      body: { amount: '1000.00', currency: 'EUR', receivedOn: '2026-10-20', reference: 'SEPA 4711' },
    });
    expect(recorded.status).toBe(201);
    expect(recorded.headers.get('location')).toBe(`/v1/payments/${recorded.body.id}`);
    expect(recorded.headers.get('etag')).toBe(`"${recorded.body.version}"`);
    expect(recorded.body).toMatchObject({
      partnerId: buyer.id,
      amount: eur('1000.00'),
      receivedOn: '2026-10-20',
      reference: 'SEPA 4711',
      applications: [
        { invoiceId: a, amount: eur('600.00'), appliedOn: '2026-10-20' },
        { invoiceId: b, amount: eur('300.00'), appliedOn: '2026-10-20' },
      ],
      refunds: [],
      unapplied: eur('100.00'),
    });
    expect(recorded.body).not.toHaveProperty('tenantId');

    const read = await t.call('GET', `/v1/payments/${recorded.body.id}`, { as: 'acme-viewer' });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(recorded.body);

    const after = await t.call('GET', `/v1/partners/${buyer.id}/balance`);
    expect(after.body.balances).toEqual([{ currency: 'EUR', outstanding: eur('0.00'), unappliedCredit: eur('100.00'), balance: eur('-100.00') }]);
  });

  it('applies credit later to the invoices named, and applies nothing once the credit is used up', async () => {
    const { buyer, invoices } = await buyerOwing('Südwind AG', [
      ['100', '2026-09-01'],
      ['250', '2026-09-02'],
    ]);
    const [small, large] = invoices.map((invoice) => invoice.id);
    const payment = (await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '200.00', currency: 'EUR', receivedOn: '2026-10-01', applyTo: [] } })).body;
    expect(payment).toMatchObject({ applications: [], unapplied: eur('200.00') });

    const applied = await t.call('POST', `/v1/payments/${payment.id}/applications`, { as: 'acme-accountant', body: { applyTo: [large, small] } });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ id: payment.id, applications: [{ invoiceId: large, amount: eur('200.00'), appliedOn: '2026-10-01' }], unapplied: eur('0.00') });
    expect((await t.call('GET', `/v1/partners/${buyer.id}/balance`)).body.balances).toEqual([
      { currency: 'EUR', outstanding: eur('220.00'), unappliedCredit: eur('0.00'), balance: eur('220.00') },
    ]);

    // The use case has no amount to apply: without credit left it applies nothing rather than refusing.
    const again = await t.call('POST', `/v1/payments/${payment.id}/applications`, { body: { applyTo: [small] } });
    expect(again.status).toBe(200);
    expect(again.body.applications).toEqual(applied.body.applications);
    expect(again.body.version).toBe(applied.body.version);
  });

  it('refuses to apply to invoices that cannot take the payment, and records nothing when a named invoice is refused', async () => {
    const { buyer, invoices } = await buyerOwing('Ostwind KG', [['100', '2026-09-01']]);
    const other = await buyerOwing('Westwind SE', [['100', '2026-09-01']]);
    const owed = invoices[0]?.id;
    const paid = (await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '120.00', currency: 'EUR', receivedOn: '2026-09-05', applyTo: [owed] } })).body;
    expect(paid.applications).toEqual([{ invoiceId: owed, amount: eur('120.00'), appliedOn: '2026-09-05' }]);

    const alreadyPaid = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '50.00', currency: 'EUR', receivedOn: '2026-09-06', applyTo: [owed] } });
    expect(alreadyPaid.status).toBe(409);
    expect(alreadyPaid.headers.get('content-type')).toContain('application/problem+json');
    expect(alreadyPaid.body).toMatchObject({ status: 409, code: 'invoice.already_paid' });
    expect((await t.call('GET', `/v1/partners/${buyer.id}/payments`)).body.items.map((item: { id: string }) => item.id)).toEqual([paid.id]);

    const credit = (await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '30.00', currency: 'EUR', receivedOn: '2026-09-07', applyTo: [] } })).body;
    const mismatch = await t.call('POST', `/v1/payments/${credit.id}/applications`, { body: { applyTo: [other.invoices[0]?.id] } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toMatchObject({ code: 'payment.invoice_mismatch', errors: [{ path: 'applyTo.0', code: 'payment.invoice_mismatch' }] });
    const missing = await t.call('POST', `/v1/payments/${credit.id}/applications`, { body: { applyTo: ['no-such-invoice'] } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('invoice.not_found');
    const toPaid = await t.call('POST', `/v1/payments/${credit.id}/applications`, { body: { applyTo: [owed] } });
    expect(toPaid.status).toBe(409);
    expect(toPaid.body.code).toBe('invoice.already_paid');
    expect((await t.call('GET', `/v1/payments/${credit.id}`)).body).toMatchObject({ applications: [], unapplied: eur('30.00'), version: credit.version });
  });

  it('refunds unapplied credit oldest payment first, and refuses more than the credit with 409', async () => {
    const buyer = await seed.buyer('Refund Partner BV');
    const first = (await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '100.00', currency: 'EUR', receivedOn: '2026-10-01' } })).body;
    const second = (await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '50.00', currency: 'EUR', receivedOn: '2026-10-02' } })).body;
    expect([first.unapplied, second.unapplied]).toEqual([eur('100.00'), eur('50.00')]);

    const tooMuch = await t.call('POST', `/v1/partners/${buyer.id}/refunds`, { as: 'acme-accountant', body: { amount: '150.01', currency: 'EUR', refundedOn: '2026-10-05' } });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({ status: 409, code: 'account.insufficient_credit' });
    expect(tooMuch.body.detail).toContain('150.01');

    const refunded = await t.call('POST', `/v1/partners/${buyer.id}/refunds`, {
      as: 'acme-accountant',
      body: { amount: '120.00', currency: 'EUR', refundedOn: '2026-10-05', reference: 'REFUND 1' },
    });
    expect(refunded.status).toBe(201);
    expect(refunded.body).toEqual({ refundId: expect.any(String), amount: eur('120.00'), payments: [first.id, second.id] });

    const drawn = await t.call('GET', `/v1/payments/${second.id}`);
    expect(drawn.body).toMatchObject({ refunds: [{ refundId: refunded.body.refundId, amount: eur('20.00'), refundedOn: '2026-10-05', reference: 'REFUND 1' }], unapplied: eur('30.00') });
    expect((await t.call('GET', `/v1/payments/${first.id}`)).body).toMatchObject({ refunds: [{ amount: eur('100.00') }], unapplied: eur('0.00') });
    expect((await t.call('GET', `/v1/partners/${buyer.id}/balance`)).body.balances).toEqual([
      { currency: 'EUR', outstanding: eur('0.00'), unappliedCredit: eur('30.00'), balance: eur('-30.00') },
    ]);

    const rest = await t.call('POST', `/v1/partners/${buyer.id}/refunds`, { body: { amount: '30.01', currency: 'EUR', refundedOn: '2026-10-06' } });
    expect(rest.status).toBe(409);
    const zero = await t.call('POST', `/v1/partners/${buyer.id}/refunds`, { body: { amount: '0.00', currency: 'EUR', refundedOn: '2026-10-06' } });
    expect(zero.status).toBe(400);
    expect(zero.body.code).toBe('payment.invalid_amount');
    expect((await t.call('POST', '/v1/partners/no-such-partner/refunds', { body: { amount: '1.00', currency: 'EUR', refundedOn: '2026-10-06' } })).body).toMatchObject({
      status: 404,
      code: 'partner.not_found',
    });
  });

  it('refunds from the payment received first, though the ids derived from the payments’ Idempotency-Keys sort the other way', async () => {
    const buyer = await seed.buyer('Refund Order BV');
    // Keys whose payment ids sort in the reverse of the order the money came in.
    const key = (n: number) => `refund-order-${buyer.id}-${n}`;
    let next = 1;
    while (idempotentId('acme', 'Payment', key(0)) < idempotentId('acme', 'Payment', key(next))) next += 1;
    const pay = async (n: number, receivedOn: string) =>
      (await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '100.00', currency: 'EUR', receivedOn }, headers: { 'idempotency-key': key(n) } })).body;
    const older = await pay(0, '2026-01-01');
    const newer = await pay(next, '2026-03-01');
    expect(older.id > newer.id).toBe(true);

    const refunded = await t.call('POST', `/v1/partners/${buyer.id}/refunds`, { as: 'acme-accountant', body: { amount: '50.00', currency: 'EUR', refundedOn: '2026-03-05' } });

    expect(refunded.status).toBe(201);
    expect(refunded.body.payments).toEqual([older.id]);
    expect((await t.call('GET', `/v1/payments/${older.id}`)).body.unapplied).toEqual(eur('50.00'));
    expect((await t.call('GET', `/v1/payments/${newer.id}`)).body.unapplied).toEqual(eur('100.00'));
  });

  it('replays a payment recorded with the same Idempotency-Key instead of recording it twice', async () => {
    const { buyer } = await buyerOwing('Replay GmbH', [['100', '2026-09-01']]);
    const body = { amount: '50.00', currency: 'EUR', receivedOn: '2026-10-01', reference: 'retry me' };
    const headers = { 'idempotency-key': `payment-${buyer.id}` };
    const first = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const replay = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { reference: 'retry me', receivedOn: '2026-10-01', currency: 'EUR', amount: '50.00' }, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(`/v1/payments/${first.body.id}`);
    expect(replay.body).toEqual(first.body);

    const reused = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { ...body, amount: '60.00' }, headers });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency.key_reused');
    expect((await t.call('GET', `/v1/partners/${buyer.id}/payments`)).body.items).toHaveLength(1);
    expect((await t.call('GET', `/v1/partners/${buyer.id}/balance`)).body.balances).toEqual([
      { currency: 'EUR', outstanding: eur('70.00'), unappliedCredit: eur('0.00'), balance: eur('70.00') },
    ]);
  });

  it('lists a partner\'s payments newest first, page by page', async () => {
    const buyer = await seed.buyer('Many Payments Oy');
    const ids: string[] = [];
    for (const amount of ['1.00', '2.00', '3.00']) {
      ids.push((await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount, currency: 'EUR', receivedOn: '2026-10-01' } })).body.id);
    }
    const first = await t.call('GET', `/v1/partners/${buyer.id}/payments?limit=2`, { as: 'acme-integrator' });
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { amount: { amount: string } }) => item.amount.amount)).toEqual(['3.00', '2.00']);
    expect(first.body.items[0].unapplied).toEqual(eur('3.00'));
    const second = await t.call('GET', `/v1/partners/${buyer.id}/payments?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    for (const limit of ['0', '201', 'ten']) {
      const refused = await t.call('GET', `/v1/partners/${buyer.id}/payments?limit=${limit}`);
      expect({ limit, status: refused.status, path: refused.body.errors?.[0]?.path }).toEqual({ limit, status: 400, path: 'limit' });
    }
    const badCursor = await t.call('GET', `/v1/partners/${buyer.id}/payments?cursor=not-a-cursor`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.code).toBe('pagination.invalid_cursor');
  });

  it('refuses invalid payments field by field, and answers 404 for unknown partners and payments', async () => {
    const buyer = await seed.buyer('Validation SA');
    const shape = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: 10, currency: 'EUR', applyTo: 'all', tip: true } });
    expect(shape.status).toBe(400);
    expect(shape.body.code).toBe('request.invalid');
    expect(shape.body.errors.map((issue: { path: string; code: string }) => `${issue.path}:${issue.code}`)).toEqual(
      expect.arrayContaining(['amount:request.is_string', 'receivedOn:request.is_string', 'applyTo:request.is_array', 'tip:request.unknown_property']),
    );

    const domain = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '-5.00', currency: 'EURO', receivedOn: '2026-02-30' } });
    expect(domain.status).toBe(400);
    expect(domain.body.errors.map((issue: { path: string }) => issue.path).sort()).toEqual(['currency', 'receivedOn']);
    const zero = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '0', currency: 'EUR', receivedOn: '2026-10-01' } });
    expect(zero.body).toMatchObject({ status: 400, errors: [{ path: 'amount', code: 'payment.invalid_amount' }] });
    expect((await t.call('GET', `/v1/partners/${buyer.id}/payments`)).body.items).toEqual([]);

    for (const [method, path, body] of [
      ['GET', '/v1/partners/no-such-partner/balance'],
      ['GET', '/v1/partners/no-such-partner/payments'],
      ['POST', '/v1/partners/no-such-partner/payments', { amount: '1.00', currency: 'EUR', receivedOn: '2026-10-01' }],
    ] as const) {
      const answer = await t.call(method, path, { body });
      expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 404, code: 'partner.not_found' });
    }
    for (const [method, path, body] of [
      ['GET', '/v1/payments/no-such-payment'],
      ['POST', '/v1/payments/no-such-payment/applications', {}],
    ] as const) {
      const answer = await t.call(method, path, { body });
      expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 404, code: 'payment.not_found' });
    }
  });

  it('lets only admins and accountants write payments and refunds', async () => {
    const buyer = await seed.buyer('Permissions Ltd');
    const payment = (await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '10.00', currency: 'EUR', receivedOn: '2026-10-01' } })).body;
    for (const caller of ['acme-viewer', 'acme-integrator'] as const) {
      for (const [path, body] of [
        [`/v1/partners/${buyer.id}/payments`, { amount: '1.00', currency: 'EUR', receivedOn: '2026-10-01' }],
        [`/v1/payments/${payment.id}/applications`, {}],
        [`/v1/partners/${buyer.id}/refunds`, { amount: '1.00', currency: 'EUR', refundedOn: '2026-10-01' }],
      ] as const) {
        const answer = await t.call('POST', path, { as: caller, body });
        expect({ caller, path, status: answer.status, code: answer.body.code }).toEqual({ caller, path, status: 403, code: 'auth.forbidden' });
      }
      expect((await t.call('GET', `/v1/payments/${payment.id}`, { as: caller })).status).toBe(200);
    }
    expect((await t.call('GET', `/v1/partners/${buyer.id}/balance`)).body.balances).toEqual([
      { currency: 'EUR', outstanding: eur('0.00'), unappliedCredit: eur('10.00'), balance: eur('-10.00') },
    ]);
    expect((await t.call('GET', `/v1/partners/${buyer.id}/payments`, { as: null })).status).toBe(401);
  });

  it('keeps tenants apart: another tenant\'s partner and payment answer 404 like missing ones, and nothing changes', async () => {
    const { buyer, invoices } = await buyerOwing('Acme Secret Buyer', [['100', '2026-09-01']]);
    const payment = (await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '20.00', currency: 'EUR', receivedOn: '2026-10-01' } })).body;
    for (const [method, path, body, code] of [
      ['GET', `/v1/partners/${buyer.id}/balance`, undefined, 'partner.not_found'],
      ['GET', `/v1/partners/${buyer.id}/payments`, undefined, 'partner.not_found'],
      ['POST', `/v1/partners/${buyer.id}/payments`, { amount: '1.00', currency: 'EUR', receivedOn: '2026-10-01' }, 'partner.not_found'],
      ['POST', `/v1/partners/${buyer.id}/refunds`, { amount: '1.00', currency: 'EUR', refundedOn: '2026-10-01' }, 'partner.not_found'],
      ['GET', `/v1/payments/${payment.id}`, undefined, 'payment.not_found'],
      ['POST', `/v1/payments/${payment.id}/applications`, { applyTo: [invoices[0]?.id] }, 'payment.not_found'],
    ] as const) {
      const answer = await t.call(method, path, { as: 'globex-admin', body });
      expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 404, code });
    }
    expect((await t.call('GET', `/v1/payments/${payment.id}`)).body).toMatchObject({ version: payment.version, applications: [{ amount: eur('20.00') }], refunds: [] });
    expect((await t.call('GET', `/v1/partners/${buyer.id}/balance`)).body.balances).toEqual([
      { currency: 'EUR', outstanding: eur('100.00'), unappliedCredit: eur('0.00'), balance: eur('100.00') },
    ]);
  });
});
