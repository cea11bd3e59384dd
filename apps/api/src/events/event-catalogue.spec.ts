import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '@invoicing/core';
import { SetBillingPlan } from '@invoicing/billing';
import { createBillingScenario, createInMemoryBillingAdapters } from '@invoicing/billing/testing';
import {
  AddContact,
  ApproveInvoice,
  ArchivePartner,
  ChangePartnershipStatus,
  CreateCreditNote,
  CreateInvoiceDraft,
  CreateIssuedInvoice,
  CreatePartner,
  CreatePartnership,
  DOCUMENT_TYPE_CODES,
  ImportReceivables,
  IssueInvoice,
  MarkInvoiceUncollectible,
  PayInvoice,
  RefundCredit,
  RelayEvents,
  RemoveContact,
  ReplaceContacts,
  SetMarketableActive,
  SetPriceOverride,
  UpdateContact,
  UpdateInvoiceDraft,
  UpdateMarketable,
  UpdatePartner,
  UpdatePartnershipTerms,
  VoidInvoice,
  parseReceivable,
} from '@invoicing/invoice';
import { InMemoryOutbox, SCENARIO_BUYER, SCENARIO_TERMS, createInMemoryAdapters } from '@invoicing/invoice/testing';
import ts from 'typescript';
import { z } from 'zod';
import { Guide } from '../docs/guide';
import { WEBHOOK_ENDPOINT_EVENTS, eventJsonOf } from '@invoicing/integration';
import { EVENT_ENVELOPE_SCHEMA, EVENT_TYPES, eventSchemaName, eventSchemasForOpenApi, eventType, type JsonSchema } from './event-catalogue';

const root = path.resolve(__dirname, '../../../..');

/**
 * Types the domain's code can name but no use case raises: `${this.kind}.…` in Invoice gives a `credit_note.` twin of
 * each draft event, and credit notes are drafted and issued in one save (CreateCreditNote), never stored as drafts.
 * A use case that changes that makes the scenario publish one, and the first test below fails until it is catalogued.
 */
const NEVER_RAISED: Readonly<Record<string, string>> = {
  'credit_note.updated': 'a credit note is issued as it is created: never a draft to update',
  'credit_note.approved': 'a credit note is issued as it is created: never a draft to approve',
  'credit_note.flagged_possible_duplicate': 'only CreateInvoiceDraft checks for look-alikes, and it drafts invoices only',
};

/** Catalogued types the scenario below does not reach, each with why. */
const NOT_REACHED: Readonly<Record<string, string>> = Object.fromEntries(
  WEBHOOK_ENDPOINT_EVENTS.map((name) => [`webhook_endpoint.${name}`, 'raised by the webhook endpoint store, not the domain: webhooks.spec.ts publishes and checks them on the real stack']),
);

/**
 * A validator of exactly this JSON Schema: zod's converter (zod is already the API's validator, apps/api/src/config.ts)
 * keeps `additionalProperties: false` strict and checks `format: date` / `date-time`, `pattern`, `enum` and `const`.
 * `#/components/schemas/…` references are resolved from `components`.
 */
function validator(schema: JsonSchema, components: Readonly<Record<string, JsonSchema>> = {}): z.ZodType {
  const local = JSON.parse(JSON.stringify({ ...schema, $defs: components }).replaceAll('#/components/schemas/', '#/$defs/')) as z.core.JSONSchema.JSONSchema;
  return z.fromJSONSchema(local, { registry: z.registry() });
}

