import type { Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ISO_4217_CODES, isCurrencyCode } from '@invoicing/core';
import { ValidateBy, getMetadataStorage, type ValidationOptions } from 'class-validator';

/** A character a text may hold: anything but the control characters other than tab, line feed and carriage return. */
const TEXT = '[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]';
/** The blanks the domain trims around a value. */
const SPACE = '[ \\t\\n\\r]';
const NOT_SPACE = '[^\\s@\\x00-\\x1F\\x7F]';

/**
 * The formats the API's values follow, as JSON Schema. The DTOs check some of them; the domain checks the others
 * (with its own codes, e.g. `id.malformed`, `money.malformed`, `date.malformed`), and {@link Format} states those.
 */
export const FORMATS = {
  /** An id as `parseId` of @invoicing/core accepts it (1–128 letters, digits, `_ . : -`); the API gives out UUIDv7s. */
  id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$' },
  /** An amount above zero, as a decimal string (`payment.invalid_amount` otherwise). */
  positiveDecimal: { type: 'string', pattern: '^(?:[1-9][0-9]*(?:\\.[0-9]+)?|0\\.[0-9]*[1-9][0-9]*)$' },
  /** An amount of zero or more, as a decimal string (e.g. a list price: `marketable.negative_price` otherwise). */
  nonNegativeDecimal: { type: 'string', pattern: '^(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?$' },
  /**
   * A stored unit price (a list or negotiated price): zero or more, at most 10^12 with at most 10 decimals, what an
   * invoice line's price may be (`marketable.negative_price`, `marketable.price_out_of_range` … otherwise).
   */
  unitPrice: { type: 'string', pattern: '^(?:(?:0|[1-9][0-9]{0,11})(?:\\.[0-9]{1,10})?|1000000000000(?:\\.0{1,10})?)$' },
  /** A percent from 0 to 100, as a decimal string (e.g. a VAT rate: `vat.rate_out_of_range` otherwise). */
  percent: { type: 'string', pattern: '^(?:100(?:\\.0+)?|[1-9]?[0-9](?:\\.[0-9]+)?)$' },
  /** A decimal string as the domain's `decimal()` parses it: no exponent, no `+`, no leading zeros. */
  decimal: { type: 'string', pattern: '^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?$' },
  /**
   * A day of the calendar, `YYYY-MM-DD`, that exists. Years before 0100 are refused: JavaScript's `Date.UTC` reads
   * them as 19xx, so the domain cannot tell them apart.
   */
  date: { type: 'string', format: 'date', pattern: '^(?!00)[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
  /** An ISO 4217 currency code the domain knows, one with a minor unit (`money.unknown_currency` otherwise: `XAU`, `XXX` …). */
  currency: { type: 'string', enum: ISO_4217_CODES.filter((code) => isCurrencyCode(code)) },
  /** A month, `YYYY-MM`. */
  month: { type: 'string', pattern: '^(?!00)[0-9]{4}-(?:0[1-9]|1[0-2])$' },
  /** A free text as the domain takes it: no control characters but tab and line breaks (`text.control_character`). */
  text: { type: 'string', pattern: `^${TEXT}*$` },
  /** A required free text: not blank either (`text.required`). */
  requiredText: { type: 'string', pattern: `^${TEXT}*[^\\x00-\\x20\\x7F]${TEXT}*$` },
  /** An email address, or blank for none (`contact.invalid_email`). */
  email: { type: 'string', maxLength: 254, pattern: `^${SPACE}*(?:${NOT_SPACE}+@${NOT_SPACE}+\\.${NOT_SPACE}+${SPACE}*)?$` },
  /** A phone number: digits, spaces and `( ) . -`, after an optional `+`; or blank for none (`contact.invalid_phone`). */
  phone: { type: 'string', pattern: `^${SPACE}*(?:\\+?[0-9().-][0-9 ().-]{2,28}[0-9().-]${SPACE}*)?$` },
  /** A VAT identifier with its two-letter country prefix, or blank for none (`partner.invalid_vat_id`). */
  vatId: { type: 'string', pattern: `^(?:${SPACE}*|[A-Za-z]{2}[A-Za-z0-9+*.-]{2,13})$` },
  /** An electronic address scheme (EAS): four digits. */
  easScheme: { type: 'string', pattern: '^[0-9]{4}$' },
  /** An ISO 3166-1 alpha-2 country code. */
  country: { type: 'string', pattern: '^[A-Z]{2}$' },
  /** A UN/ECE Recommendation 20 unit code (`unit_code.malformed`). */
  unitCode: { type: 'string', pattern: '^[A-Z0-9]{2,3}$' },
  /** A partner's id in the tenant's own systems: 1–100 visible ASCII characters, no spaces (`partner.invalid_external_id`). */
  externalId: { type: 'string', pattern: '^[\\x21-\\x7e]{1,100}$' },
  /** A stock keeping unit: 1–64 letters, digits or `. _ - /`, starting with a letter or digit (`marketable.invalid_sku`). */
  sku: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$' },
  /** A numbering series prefix: 1–20 capitals, digits or `-`, starting with a capital or digit. */
  series: { type: 'string', pattern: '^[A-Z0-9][A-Z0-9-]{0,19}$' },
  /**
   * `If-Match` (etag.ts): `*`, or entity tags separated by commas, empty members allowed (RFC 9110 §8.8.3, §5.6.1).
   * Any tag is taken; only `"<version>"` as `ETag` gives it can match (a weak `W/"3"` never does: 412).
   */
  ifMatch: { type: 'string', pattern: '^(?:[ \\t]*\\*[ \\t]*|(?:[ \\t]*(?:(?:W/)?"[\\x21\\x23-\\x7e]*")?[ \\t]*,)*[ \\t]*(?:W/)?"[\\x21\\x23-\\x7e]*"[ \\t]*(?:,(?:[ \\t]*(?:(?:W/)?"[\\x21\\x23-\\x7e]*")?[ \\t]*))*)$', example: '"1"' },
  /** `Idempotency-Key`: 1–255 visible ASCII characters (idempotency.interceptor.ts). */
  idempotencyKey: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$', minLength: 1, maxLength: 255 },
} as const satisfies Record<string, SchemaObject>;

const FORMAT_CONSTRAINT = 'openApiFormat';
const TEXT_LENGTH_CONSTRAINT = 'openApiTextLength';
/** The constraints that only state something in the reference: they accept anything, so no request gets their code. */
export const DOCUMENTATION_CONSTRAINTS: ReadonlySet<string> = new Set([FORMAT_CONSTRAINT, TEXT_LENGTH_CONSTRAINT]);

/** A free text longer than this (once trimmed) is refused by the domain (`text.too_long`) unless it says otherwise. */
const TEXT_MAX_LENGTH = 200;

/**
 * States in the reference the longest a free text may be, where the domain allows another length than
 * {@link TEXT_MAX_LENGTH} (`text.too_long`); `{ each: true }` for each text of a list.
 */
export function TextLength(maxLength: number, options?: Pick<ValidationOptions, 'each'>): PropertyDecorator {
  return ValidateBy({ name: TEXT_LENGTH_CONSTRAINT, constraints: [maxLength], validator: { validate: () => true } }, options);
}

/**
 * States in the reference a format the domain checks rather than the DTO (so its error code stays the domain's):
 * `@Format(FORMATS.decimal)`, `@Format(FORMATS.id, { each: true })` for each item of an array. Kept with the
 * class-validator metadata, as a check that accepts anything, so mapped types (`OmitType`) inherit it like the rest.
 */
export function Format(schema: SchemaObject, options?: Pick<ValidationOptions, 'each'>): PropertyDecorator {
  return ValidateBy({ name: FORMAT_CONSTRAINT, constraints: [schema], validator: { validate: () => true } }, options);
}

const SCHEMA_RULE = 'invoicing:openapi-schema-rule';

/**
 * States in the reference a rule across a DTO's fields that its checks enforce, as JSON Schema keywords merged into
 * its schema (e.g. `if`/`then` for a member required in one case).
 */
export function SchemaRule(schema: Readonly<Record<string, unknown>>): ClassDecorator {
  return (target) => Reflect.defineMetadata(SCHEMA_RULE, schema, target);
}

/** What each class-validator constraint the DTOs use says, as JSON Schema keywords. */
const KEYWORDS: Readonly<Record<string, (constraints: readonly unknown[]) => SchemaObject>> = {
  isInt: () => ({ type: 'integer' }),
  isBoolean: () => ({ type: 'boolean' }),
  min: ([minimum]) => ({ minimum: minimum as number }),
  max: ([maximum]) => ({ maximum: maximum as number }),
  minLength: ([minLength]) => ({ minLength: minLength as number }),
  maxLength: ([maxLength]) => ({ maxLength: maxLength as number }),
  arrayMinSize: ([minItems]) => ({ minItems: minItems as number }),
  arrayMaxSize: ([maxItems]) => ({ maxItems: maxItems as number }),
  arrayNotEmpty: () => ({ minItems: 1 }),
  isIn: ([values]) => ({ enum: [...(values as unknown[])] }),
  matches: ([pattern]) => ({ pattern: pattern instanceof RegExp ? pattern.source : String(pattern) }),
  isCalendarDate: () => FORMATS.date,
  isYearMonth: () => FORMATS.month,
  [FORMAT_CONSTRAINT]: ([schema]) => schema as SchemaObject,
  [TEXT_LENGTH_CONSTRAINT]: ([maxLength]) => ({ maxLength: maxLength as number }),
};

/** The keywords a DTO's checks state, by property: for the value itself, and for each item of an array. */
interface PropertyKeywords {
  own: SchemaObject;
  each: SchemaObject;
  /** `@IsOptional()`: class-validator skips the checks of an absent value, and of `null` too. */
  optional: boolean;
  /** A `@Format` states the value's (or each item's) format: it is no free text. */
  formatted: boolean;
  eachFormatted: boolean;
}

function keywordsOf(dto: Type): Map<string, PropertyKeywords> {
  const byProperty = new Map<string, PropertyKeywords>();
  for (const { name, propertyName, constraints, each } of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const entry = byProperty.get(propertyName) ?? { own: {}, each: {}, optional: false, formatted: false, eachFormatted: false };
    byProperty.set(propertyName, entry);
    if (name === 'isOptional') entry.optional = true;
    if (name === FORMAT_CONSTRAINT && each) entry.eachFormatted = true;
    else if (name === FORMAT_CONSTRAINT) entry.formatted = true;
    const keywords = name === undefined ? undefined : KEYWORDS[name]?.((constraints as unknown[] | undefined) ?? []);
    if (keywords) Object.assign(each ? entry.each : entry.own, keywords);
  }
  return byProperty;
}

/** Puts the keywords on a property's schema: on it, or on its items for `each`; a `$ref`'s are its schema's own. */
function constrain(schema: SchemaObject | ReferenceObject, { own, each }: PropertyKeywords): void {
  if ('$ref' in schema) return;
  Object.assign(schema, own);
  if (Object.keys(each).length > 0 && schema.items && !('$ref' in schema.items)) Object.assign(schema.items, each);
}

/** A string the DTO's checks and `@Format`s say nothing of is a free text, which the domain checks as such. */
function textRule(schema: SchemaObject, required: boolean): void {
  if (schema.type !== 'string' || schema.pattern !== undefined || schema.enum !== undefined || schema.format !== undefined) return;
  Object.assign(schema, required ? FORMATS.requiredText : FORMATS.text, { maxLength: schema.maxLength ?? TEXT_MAX_LENGTH });
}

/**
 * Every DTO class the validation pipe checks, by the name Nest gives its schema: those with checks of their own, and
 * the handlers' bodies (a body class may only inherit its checks, e.g. through `OmitType`).
 */
function dtoClasses(operations: readonly ServedOperation[]): Map<string, Type> {
  const classes = new Map<string, Type>();
  for (const { controller, handler } of operations) {
    const body = controller && handler ? argumentTypeOf(controller, handler, RouteParamtypes.BODY) : undefined;
    if (body) classes.set(body.name, body);
  }
  // class-validator keeps its metadata per class; a class without any is nothing the pipe checks.
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Type, unknown> };
  for (const dto of storage.validationMetadatas.keys()) if (typeof dto === 'function') classes.set(dto.name, dto);
  return classes;
}

