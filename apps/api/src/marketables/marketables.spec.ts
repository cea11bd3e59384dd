import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../testing/harness';

const consulting = {
  sku: 'CONSULT-DAY',
  kind: 'service',
  name: 'Consulting day',
  description: 'One day of on-site consulting',
  unitCode: 'DAY',
  prices: [
    { currency: 'EUR', unitPrice: '800.00' },
    { currency: 'USD', unitPrice: '0.0125' },
  ],
  defaultVat: { code: 'S', rate: '20' },
};

describe('marketables over HTTP', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi('marketables');
  });
  afterAll(() => t?.close());

  /** A marketable of acme, made by its admin. */
  async function marketable(sku: string, changes: Record<string, unknown> = {}) {
    const created = await t.call('POST', '/v1/marketables', { body: { ...consulting, sku, ...changes } });
    expect(created.status).toBe(201);
    return created.body;
  }

  it('adds a marketable, answering 201 with Location and ETag, with prices and rates as decimal strings, and reads it back', async () => {
    const created = await t.call('POST', '/v1/marketables', { body: consulting });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/marketables/${created.body.id}`);
    expect(created.headers.get('etag')).toBe(`"${created.body.version}"`);
    expect(created.body).toMatchObject({
      sku: 'CONSULT-DAY',
      kind: 'service',
      name: 'Consulting day',
      description: 'One day of on-site consulting',
      unitCode: 'DAY',
      prices: [
        { currency: 'EUR', unitPrice: '800' },
        { currency: 'USD', unitPrice: '0.0125' },
      ],
      defaultVat: { code: 'S', rate: '20' },
      active: true,
    });
    expect(created.body).not.toHaveProperty('tenantId');
    expect(Date.parse(created.body.createdAt)).not.toBeNaN();

    const read = await t.call('GET', created.headers.get('location') ?? '', { as: 'acme-viewer' });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.get('etag')).toBe(created.headers.get('etag'));
  });

  it('takes a zero rate for Z and no rate for O, and no price at all', async () => {
    const zero = await marketable('BOOK-1', { kind: 'product', unitCode: 'C62', prices: undefined, defaultVat: { code: 'Z' } });
    expect(zero).toMatchObject({ prices: [], defaultVat: { code: 'Z', rate: '0' } });
    const outOfScope = await marketable('DONATION', { defaultVat: { code: 'O', exemptionReason: 'Not subject to VAT' } });
    expect(outOfScope.defaultVat).toEqual({ code: 'O', rate: null, exemptionReason: 'Not subject to VAT' });
  });

  it('takes a negative zero price as zero: answered and stored "0", never "-0"', async () => {
    // Review: unitPrice "-0.00" was answered "-0" (and a read after showed "0").
    const free = await marketable('FREE-SAMPLE', { prices: [{ currency: 'EUR', unitPrice: '-0.00' }], defaultVat: { code: 'Z', rate: '-0' } });
    expect([free.prices, free.defaultVat.rate]).toEqual([[{ currency: 'EUR', unitPrice: '0' }], '0']);
    const read = await t.call('GET', `/v1/marketables/${free.id}`);
    expect([read.body.prices, read.body.defaultVat.rate]).toEqual([[{ currency: 'EUR', unitPrice: '0' }], '0']);
  });

  it('refuses a SKU the tenant already uses with 409, but accepts one differing in case', async () => {
    await marketable('DUP-1');
    const taken = await t.call('POST', '/v1/marketables', { body: { ...consulting, sku: 'DUP-1', name: 'Twin' } });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ status: 409, code: 'marketable.sku_taken' });
    expect((await t.call('POST', '/v1/marketables', { body: { ...consulting, sku: 'dup-1' } })).status).toBe(201);
  });

  it('lists marketables page by page with a cursor, and by whether they are active', async () => {
    const [first, second] = [await marketable('LIST-A'), await marketable('LIST-B')];
    expect((await t.call('POST', `/v1/marketables/${second.id}/deactivate`)).status).toBe(200);

    const page = await t.call('GET', '/v1/marketables?limit=2', { as: 'acme-integrator' });
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(typeof page.body.nextCursor).toBe('string');
    const ids: string[] = page.body.items.map((item: { id: string }) => item.id);
    for (let cursor: string | null = page.body.nextCursor; cursor; ) {
      const next: { items: { id: string }[]; nextCursor: string | null } = (await t.call('GET', `/v1/marketables?limit=2&cursor=${encodeURIComponent(cursor)}`)).body;
      ids.push(...next.items.map((item) => item.id));
      cursor = next.nextCursor;
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([first.id, second.id]));

    const inactive = await t.call('GET', '/v1/marketables?active=false');
    expect(inactive.body.items.map((item: { id: string }) => item.id)).toEqual([second.id]);
    expect(inactive.body.nextCursor).toBeNull();
    const active = (await t.call('GET', '/v1/marketables?active=true&limit=200')).body.items.map((item: { id: string }) => item.id);
    expect(active).toContain(first.id);
    expect(active).not.toContain(second.id);
  });

  it('refuses a malformed filter, page size or cursor with 400', async () => {
    const filter = await t.call('GET', '/v1/marketables?active=yes');
    expect(filter.status).toBe(400);
    expect(filter.body.errors).toEqual([expect.objectContaining({ path: 'active', code: 'request.is_in' })]);
    const limit = await t.call('GET', '/v1/marketables?limit=0');
    expect(limit.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'limit', code: 'pagination.invalid_limit' })] });
    const cursor = await t.call('GET', '/v1/marketables?cursor=not-a-cursor');
    expect(cursor.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'cursor', code: 'pagination.invalid_cursor' })] });
  });

  it('changes only the given fields with If-Match, clears the description with null, and refuses a stale version with 412', async () => {
    const created = await marketable('PATCH-1');
    const etag = `"${created.version}"`;
    const changed = await t.call('PATCH', `/v1/marketables/${created.id}`, {
      body: { name: 'Senior consulting day', description: null, prices: [{ currency: 'EUR', unitPrice: '950.50' }] },
      headers: { 'if-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe(`"${created.version + 1}"`);
    expect(changed.body).toMatchObject({ sku: 'PATCH-1', name: 'Senior consulting day', unitCode: 'DAY', prices: [{ currency: 'EUR', unitPrice: '950.5' }], version: created.version + 1 });
    expect(changed.body).not.toHaveProperty('description');
    expect(changed.body.defaultVat).toEqual(created.defaultVat);

    const otherUnit = await t.call('PATCH', `/v1/marketables/${created.id}`, { body: { unitCode: 'HUR', prices: [{ currency: 'EUR', unitPrice: '120.00' }] } });
    expect([otherUnit.status, otherUnit.body.code]).toEqual([409, 'marketable.unit_fixed']);
    const stale = await t.call('PATCH', `/v1/marketables/${created.id}`, { body: { name: 'Lost update' }, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(stale.body).toMatchObject({ status: 412, code: 'concurrency.stale_version' });
    expect((await t.call('GET', `/v1/marketables/${created.id}`)).body.name).toBe('Senior consulting day');
  });

  it('refuses to move a marketable onto a SKU another one has', async () => {
    const [first, second] = [await marketable('MOVE-A'), await marketable('MOVE-B')];
    const moved = await t.call('PATCH', `/v1/marketables/${second.id}`, { body: { sku: first.sku } });
    expect(moved.body).toMatchObject({ status: 409, code: 'marketable.sku_taken' });
    expect((await t.call('GET', `/v1/marketables/${second.id}`)).body.sku).toBe('MOVE-B');
  });

  it('deactivates and activates a marketable, refusing to do either twice with 409', async () => {
    const created = await marketable('TOGGLE-1');
    const deactivated = await t.call('POST', `/v1/marketables/${created.id}/deactivate`, { headers: { 'if-match': `"${created.version}"` } });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ active: false, version: created.version + 1 });
    expect((await t.call('POST', `/v1/marketables/${created.id}/deactivate`)).body).toMatchObject({ status: 409, code: 'marketable.inactive' });

    const stale = await t.call('POST', `/v1/marketables/${created.id}/activate`, { headers: { 'if-match': `"${created.version}"` } });
    expect(stale.body).toMatchObject({ status: 412, code: 'concurrency.stale_version' });
    const activated = await t.call('POST', `/v1/marketables/${created.id}/activate`, { headers: { 'if-match': `"${deactivated.body.version}"` } });
    expect(activated.status).toBe(200);
    expect(activated.body.active).toBe(true);
    expect((await t.call('POST', `/v1/marketables/${created.id}/activate`)).body).toMatchObject({ status: 409, code: 'marketable.active' });
  });

  it('refuses invalid bodies field by field, and unknown fields', async () => {
    const invalid = await t.call('POST', '/v1/marketables', { body: { sku: 7, kind: 'gadget', unitCode: 'DAY', prices: [{ currency: 'EUR', unitPrice: 12.5 }], color: 'blue' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('request.invalid');
    const issues = invalid.body.errors.map((issue: { path: string; code: string }) => `${issue.path}:${issue.code}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'sku:request.is_string',
        'kind:request.is_in',
        'name:request.is_string',
        'prices.0.unitPrice:request.is_string',
        'defaultVat:request.is_object',
        'color:request.unknown_property',
      ]),
    );

    const domain = await t.call('POST', '/v1/marketables', {
      body: { ...consulting, sku: '-bad', unitCode: 'day', prices: [{ currency: 'EUR', unitPrice: '-1' }, { currency: 'EURO', unitPrice: '1,5' }], defaultVat: { code: 'S' } },
    });
    expect(domain.status).toBe(400);
    expect(domain.body.errors.map((issue: { path: string; code: string }) => `${issue.path}:${issue.code}`)).toEqual(
      expect.arrayContaining([
        'sku:marketable.invalid_sku',
        'unitCode:unit_code.malformed',
        'prices.0.unitPrice:marketable.negative_price',
        'prices.1.unitPrice:decimal.malformed',
        'defaultVat.rate:vat.rate_required',
      ]),
    );
    expect(domain.body.errors.map((issue: { path: string }) => issue.path)).toContain('prices.1.currency');

    const created = await marketable('VALID-1');
    const patch = await t.call('PATCH', `/v1/marketables/${created.id}`, { body: { kind: 'gadget', defaultVat: { code: 'XX' } } });
    expect(patch.status).toBe(400);
    expect(patch.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'kind', code: 'request.is_in' }), expect.objectContaining({ path: 'defaultVat.code', code: 'request.is_in' })]));
  });

  it('refuses a default VAT exemption code outside the VATEX list on create and update (400), as a draft of its lines would', async () => {
    // Taken, every invoice line drafted from the marketable was refused, and every billing run charging it.
    const fake = { code: 'E', exemptionReason: 'Training', exemptionReasonCode: 'VATEX-FAKE' };
    const issuesOf = (answer: { body: { errors: { path: string; code: string }[] } }) => answer.body.errors.map((issue) => `${issue.path}:${issue.code}`);
    const created = await t.call('POST', '/v1/marketables', { body: { ...consulting, sku: 'VATEX-1', defaultVat: fake } });
    expect([created.status, created.body.code, issuesOf(created)]).toEqual([400, 'vat.unknown_exemption_code', ['defaultVat.exemptionReasonCode:vat.unknown_exemption_code']]);
    expect((await t.call('GET', '/v1/marketables?limit=200')).body.items.map((each: { sku: string }) => each.sku)).not.toContain('VATEX-1');

    const stored = await marketable('VATEX-2', { defaultVat: { code: 'E', exemptionReasonCode: 'VATEX-EU-J' } });
    const updated = await t.call('PATCH', `/v1/marketables/${stored.id}`, { body: { defaultVat: fake } });
    expect([updated.status, issuesOf(updated)]).toEqual([400, ['defaultVat.exemptionReasonCode:vat.unknown_exemption_code']]);
    expect((await t.call('GET', `/v1/marketables/${stored.id}`)).body).toMatchObject({ version: stored.version, defaultVat: { exemptionReasonCode: 'VATEX-EU-J' } });
  });

  it('answers 404 marketable.not_found for an unknown id on every route', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/marketables/no-such-marketable'],
      ['PATCH', '/v1/marketables/no-such-marketable', { name: 'Ghost' }],
      ['POST', '/v1/marketables/no-such-marketable/deactivate'],
      ['POST', '/v1/marketables/no-such-marketable/activate'],
    ] as const) {
      const answer = await t.call(method, path, { body });
      expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 404, code: 'marketable.not_found' });
    }
  });

  it('replays a create retried with the same Idempotency-Key, and refuses the key with another body', async () => {
    const headers = { 'idempotency-key': 'marketable-create-0001' };
    const body = { ...consulting, sku: 'IDEM-1' };
    const first = await t.call('POST', '/v1/marketables', { body, headers });
    expect(first.status).toBe(201);
    const replay = await t.call('POST', '/v1/marketables', { body, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    expect(replay.body.id).toBe(first.body.id);

    const reused = await t.call('POST', '/v1/marketables', { body: { ...body, name: 'Another name' }, headers });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency.key_reused');
    expect((await t.call('GET', '/v1/marketables?limit=200')).body.items.filter((item: { sku: string }) => item.sku === 'IDEM-1')).toHaveLength(1);
  });

  it('keeps tenants apart: another tenant\'s marketable is missing on every route, and its SKU is free there', async () => {
    const secret = await marketable('SECRET-1');
    for (const [method, path, body] of [
      ['GET', `/v1/marketables/${secret.id}`],
      ['PATCH', `/v1/marketables/${secret.id}`, { name: 'Hijacked' }],
      ['POST', `/v1/marketables/${secret.id}/deactivate`],
      ['POST', `/v1/marketables/${secret.id}/activate`],
    ] as const) {
      const answer = await t.call(method, path, { as: 'globex-admin', body });
      expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 404, code: 'marketable.not_found' });
    }
    const theirs = await t.call('POST', '/v1/marketables', { as: 'globex-admin', body: { ...consulting, sku: 'SECRET-1' } });
    expect(theirs.status).toBe(201);
    expect((await t.call('GET', '/v1/marketables', { as: 'globex-admin' })).body.items.map((item: { id: string }) => item.id)).toEqual([theirs.body.id]);
    expect((await t.call('GET', `/v1/marketables/${secret.id}`)).body).toMatchObject({ name: 'Consulting day', active: true, version: secret.version });
  });

  it('lets only admins change marketables', async () => {
    const created = await marketable('ADMIN-ONLY');
    for (const caller of ['acme-accountant', 'acme-viewer', 'acme-integrator'] as const) {
      for (const [method, path, body] of [
        ['POST', '/v1/marketables', { ...consulting, sku: 'NOT-ALLOWED' }],
        ['PATCH', `/v1/marketables/${created.id}`, { name: 'Not allowed' }],
        ['POST', `/v1/marketables/${created.id}/deactivate`],
        ['POST', `/v1/marketables/${created.id}/activate`],
      ] as const) {
        const answer = await t.call(method, path, { as: caller, body });
        expect({ caller, method, path, status: answer.status, code: answer.body.code }).toEqual({ caller, method, path, status: 403, code: 'auth.forbidden' });
      }
      expect((await t.call('GET', `/v1/marketables/${created.id}`, { as: caller })).status).toBe(200);
    }
    expect((await t.call('GET', `/v1/marketables/${created.id}`)).body.version).toBe(created.version);
  });
});