function problemsOf(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** Whether a value is JSON data as the outbox stores it (domain-event.mapper.ts): no Money, Decimal, Date or class instance. */
function nonJsonAt(value: unknown, at = 'payload'): string[] {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [at];
  if (Array.isArray(value)) return value.flatMap((item, index) => nonJsonAt(item, `${at}[${index}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([key, field]) => (field === undefined ? [] : nonJsonAt(field, `${at}.${key}`)));
  }
  return [at];
}

/** The event as the API will publish it (`eventJsonOf`); the actor and sequence are the relay's to fill, any valid ones do here. */
function envelopeOf(event: DomainEvent, sequence: number): Record<string, unknown> {
  const actor = { type: 'user' as const, id: 'f3b0c7a2-0e8d-4c1e-9a55-2d7c1b9e4a10', name: 'jeanne.accountant' };
  return { ...eventJsonOf({ ...event, actor, requestId: '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b', sequence, loggedAt: event.occurredAt }) };
}

/**
 * Every event type the domain's code raises, read from packages/invoice and packages/billing: the first argument of each
 * `raise(…)`, a template on the document kind (`${this.kind}.updated`) standing for each kind, with the
 * `aggregateType` of the class it is raised in.
 */
function typesInSource(): { readonly raised: Map<string, string>; readonly unread: string[] } {
  const kinds = Object.keys(DOCUMENT_TYPE_CODES);
  const raised = new Map<string, string>();
  const unread: string[] = [];
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory() && entry.name !== 'testing') walk(file);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !/\.(spec|d)\.ts$/.test(entry.name)) files.push(file);
    }
  };
  for (const pkg of ['invoice', 'billing']) walk(path.join(root, 'packages', pkg, 'src'));
  for (const file of files) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'raise') {
        const where = `${path.relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        const [first] = node.arguments;
        const types =
          first && ts.isStringLiteralLike(first)
            ? [first.text]
            : first && ts.isTemplateExpression(first) && first.head.text === '' && first.templateSpans.length === 1 && /\.kind$/.test(first.templateSpans[0]?.expression.getText() ?? '')
              ? kinds.map((kind) => `${kind}${first.templateSpans[0]?.literal.text ?? ''}`)
              : [];
        const owner = ts.findAncestor(node, ts.isClassDeclaration);
        const member = owner?.members.find((each) => ts.isPropertyDeclaration(each) && each.name.getText() === 'aggregateType');
        const initializer = member && ts.isPropertyDeclaration(member) ? member.initializer : undefined;
        if (types.length === 0 || !initializer || !ts.isStringLiteralLike(initializer)) unread.push(where);
        else for (const type of types) raised.set(type, initializer.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { raised, unread };
}

/**
 * One tenant's life, through the use cases on in-memory adapters: partners and contacts, the catalogue, partnerships
 * and prices, a billing plan, invoices through every turn of their lifecycle, payments, a refund, credit notes and an
 * accounts-receivable import. Returns what RelayEvents published.
 */
async function scenarioEvents(): Promise<readonly DomainEvent[]> {
  const invoicing = createInMemoryAdapters();
  if (!(invoicing.outbox instanceof InMemoryOutbox)) throw new Error('the in-memory adapters have another outbox');
  // Billing plans write into the same outbox as the invoicing records, so that one relay publishes both.
  const s = await createBillingScenario({ adapters: invoicing, billing: createInMemoryBillingAdapters(invoicing.outbox.events) });
  const { tenantId, seller, buyer, marketable, partnership } = s;

  const { contacts: _contacts, ...buyerDetails } = SCENARIO_BUYER;
  await s.use(UpdatePartner).execute({ tenantId, partnerId: buyer.id, details: { ...buyerDetails, tradingName: 'Nordwind' } });
  const added = await s.use(AddContact).execute({ tenantId, partnerId: buyer.id, contact: { name: 'Mia Braun', email: 'mia.braun@nordwind.example' } });
  await s.use(UpdateContact).execute({ tenantId, partnerId: buyer.id, contactId: added.id, changes: { role: 'purchasing' } });
  await s.use(RemoveContact).execute({ tenantId, partnerId: buyer.id, contactId: added.id });
  const [sellerContact] = seller.contacts;
  await s.use(ReplaceContacts).execute({
    tenantId,
    partnerId: seller.id,
    contacts: [...(sellerContact ? [sellerContact] : []), { name: 'Louis Petit', email: 'louis.petit@atelier-lumiere.example', role: 'sales' }],
  });

  await s.use(UpdateMarketable).execute({ tenantId, marketableId: marketable.id, changes: { name: 'Consulting day, senior' } });
  await s.use(SetMarketableActive).execute({ tenantId, marketableId: marketable.id, active: false });
  await s.use(SetMarketableActive).execute({ tenantId, marketableId: marketable.id, active: true });

  await s.use(SetPriceOverride).execute({ tenantId, partnershipId: partnership.id, marketableId: marketable.id, unitPrice: '750' });
  await s.use(SetPriceOverride).execute({ tenantId, partnershipId: partnership.id, marketableId: marketable.id, unitPrice: null });
  await s.use(UpdatePartnershipTerms).execute({ tenantId, partnershipId: partnership.id, terms: { ...SCENARIO_TERMS, buyerReference: 'PO-BOX-7' } });
  await s.use(ChangePartnershipStatus).execute({ tenantId, partnershipId: partnership.id, action: 'suspend' });
  await s.use(ChangePartnershipStatus).execute({ tenantId, partnershipId: partnership.id, action: 'resume' });

  const former = await s.use(CreatePartner).execute({ tenantId, legalName: 'Ancien Client SARL' });
  const ended = await s.use(CreatePartnership).execute({ tenantId, sellerId: seller.id, buyerId: former.id, ...SCENARIO_TERMS });
  await s.use(ChangePartnershipStatus).execute({ tenantId, partnershipId: ended.id, action: 'end' });
  await s.use(ArchivePartner).execute({ tenantId, partnerId: former.id });

  const vat = { code: 'S', rate: '20' };
  await s.use(SetBillingPlan).execute({
    tenantId,
    partnershipId: partnership.id,
    effectiveFrom: '2026-04-01',
    terms: { interval: 'monthly', charges: [{ kind: 'recurring', code: 'platform', name: 'Platform fee', unitPrice: '49.00', timing: 'advance', vat }] },
  });
  await s.use(SetBillingPlan).execute({ tenantId, partnershipId: partnership.id, effectiveFrom: '2026-07-01', terms: null });

  const days = (quantity: string) => ({ tenantId, partnershipId: partnership.id, lines: [{ marketableId: marketable.id, quantity }] });
  const approved = await s.use(CreateInvoiceDraft).execute(days('2'));
  const lookalike = await s.use(CreateInvoiceDraft).execute(days('2'));
  await s.use(UpdateInvoiceDraft).execute({ tenantId, invoiceId: lookalike.id, content: { lines: days('3').lines } });
  await s.use(ApproveInvoice).execute({ tenantId, invoiceId: approved.id, approvedBy: 'jeanne.accountant' });
  await s.use(IssueInvoice).execute({ tenantId, invoiceId: approved.id });
  await s.use(PayInvoice).execute({ tenantId, invoiceId: approved.id, amount: '1000.00', currency: 'EUR', receivedOn: '2026-03-10' });
  // 920.00 settles it; the 80.00 left over is the buyer's credit, refunded.
  await s.use(PayInvoice).execute({ tenantId, invoiceId: approved.id, amount: '1000.00', currency: 'EUR', receivedOn: '2026-03-10' });
  await s.use(RefundCredit).execute({ tenantId, partnerId: buyer.id, amount: '80.00', currency: 'EUR', refundedOn: '2026-03-10' });
  // A day returned after payment: the credit takes it back from the payments, the buyer's credit again.
  await s.use(CreateCreditNote).execute({ tenantId, invoiceId: approved.id, lines: [{ marketableId: marketable.id, quantity: '1' }], reason: 'One day was billed twice' });

  await s.use(IssueInvoice).execute({ tenantId, invoiceId: lookalike.id });
  await s.use(CreateCreditNote).execute({ tenantId, invoiceId: lookalike.id, reason: 'Three days were billed, none was worked' });
  const wrong = await s.use(CreateIssuedInvoice).execute(days('1'));
  await s.use(VoidInvoice).execute({ tenantId, invoiceId: wrong.id, reason: 'Sent to the wrong buyer' });
  const unpaid = await s.use(CreateIssuedInvoice).execute(days('4'));
  await s.use(MarkInvoiceUncollectible).execute({ tenantId, invoiceId: unpaid.id });

  const session = await s.use(ImportReceivables).start({ tenantId, sellerId: seller.id });
  await session.importBatch([
    parseReceivable({ invoiceNumber: 'AR-1001', customerName: 'Harbor Freight Supply', invoiceDate: '2025-11-03', terms: 'Net 30', total: '1250.40', applied: '1250.40', status: 'Closed', currency: 'EUR' }),
  ]);

  await s.use(RelayEvents).execute();
  return s.adapters.publisher.published;
}

describe('the event catalogue', () => {
  let events: readonly DomainEvent[];
  const schemas = eventSchemasForOpenApi();

  beforeAll(async () => {
    events = await scenarioEvents();
  });

  describe('EVENT_TYPES', () => {
    it('catalogues every type a use case publishes, under the aggregate that raises it', () => {
      const unknown = [...new Set(events.filter((event) => eventType(event.type)?.aggregateType !== event.aggregateType).map((event) => `${event.aggregateType} ${event.type}`))];
      expect(unknown).toEqual([]);
    });

    it('is reached by the scenario, but for the types listed with a reason', () => {
      const published = new Set(events.map((event) => event.type));
      expect(EVENT_TYPES.map((entry) => entry.type).filter((type) => !published.has(type))).toEqual(Object.keys(NOT_REACHED));
    });

    it('names no type the domain never raises, and every one it does but those no use case reaches', () => {
      const { raised, unread } = typesInSource();
      expect(unread).toEqual([]);
      const expected = [
        ...[...raised].filter(([type]) => !(type in NEVER_RAISED)).map(([type, aggregateType]) => `${aggregateType} ${type}`),
        ...WEBHOOK_ENDPOINT_EVENTS.map((name) => `webhook_endpoint webhook_endpoint.${name}`),
      ];
      expect(EVENT_TYPES.map((entry) => `${entry.aggregateType} ${entry.type}`).sort()).toEqual(expected.sort());
      expect(Object.keys(NEVER_RAISED).filter((type) => !raised.has(type))).toEqual([]);
    });

    it('is sorted by aggregate type, then by name, with a sentence saying when each happens', () => {
      const sorted = [...EVENT_TYPES].sort((left, right) => left.aggregateType.localeCompare(right.aggregateType) || left.type.localeCompare(right.type));
      expect(EVENT_TYPES.map((entry) => entry.type)).toEqual(sorted.map((entry) => entry.type));
      expect(EVENT_TYPES.filter((entry) => !/^[A-Z].{20,}\.$/.test(entry.description)).map((entry) => entry.type)).toEqual([]);
    });

    it('describes every payload as a closed object whose every property says what it is', () => {
      const undescribed = EVENT_TYPES.flatMap((entry) => {
        const { type, properties, additionalProperties } = entry.payload as { type?: string; properties?: Record<string, { description?: string }>; additionalProperties?: boolean };
        if (type !== 'object' || additionalProperties !== false || !properties) return [`${entry.type}: not a closed object`];
        return Object.entries(properties).filter(([, property]) => !property.description).map(([name]) => `${entry.type}.${name}`);
      });
      expect(undescribed).toEqual([]);
    });
  });

  describe('payloads', () => {
    it('are JSON data, as the outbox stores them: money as its JSON form, no Date, Decimal or class', () => {
      expect(events.flatMap((event) => nonJsonAt(event.payload).map((at) => `${event.type} ${at}`))).toEqual([]);
    });

    it('match the schema of their type', () => {
      const validators = new Map(EVENT_TYPES.map((entry) => [entry.type, validator(entry.payload)]));
      const problems = events.flatMap((event) => {
        const schema = validators.get(event.type);
        const payload = JSON.parse(JSON.stringify(event.payload)) as unknown;
        return schema ? problemsOf(schema, payload).map((problem) => `${event.type} ${problem}`) : [`${event.type}: no schema`];
      });
      expect(problems).toEqual([]);
    });

    it('would be refused with a property missing, one too many, a malformed date or amount, or a status out of its list', () => {
      const issued = validator(eventType('invoice.issued')?.payload ?? {});
      const valid = { invoiceId: 'id-1', number: 'INV-000001', issueDate: '2026-03-10', dueDate: '2026-04-09', amountDue: { amount: '1920.00', currency: 'EUR' } };
      expect(problemsOf(issued, valid)).toEqual([]);
      const { number: _number, ...withoutNumber } = valid;
      for (const wrong of [withoutNumber, { ...valid, extra: 1 }, { ...valid, dueDate: '09/04/2026' }, { ...valid, amountDue: { amount: 1920, currency: 'EUR' } }, { ...valid, amountDue: { amount: '1920.00', currency: 'eur' } }]) {
        expect(problemsOf(issued, wrong)).not.toEqual([]);
      }
      const applied = validator(eventType('invoice.payment_applied')?.payload ?? {});
      expect(problemsOf(applied, { invoiceId: 'id-1', paymentId: 'id-2', amount: { amount: '10.00', currency: 'EUR' }, status: 'void' })).not.toEqual([]);
    });
  });

  describe('eventSchemasForOpenApi', () => {
    it('gives one schema per type, named after it, and an Event schema that is one of them told apart by `type`', () => {
      const names = EVENT_TYPES.map((entry) => eventSchemaName(entry.type));
      expect(new Set(names).size).toBe(EVENT_TYPES.length);
      expect(Object.keys(schemas).sort()).toEqual(['Event', ...names].sort());
      expect(eventSchemaName('invoice.issued')).toBe('InvoiceIssuedEvent');
      expect(eventSchemaName('billing_plan.changed')).toBe('BillingPlanChangedEvent');
      const event = schemas.Event as { oneOf: { $ref: string }[]; discriminator: { propertyName: string; mapping: Record<string, string> } };
      expect(event.oneOf.map((item) => item.$ref)).toEqual(names.map((name) => `#/components/schemas/${name}`));
      expect(event.discriminator.propertyName).toBe('type');
      expect(Object.entries(event.discriminator.mapping)).toEqual(EVENT_TYPES.map((entry) => [entry.type, `#/components/schemas/${eventSchemaName(entry.type)}`]));
      expect(schemas.InvoiceIssuedEvent).toMatchObject({ properties: { type: { const: 'invoice.issued' }, aggregateType: { const: 'invoice' }, payload: eventType('invoice.issued')?.payload } });
    });

    it('accepts every event of the scenario in its envelope as Event, and as the envelope of any type', () => {
      const anyEvent = validator({ $ref: '#/components/schemas/Event' }, schemas);
      const envelope = validator(EVENT_ENVELOPE_SCHEMA);
      const problems = events.flatMap((event, index) => {
        const published = envelopeOf(event, index + 1);
        return [...problemsOf(anyEvent, published), ...problemsOf(envelope, published)].map((problem) => `${event.type} ${problem}`);
      });
      expect(problems).toEqual([]);
    });

    it('refuses an event whose payload is another type\'s, or whose actor is not a user, a client or the system', () => {
      const anyEvent = validator({ $ref: '#/components/schemas/Event' }, schemas);
      const issued = events.find((event) => event.type === 'invoice.issued');
      const paid = events.find((event) => event.type === 'invoice.paid');
      if (!issued || !paid) throw new Error('the scenario issues and pays an invoice');
      expect(problemsOf(anyEvent, { ...envelopeOf(issued, 1), payload: paid.payload })).not.toEqual([]);
      expect(problemsOf(anyEvent, { ...envelopeOf(issued, 1), actor: { type: 'robot', id: 'r2' } })).not.toEqual([]);
      expect(problemsOf(anyEvent, { ...envelopeOf(issued, 1), sequence: 0 })).not.toEqual([]);
      const { actor: _actor, ...withoutActor } = envelopeOf(issued, 1);
      expect(problemsOf(anyEvent, withoutActor)).not.toEqual([]);
    });
  });

  describe('the Events page of the guide (docs/events.md)', () => {
    const guide = Guide.load();
    const source = guide.page('events')?.source ?? '';

    it('lists every event type of the catalogue once, and no other', () => {
      const listed = [...source.matchAll(/^\| \[`([a-z_]+\.[a-z_]+)`\]/gm)].map((match) => match[1]);
      expect([...listed].sort()).toEqual(EVENT_TYPES.map((entry) => entry.type).sort());
    });

    it('links each type to a section of the guide that exists', () => {
      const links = [...source.matchAll(/\]\(([a-z0-9-]+)\.md#([^)]+)\)/g)].map(([, page = '', anchor = '']) => ({ page, anchor }));
      expect(links.length).toBeGreaterThanOrEqual(EVENT_TYPES.length);
      expect(links.filter(({ page, anchor }) => !guide.heading(page, anchor)).map(({ page, anchor }) => `${page}#${anchor}`)).toEqual([]);
    });
  });
});
