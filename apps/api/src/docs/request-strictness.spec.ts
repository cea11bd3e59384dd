import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decimal, parseCalendarDate, parseId, parseYearMonth } from '@invoicing/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ReferenceObject, RequestBodyObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { startTestApi, type TestApi } from '../testing/harness';
import { operationsOf } from './openapi-document';
import { FORMATS } from './request-strictness';
import { DOCUMENT_PATH } from './site-layout';

/** Whether a JSON Schema pattern matches, read as JavaScript reads it (the API's own checks are JavaScript). */
function matches(pattern: string | undefined, value: string): boolean {
  return new RegExp(pattern ?? '').test(value);
}

function accepts(parse: (value: string) => unknown, value: string): boolean {
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
}

/** A request whose method fetch() would refuse to send. */
function rawRequest(url: string, method: string, token: string): Promise<{ status: number; allow?: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, allow: response.headers.allow }));
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * The reference states what the code enforces (issue 12, finding 9), so that a client generator or a fuzzer is not
 * misled: a sample of each kind of statement, and that the code agrees with it.
 */
describe('the strictness of the API reference', () => {
  let t: TestApi;
  let document: OpenAPIObject;
  const operation = (method: string, path: string): OperationObject => {
    const found = operationsOf(document).find((entry) => entry.method === method && entry.path === path);
    if (!found) throw new Error(`no ${method} ${path}`);
    return found.operation;
  };
  const parameter = (op: OperationObject, name: string) => ((op.parameters ?? []) as ParameterObject[]).find((candidate) => candidate.name === name)?.schema as SchemaObject;
  const schema = (name: string) => document.components?.schemas?.[name] as SchemaObject;
  const property = (name: string, member: string) => schema(name).properties?.[member] as SchemaObject;

  beforeAll(async () => {
    t = await startTestApi('request-strictness');
    document = (await t.call<OpenAPIObject>('GET', DOCUMENT_PATH, { as: null })).body;
  });
  afterAll(() => t?.close());

  it('types integers as integers, with their bounds', () => {
    expect(parameter(operation('get', '/v1/partners'), 'limit')).toMatchObject({ type: 'integer', minimum: 1, maximum: 200 });
    expect(parameter(operation('get', '/v1/contacts/search'), 'limit')).toMatchObject({ type: 'integer', minimum: 1, maximum: 50 });
    expect(parameter(operation('get', '/v1/reports/partner-totals'), 'months')).toMatchObject({ type: 'integer', minimum: 1, maximum: 36 });
    expect(property('PaymentTermsDto', 'days')).toMatchObject({ type: 'integer', minimum: 0, maximum: 3650 });
  });

  it('gives money and decimals the pattern the domain parses', () => {
    expect(property('RecordPaymentDto', 'amount').pattern).toBe(FORMATS.positiveDecimal.pattern);
    expect(property('DraftLineDto', 'quantity').pattern).toBe(FORMATS.decimal.pattern);
    for (const value of ['0', '12', '1234.50', '-3', '0.0125', '01', '1e3', '+1', '1.', '.5', ' 1', '']) {
      expect([value, matches(FORMATS.decimal.pattern, value)]).toEqual([value, accepts(decimal, value)]);
    }
  });

  it('gives ids, dates, months, currencies and search texts their formats', () => {
    expect(parameter(operation('get', '/v1/partners/{partnerId}'), 'partnerId').pattern).toBe(FORMATS.id.pattern);
    expect(property('CreateInvoiceDto', 'partnershipId').pattern).toBe(FORMATS.id.pattern);
    for (const value of ['01a24254-e3dc-7355-ba80-3344433f5ea8', 'acme', 'a'.repeat(128), 'a'.repeat(129), '-a', 'a b', '']) {
      expect([value, matches(FORMATS.id.pattern, value)]).toEqual([value, accepts(parseId, value)]);
    }
    expect(property('RecordPaymentDto', 'receivedOn')).toMatchObject({ type: 'string', format: 'date' });
    expect(parameter(operation('get', '/v1/invoices'), 'issued_from')).toMatchObject({ format: 'date' });
    for (const value of ['2026-04-15', '0100-01-01', '0050-01-01', '2026-4-15']) {
      // `format: date` refuses what the pattern lets through only for days that do not exist (2026-02-30).
      expect([value, matches(FORMATS.date.pattern, value)]).toEqual([value, accepts(parseCalendarDate, value)]);
    }
    expect(parameter(operation('get', '/v1/reports/monthly-summary'), 'month').pattern).toBe(FORMATS.month.pattern);
    for (const value of ['2026-04', '0100-01', '0099-12', '0000-01', '2026-13', '2026-4']) {
      expect([value, matches(FORMATS.month.pattern, value)]).toEqual([value, accepts(parseYearMonth, value)]);
    }
    expect(property('RecordPaymentDto', 'currency').enum).toContain('EUR');
    expect(parameter(operation('get', '/v1/contacts/search'), 'q')).toMatchObject({ minLength: 2 });
  });

  it('bounds free texts as the domain does, and refuses control characters in them', () => {
    expect(property('ContactInputDto', 'name')).toMatchObject({ maxLength: 200, pattern: FORMATS.requiredText.pattern });
    expect(property('CreateMarketableDto', 'description')).toMatchObject({ maxLength: 2000, pattern: FORMATS.text.pattern });
    expect(matches(FORMATS.text.pattern, 'two\nlines\tand a tab')).toBe(true);
    expect(matches(FORMATS.text.pattern, 'bell\u0007')).toBe(false);
    expect(matches(FORMATS.requiredText.pattern, '   ')).toBe(false);
  });

  it('closes every request body schema, since the API refuses unknown members', () => {
    const schemas = document.components?.schemas ?? {};
    const reached = new Set<string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (node === null || typeof node !== 'object') return;
      const ref = (node as ReferenceObject).$ref;
      if (ref && !reached.has(ref)) {
        reached.add(ref);
        visit(schemas[ref.replace('#/components/schemas/', '')]);
      }
      Object.values(node).forEach(visit);
    };
    for (const { operation: op } of operationsOf(document)) visit((op.requestBody as RequestBodyObject | undefined)?.content);
    expect(reached.size).toBeGreaterThan(20);
    for (const ref of reached) expect([ref, (schemas[ref.replace('#/components/schemas/', '')] as SchemaObject).additionalProperties]).toEqual([ref, false]);
  });

  it('gives If-Match and Idempotency-Key the patterns the API checks them with', async () => {
    for (const { operation: op } of operationsOf(document)) {
      const ifMatch = parameter(op, 'If-Match');
      if (ifMatch) expect(ifMatch.pattern).toBe(FORMATS.ifMatch.pattern);
      const key = parameter(op, 'Idempotency-Key');
      if (key) expect(key.pattern).toBe(FORMATS.idempotencyKey.pattern);
    }
    const partner = await t.call('POST', '/v1/partners', { body: { legalName: 'Strictness GmbH' } });
    for (const value of ['"1"', 'W/"1"', '*', '1', '"one"', '', '"1", W/"2"', ' ,"2",', '*, "1"', '"1" "2"', 'W/1']) {
      const answer = await t.call('POST', `/v1/partners/${partner.body.id}/archive`, { headers: { 'if-match': value } });
      expect([value, answer.status !== 400]).toEqual([value, matches(FORMATS.ifMatch.pattern, value)]);
    }
    for (const value of ['a-key', 'k'.repeat(255), 'k'.repeat(256), 'with space']) {
      const answer = await t.call('POST', '/v1/marketables', { headers: { 'idempotency-key': value }, body: {} });
      expect([value, answer.body.code !== 'idempotency.key_invalid']).toEqual([value, matches(FORMATS.idempotencyKey.pattern, value)]);
    }
  });

  it('states null only where the API takes it: elsewhere an optional member is refused as null, not crashed on', async () => {
    expect(property('UpdateMarketableDto', 'description').type).toEqual(['string', 'null']);
    expect(property('PartnerDetailsDto', 'tradingName').type).toBe('string');
    const answer = await t.call('POST', '/v1/partners', { body: { legalName: 'Null GmbH', identifiers: null, tradingName: null } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((issue: { path: string }) => issue.path).sort()).toEqual(['identifiers', 'tradingName']);
  });

  it('links what an operation creates to the operations that take its id', () => {
    const created = operation('post', '/v1/partners').responses['201'] as ResponseObject;
    expect(created.links?.getPartner).toMatchObject({ operationId: 'getPartner', parameters: { 'path.partnerId': '$response.body#/id' } });
    expect(created.links?.updatePartner).toMatchObject({ parameters: { 'header.If-Match': '$response.header.ETag' } });
  });

  it('answers any method the document does not list with 405 and Allow, also where a static path shadows a parameter', async () => {
    const token = await t.token('acme-admin');
    const query = await rawRequest(`${t.url}/v1/partners/some-id/balance`, 'QUERY', token);
    expect(query).toEqual({ status: 405, allow: 'GET' });
    const lastSeen = await rawRequest(`${t.url}/v1/partners/some-id/contacts/last-seen`, 'OPTIONS', token);
    expect(lastSeen).toEqual({ status: 405, allow: 'GET' });
  });
});
