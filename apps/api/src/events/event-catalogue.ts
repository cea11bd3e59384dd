/**
 * The catalogue of the domain events the API publishes (webhooks, the change feed `GET /v1/events`, the audit trail):
 * for each event type, when it happens and the JSON Schema of its payload, as the domain raises it
 * (`this.raise(type, payload, at)` in packages/invoice and packages/billing) once written as JSON. docs/events.md tells
 * integrators the same in words; event-catalogue.spec.ts drives the use cases and checks every payload against these.
 *
 * Event types are object keys below, never string values: apps/api/src/docs/errors-catalogue.spec.ts reads every
 * dotted string literal of the API's sources as an error code, and a key is not one.
 */

/** A JSON Schema as OpenAPI 3.1 reads it (the draft 2020-12 keywords used here), as plain data. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One event type: its name, the aggregate that raises it, when it happens, and the schema of its payload. */
export interface EventType {
  /** Dotted past-tense name, e.g. `invoice.issued`. */
  readonly type: string;
  /** The aggregate that raises it (the envelope's `aggregateType`), e.g. `invoice` (also for `credit_note.*`). */
  readonly aggregateType: string;
  /** When it happens, in one sentence. */
  readonly description: string;
  readonly payload: JsonSchema;
}

const id = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });

const calendarDate = (description: string): JsonSchema => ({ type: 'string', format: 'date', description, examples: ['2026-03-10'] });

/** Money as the domain writes it (`money.toJSON()`), as the API answers it everywhere else. */
const money = (description: string): JsonSchema => ({
  type: 'object',
  description,
  properties: {
    amount: { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$', description: 'Exact decimal with the currency\'s number of decimals.', examples: ['1234.50'] },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code.', examples: ['EUR'] },
  },
  required: ['amount', 'currency'],
  additionalProperties: false,
});

const documentNumber = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description, examples: ['INV-000042'] });

/** A closed object: every property listed is required unless named in `optional`. */
function payload(properties: Readonly<Record<string, JsonSchema>>, optional: readonly string[] = []): JsonSchema {
  return { type: 'object', properties, required: Object.keys(properties).filter((name) => !optional.includes(name)), additionalProperties: false };
}

const endpointUrl: JsonSchema = { type: 'string', format: 'uri', description: 'Where deliveries are sent.' };
const endpointPayload = payload(
  {
    url: endpointUrl,
    eventTypes: { type: 'array', items: { type: 'string' }, description: 'The event types delivered (`*`: all).' },
    enabled: { type: 'boolean', description: 'Whether deliveries are sent.' },
    disabledReason: { type: 'string', enum: ['by_request', 'failing'], description: 'Why it is disabled, when it is.' },
  },
  ['disabledReason'],
);
const invoiceId = id('The invoice\'s id.');
const creditNoteId = id('The credit note\'s id (credit notes are documents like invoices, under the same ids).');
const partnerId = id('The partner\'s id.');
const partnershipId = id('The partnership\'s id.');
const marketableId = id('The marketable\'s id.');
const paymentId = id('The payment\'s id.');
const contactId = id('The contact\'s id, unique within its partner.');
const amountDue = money('What the document asks for: total with VAT − prepaid amount + rounding amount (BT-115).');
const issuedFields = {
  number: documentNumber('The document number (BT-1), unique in its series.'),
  issueDate: calendarDate('The issue date (BT-2).'),
  dueDate: calendarDate('The due date (BT-9).'),
  amountDue,
};