/** The schema names a request body reaches, through `$ref`s, at any depth. */
function requestSchemaNames(document: OpenAPIObject): Set<string> {
  const schemas = document.components?.schemas ?? {};
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const ref = (node as ReferenceObject).$ref;
    if (typeof ref === 'string') {
      const name = ref.replace('#/components/schemas/', '');
      if (!names.has(name)) {
        names.add(name);
        visit(schemas[name]);
      }
      return;
    }
    Object.values(node).forEach(visit);
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      if (operation && typeof operation === 'object' && 'requestBody' in operation) visit(operation.requestBody);
    }
  }
  return names;
}

/** The class of a handler's whole `@Query()` or `@Body()`, if it takes one. */
function argumentTypeOf(controller: Type, handler: string, kind: RouteParamtypes): Type | undefined {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<string, { index: number; data?: unknown }>;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype as object, handler) ?? []) as unknown[];
  for (const [key, { index, data }] of Object.entries(args)) {
    if (key.split(':')[0] === String(kind) && data === undefined && typeof types[index] === 'function') return types[index] as Type;
  }
  return undefined;
}

/** An operation and the controller method that serves it. */
export interface ServedOperation {
  readonly operation: OperationObject;
  readonly controller?: Type;
  readonly handler?: string;
}

/**
 * Makes the document as strict as the code, by rule, so that a client generator or a fuzzer is not misled:
 * - every request body schema (and what it nests) takes the keywords of its DTO's class-validator checks (integers,
 *   bounds, lengths, item counts, enums, patterns, date and month formats) and of its `@Format`s, and
 *   `additionalProperties: false`, since the validation pipe refuses unknown members (`forbidNonWhitelisted`);
 * - query parameters take the keywords of their `@Query()` DTO the same way;
 * - path parameters named `…Id` are ids ({@link FORMATS}.id); `If-Match` and `Idempotency-Key` get their patterns.
 */