/** The event types, by aggregate type then by name (keys, see the file's comment). */
const CATALOGUE: Readonly<Record<string, Readonly<Record<string, Omit<EventType, 'type' | 'aggregateType'>>>>> = {
  billing_plan: {
    'billing_plan.changed': {
      description: 'A partnership\'s billing plan got a new version: it was started, its terms were changed from a day, or billing was ended from a day.',
      payload: payload({
        partnershipId: id('The partnership\'s id, which is also its billing plan\'s id.'),
        version: { type: 'integer', minimum: 1, description: 'The number of the plan version recorded (1 for the first).' },
        effectiveFrom: calendarDate('The first day the new version applies.'),
        ended: { type: 'boolean', description: 'True when this version ends billing from `effectiveFrom` rather than setting new terms.' },
      }),
    },
  },
  invoice: {
    'credit_note.drafted': {
      description: 'A credit note was created for an issued invoice; it is issued in the same change, so `credit_note.issued` follows at once.',
      payload: payload({ invoiceId: creditNoteId, amountDue: money('What the credit note credits: its total with VAT.') }),
    },
    'credit_note.issued': {
      description: 'A credit note was issued: its number and dates are fixed and it is applied to the invoice it corrects (`invoice.credited`).',
      payload: payload({ invoiceId: creditNoteId, ...issuedFields, amountDue: money('What the credit note credits: its total with VAT.') }),
    },
    'invoice.approved': {
      description: 'A draft invoice was approved for issue (some partnerships require it); changing the draft afterwards withdraws the approval.',
      payload: payload({ invoiceId, by: { type: 'string', minLength: 1, description: 'Who approved it: the signed-in user\'s name as the token gives it.' } }),
    },
    'invoice.credited': {
      description: 'An issued credit note was applied to the invoice: it lowers what the buyer owes first, then takes back what was paid as the buyer\'s credit (`payment.application_returned`).',
      payload: payload(
        {
          invoiceId,
          creditNoteId,
          amount: money('The amount credited.'),
          returnedToCredit: money('The part of `amount` taken back from the payments that had paid the invoice, now the buyer\'s unapplied credit; absent when it took back nothing.'),
          status: {
            type: 'string',
            enum: ['issued', 'partially_paid', 'paid', 'uncollectible', 'credited'],
            description: 'The invoice\'s status afterwards: `credited` once nothing is left to pay by a credit, or once nothing stays paid; a paid invoice credited in part stays `paid`.',
          },
        },
        ['returnedToCredit'],
      ),
    },
    'invoice.drafted': {
      description: 'An invoice draft was created (on its own, or as the first step of creating an issued invoice in one call).',
      payload: payload({ invoiceId, amountDue }),
    },
    'invoice.flagged_possible_duplicate': {
      description: 'A new draft was flagged as looking like an existing invoice (same buyer, currency and total, issue dates within 3 days); it stays valid.',
      payload: payload({ invoiceId, possibleDuplicateOf: id('The id of the invoice it looks like.') }),
    },
    'invoice.imported': {
      description: 'An invoice another system issued was recorded by an accounts-receivable import, issued under that system\'s number and dates.',
      payload: payload({ invoiceId, ...issuedFields, number: documentNumber('The number the other system gave it (BT-1).') }),
    },
    'invoice.issued': {
      description: 'An invoice was issued: its number, dates and parties are fixed from now on.',
      payload: payload({ invoiceId, ...issuedFields }),
    },
    'invoice.marked_uncollectible': {
      description: 'An issued invoice was written off as uncollectible: no longer expected, though a payment or credit note can still settle it.',
      payload: payload({ invoiceId, outstanding: money('What the buyer still owed when it was written off.') }),
    },
    'invoice.paid': {
      description: 'An invoice was fully paid: by the payment that settled it, or at issue or import when nothing was due.',
      payload: payload({ invoiceId, number: documentNumber('The invoice number (BT-1).') }),
    },
    'invoice.payment_applied': {
      description: 'Part or all of a payment was applied to an issued invoice (the payment\'s side is `payment.applied`).',
      payload: payload({
        invoiceId,
        paymentId,
        amount: money('The amount applied to this invoice.'),
        status: { type: 'string', enum: ['partially_paid', 'paid', 'uncollectible'], description: 'The invoice\'s status afterwards (`paid` is followed by `invoice.paid`).' },
      }),
    },
    'invoice.updated': {
      description: 'The content of a draft invoice was replaced; any approval it had is withdrawn.',
      payload: payload({ invoiceId, amountDue }),
    },
    'invoice.voided': {
      description: 'An issued invoice nothing was paid or credited on was voided; its number stays used.',
      payload: payload({
        invoiceId,
        number: documentNumber('The invoice number (BT-1).'),
        reason: { type: ['string', 'null'], description: 'Why it was voided, as given; null when no reason was given.' },
      }),
    },
  },
  marketable: {
    'marketable.activated': {
      description: 'A deactivated marketable was made available again for new lines.',
      payload: payload({ marketableId }),
    },
    'marketable.created': {
      description: 'A marketable (a product or service of the catalogue) was created.',
      payload: payload({ marketableId, sku: { type: 'string', minLength: 1, description: 'Its SKU, unique in the tenant.' } }),
    },
    'marketable.deactivated': {
      description: 'A marketable was deactivated: new lines can no longer use it; documents that do keep it.',
      payload: payload({ marketableId }),
    },
    'marketable.updated': {
      description: 'A marketable\'s details (name, prices, VAT …) were changed.',
      payload: payload({ marketableId }),
    },
  },
  partner: {
    'partner.archived': {
      description: 'A partner was archived: its history stays, changes and new documents stop.',
      payload: payload({ partnerId }),
    },
    'partner.contact_added': {
      description: 'A contact was added to a partner.',
      payload: payload({ partnerId, contactId }),
    },
    'partner.contact_removed': {
      description: 'A contact was removed from a partner.',
      payload: payload({ partnerId, contactId }),
    },
    'partner.contact_updated': {
      description: 'One of a partner\'s contacts was changed.',
      payload: payload({ partnerId, contactId }),
    },
    'partner.contacts_replaced': {
      description: 'All of a partner\'s contacts were replaced at once (a contact given with an existing id keeps it).',
      payload: payload({ partnerId, contactIds: { type: 'array', items: contactId, description: 'The ids of the partner\'s contacts afterwards, in order.' } }),
    },
    'partner.created': {
      description: 'A partner (a company or person the tenant sells to or buys from) was created, with its first contacts.',
      payload: payload({ partnerId, legalName: { type: 'string', minLength: 1, description: 'Its legal name.' } }),
    },
    'partner.updated': {
      description: 'A partner\'s details (names, identifiers, addresses, defaults) were replaced; its contacts stay.',
      payload: payload({ partnerId }),
    },
  },
  partnership: {
    'partnership.created': {
      description: 'A partnership (the terms under which a seller invoices a buyer) was created.',
      payload: payload({ partnershipId, sellerId: id('The seller partner\'s id.'), buyerId: id('The buyer partner\'s id.') }),
    },
    'partnership.ended': {
      description: 'A partnership was ended for good: its validity ends on its last day, and it is invoiced only for days within it.',
      payload: payload({ partnershipId }),
    },
    'partnership.price_removed': {
      description: 'A negotiated price of a marketable was dropped from a partnership: the list price applies again.',
      payload: payload({ partnershipId, marketableId }),
    },
    'partnership.price_set': {
      description: 'A negotiated unit price of a marketable was set on a partnership, in the partnership\'s currency.',
      payload: payload({
        partnershipId,
        marketableId,
        unitPrice: { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$', description: 'The unit price, as plain decimal text.', examples: ['712.5'] },
      }),
    },
    'partnership.resumed': {
      description: 'A suspended partnership was resumed: invoicing under it may go on.',
      payload: payload({ partnershipId }),
    },
    'partnership.suspended': {
      description: 'A partnership was suspended: invoicing under it pauses until it is resumed.',
      payload: payload({ partnershipId }),
    },
    'partnership.terms_updated': {
      description: 'A partnership\'s terms (currency, payment terms, validity, numbering, policy …) were changed.',
      payload: payload({ partnershipId }),
    },
  },
  webhook_endpoint: {
    'webhook_endpoint.created': {
      description: 'A webhook endpoint was registered (its secret is never in an event).',
      payload: endpointPayload,
    },
    'webhook_endpoint.deleted': {
      description: 'A webhook endpoint was deleted: nothing more is delivered to it.',
      payload: payload({ url: endpointUrl }),
    },
    'webhook_endpoint.disabled': {
      description: 'A webhook endpoint was disabled, by a person (`by_request`) or by the platform after it failed for the whole retry window (`failing`).',
      payload: endpointPayload,
    },
    'webhook_endpoint.enabled': {
      description: 'A disabled webhook endpoint was enabled again.',
      payload: endpointPayload,
    },
    'webhook_endpoint.secret_rotated': {
      description: 'A webhook endpoint\'s signing secret was replaced; the previous one keeps signing until the time given.',
      payload: payload({ previousSecretExpiresAt: { type: 'string', format: 'date-time', description: 'Until when deliveries also carry a signature with the previous secret.' } }),
    },
    'webhook_endpoint.updated': {
      description: 'A webhook endpoint\'s URL, description or event types were changed.',
      payload: endpointPayload,
    },
  },
  payment: {
    'payment.application_returned': {
      description: 'A credit note of an invoice the payment had paid took back part of that application: it is the payment\'s unapplied credit again (the invoice\'s side is `invoice.credited`).',
      payload: payload({
        paymentId,
        invoiceId: id('The id of the invoice the application paid.'),
        creditNoteId,
        amount: money('The amount taken back from the application.'),
        unapplied: money('The payment\'s unapplied amount afterwards, which a refund or an application can use.'),
      }),
    },
    'payment.applied': {
      description: 'Part of a payment was applied to an invoice (the invoice\'s side is `invoice.payment_applied`).',
      payload: payload({ paymentId, invoiceId, amount: money('The amount applied to the invoice.') }),
    },
    'payment.received': {
      description: 'Money received from a partner was recorded as a payment (its applications to invoices follow).',
      payload: payload({ paymentId, partnerId: id('The id of the partner who paid.'), amount: money('The amount received.') }),
    },
    'payment.refunded': {
      description: 'Part of a payment\'s unapplied amount was paid back to the partner.',
      payload: payload({ paymentId, refundId: id('The refund\'s id; one refund may draw on several payments.'), amount: money('The amount refunded from this payment.') }),
    },
  },
};

/** Every event type, sorted by aggregate type, then by name. */
export const EVENT_TYPES: readonly EventType[] = Object.entries(CATALOGUE)
  .flatMap(([aggregateType, types]) => Object.entries(types).map(([type, entry]) => ({ type, aggregateType, ...entry })))
  .sort((left, right) => left.aggregateType.localeCompare(right.aggregateType) || left.type.localeCompare(right.type));

/** The catalogue entry of a type, if it has one. */
export function eventType(type: string): EventType | undefined {
  return EVENT_TYPES.find((entry) => entry.type === type);
}

/** The envelope's properties; `type`, `aggregateType` and `payload` are narrowed per event type. */
const ENVELOPE_PROPERTIES = {
  id: { type: 'string', minLength: 1, description: 'The event\'s id: unique, and the same on every delivery of the event. De-duplicate by it (delivery is at least once).' },
  type: { type: 'string', enum: EVENT_TYPES.map((entry) => entry.type), description: 'What happened: one of the catalogue\'s event types (see the Events page of the business guide).' },
  tenantId: { type: 'string', minLength: 1, description: 'The tenant whose data changed.' },
  aggregateType: {
    type: 'string',
    enum: [...new Set(EVENT_TYPES.map((entry) => entry.aggregateType))],
    description: 'The kind of record that changed (`invoice` for invoices and credit notes alike).',
  },
  aggregateId: { type: 'string', minLength: 1, description: 'The id of the record that changed (for `billing_plan`, its partnership\'s id).' },
  aggregateVersion: {
    type: 'integer',
    minimum: 1,
    description: 'The record\'s version once the change was saved; one save raises one or more events under the same version. Events of one record are ordered by `aggregateVersion`, then `index`.',
  },
  index: { type: 'integer', minimum: 0, description: 'The event\'s position among the events of the same save (from 0).' },
  occurredAt: { type: 'string', format: 'date-time', description: 'When the change happened (UTC).' },
  sequence: {
    type: 'integer',
    minimum: 1,
    description: 'The event\'s position in the tenant\'s event log: increasing, in the order events were recorded. It is the change feed\'s cursor.',
  },
  actor: {
    type: 'object',
    description: 'Who made the change.',
    properties: {
      type: {
        type: 'string',
        enum: ['user', 'client', 'system'],
        description: '`user`: a person signed in; `client`: a machine client (service account); `system`: the platform itself, e.g. a billing run or an import.',
      },
      id: {
        type: 'string',
        minLength: 1,
        description: 'For `user`, the user\'s id (the token\'s subject); for `client`, the client id the token was issued to; for `system`, the job that acted (such as `billing-run` or `import`), else `system`.',
      },
      name: { type: 'string', description: 'A readable name, when known: the user\'s name as the token gives it, or the client id.' },
    },
    required: ['type', 'id'],
    additionalProperties: false,
  },
  requestId: { type: 'string', minLength: 1, description: 'The id of the API request that made the change (its `X-Request-Id`), when a request made it.' },
  payload: { type: 'object', description: 'What changed: its schema depends on `type` (see the Events page of the business guide).' },
} as const;

const ENVELOPE_REQUIRED = ['id', 'type', 'tenantId', 'aggregateType', 'aggregateId', 'aggregateVersion', 'index', 'occurredAt', 'sequence', 'actor', 'payload'];

/** The envelope every published event has, whatever its type; `payload` is any object here (see {@link eventSchemasForOpenApi}). */
export const EVENT_ENVELOPE_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'An event as the API publishes it: what happened, to which record, when, by whom, and the payload of its type.',
  properties: ENVELOPE_PROPERTIES,
  required: ENVELOPE_REQUIRED,
  additionalProperties: false,
};

/** The component name of an event type's schema: `invoice.issued` → `InvoiceIssuedEvent`. */
export function eventSchemaName(type: string): string {
  const words = type.split(/[._]/).map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`);
  return `${words.join('')}Event`;
}

/** The schema of one event type: the envelope with its `type`, `aggregateType` and payload fixed. */
function eventSchema(entry: EventType): JsonSchema {
  return {
    type: 'object',
    description: entry.description,
    properties: {
      ...ENVELOPE_PROPERTIES,
      type: { type: 'string', const: entry.type },
      aggregateType: { type: 'string', const: entry.aggregateType },
      payload: entry.payload,
    },
    required: ENVELOPE_REQUIRED,
    additionalProperties: false,
  };
}

/**
 * Component schemas for the OpenAPI document (`components.schemas`): `Event`, one of the per-type schemas told apart by
 * `type`, and each per-type schema (`InvoiceIssuedEvent` …), which `Event` references as `#/components/schemas/<name>`.
 */
export function eventSchemasForOpenApi(): Record<string, JsonSchema> {
  const ref = (entry: EventType) => `#/components/schemas/${eventSchemaName(entry.type)}`;
  return {
    Event: {
      description: 'An event as the API publishes it (webhooks, the change feed): the envelope, and the payload of its `type`. See the business guide\'s Events page.',
      oneOf: EVENT_TYPES.map((entry) => ({ $ref: ref(entry) })),
      discriminator: { propertyName: 'type', mapping: Object.fromEntries(EVENT_TYPES.map((entry) => [entry.type, ref(entry)])) },
    },
    ...Object.fromEntries(EVENT_TYPES.map((entry) => [eventSchemaName(entry.type), eventSchema(entry)])),
  };
}