export function applyRequestStrictness(document: OpenAPIObject, operations: readonly ServedOperation[]): void {
  const classes = dtoClasses(operations);
  const schemas = document.components?.schemas ?? {};
  for (const name of requestSchemaNames(document)) {
    const schema = schemas[name];
    if (!schema || '$ref' in schema) continue;
    const dto = classes.get(name);
    const keywords = dto ? keywordsOf(dto) : new Map<string, PropertyKeywords>();
    for (const [property, target] of Object.entries(schema.properties ?? {})) {
      const own = keywords.get(property);
      if (own) constrain(target, own);
      // Made `null` among the types by toOpenApi31Schemas.
      if (own?.optional) (target as SchemaObject).nullable = true;
      if ('$ref' in target) continue;
      if (!own?.formatted) textRule(target, schema.required?.includes(property) === true);
      if (target.items && !('$ref' in target.items) && !own?.eachFormatted) textRule(target.items, true);
    }
    if (dto) Object.assign(schema, Reflect.getMetadata(SCHEMA_RULE, dto) as SchemaObject | undefined);
    if (schema.type === 'object') schema.additionalProperties = false;
  }
  for (const { operation, controller, handler } of operations) {
    optionalBody(operation, schemas);
    const query = controller && handler ? argumentTypeOf(controller, handler, RouteParamtypes.QUERY) : undefined;
    const keywords = query ? keywordsOf(query) : new Map<string, PropertyKeywords>();
    for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
      if (!parameter.schema || '$ref' in parameter.schema) continue;
      const header = parameter.in === 'header' ? HEADER_FORMATS[parameter.name.toLowerCase()] : undefined;
      if (header) Object.assign(parameter.schema, header);
      if (parameter.in === 'path' && /Id$/.test(parameter.name)) Object.assign(parameter.schema, FORMATS.id);
      const own = parameter.in === 'query' ? keywords.get(parameter.name) : undefined;
      if (own) constrain(parameter.schema, own);
    }
  }
}

/** A body none of whose members is required may be left out: the pipe then checks an empty one. */
function optionalBody(operation: OperationObject, schemas: Record<string, SchemaObject | ReferenceObject>): void {
  const body = operation.requestBody && 'content' in operation.requestBody ? operation.requestBody : undefined;
  const media = body?.content['application/json'];
  const ref = (media?.schema as ReferenceObject | undefined)?.$ref;
  const schema = ref ? schemas[ref.replace('#/components/schemas/', '')] : undefined;
  if (!body || !media?.schema || !schema || '$ref' in schema || (schema.required ?? []).length > 0) return;
  body.required = false;
  // A JSON `null` body is taken as none too.
  (media.schema as SchemaObject).nullable = true;
}

const HEADER_FORMATS: Readonly<Record<string, SchemaObject>> = {
  'if-match': FORMATS.ifMatch,
  'idempotency-key': FORMATS.idempotencyKey,
};

/** An id in a query (`partner_id`): checked as a path's id is, so that no control character reaches a filter. */
export const ID_PATTERN = new RegExp(FORMATS.id.pattern);
