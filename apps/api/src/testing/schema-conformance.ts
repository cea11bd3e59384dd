import type { OpenAPIObject } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

type Schema = SchemaObject | ReferenceObject;

/** The formats the API's schemas use (a webhook endpoint's URL in its events is a `uri`); any other fails the check rather than pass unchecked. */
const FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  'date-time': (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)),
  date: (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)),
  uri: (value) => URL.canParse(value),
};

/** Which declared properties of each object schema the checked values had, to find those no value has. */
export class SchemaCoverage {
  private readonly schemas = new Map<SchemaObject, { readonly label: string; readonly seen: Set<string> }>();

  /** Notes that a value checked against `schema` (named `label` in messages) had these properties. */
  record(schema: SchemaObject, label: string, properties: readonly string[]): void {
    const entry = this.schemas.get(schema) ?? { label, seen: new Set<string>() };
    for (const property of properties) entry.seen.add(property);
    this.schemas.set(schema, entry);
  }

  /** `Schema.property` for every declared property that no checked value had. */
  unseen(): string[] {
    return [...this.schemas].flatMap(([schema, { label, seen }]) =>
      Object.keys(schema.properties ?? {})
        .filter((property) => !seen.has(property))
        .map((property) => `${label}.${property}`),
    );
  }
}

/**
 * Where a JSON value (as parsed from an answer) departs from a schema of the OpenAPI 3.1 document, read strictly:
 * an object has only the properties its schema declares (as if `additionalProperties: false`, unless it declares a
 * schema for them: a map) and every required one;
 * types, enums, `null`, and the `date-time` and `date` formats must match. Empty when the value conforms.
 */
export function schemaViolations(document: OpenAPIObject, schema: Schema, value: unknown, coverage?: SchemaCoverage): string[] {
  return check(document, schema, value, '$', 'answer', coverage);
}

function resolve(document: OpenAPIObject, schema: Schema, label: string): { schema: SchemaObject; label: string } {
  if (!('$ref' in schema)) return { schema, label };
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = document.components?.schemas?.[name];
  if (!target || '$ref' in target) throw new Error(`${schema.$ref} is not a schema of the document`);
  return { schema: target, label: name };
}

function check(document: OpenAPIObject, given: Schema, value: unknown, path: string, name: string, coverage?: SchemaCoverage): string[] {
  const { schema, label } = resolve(document, given, name);
  if (schema.allOf) return schema.allOf.flatMap((part) => check(document, part, value, path, label, coverage));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    // Only the alternative that fits counts towards coverage.
    const fitting = alternatives.find((alternative) => check(document, alternative, value, path, label).length === 0);
    if (fitting) return check(document, fitting, value, path, label, coverage);
    return [`${path} fits none of ${alternatives.length} alternatives: ${alternatives.map((alternative) => check(document, alternative, value, path, label).join(', ')).join(' | ')}`];
  }
  const types = [schema.type ?? (schema.properties ? 'object' : [])].flat();
  if (types.length === 0) return [`${path}: the schema ${label} states no type`];
  const actual = jsonType(value);
  if (!types.some((type) => type === actual || (type === 'number' && actual === 'integer'))) return [`${path} is ${actual}, the schema says ${types.join(' or ')}`];
  if (schema.enum && !schema.enum.includes(value)) return [`${path} is ${JSON.stringify(value)}, not one of ${JSON.stringify(schema.enum)}`];
  if (schema.format !== undefined && typeof value === 'string') {
    const valid = FORMATS[schema.format];
    if (!valid) return [`${path}: format ${schema.format} is not one this check knows`];
    if (!valid(value)) return [`${path} is ${JSON.stringify(value)}, not a ${schema.format}`];
  }
  if (actual === 'array') {
    const items = schema.items;
    if (!items) return [`${path}: the schema ${label} states no items`];
    return (value as unknown[]).flatMap((item, index) => check(document, items, item, `${path}[${index}]`, `${label}[]`, coverage));
  }
  if (actual !== 'object') return [];
  const record = value as Record<string, unknown>;
  const declared = schema.properties ?? {};
  coverage?.record(schema, label, Object.keys(record));
  // A map (`additionalProperties` a schema, e.g. a metric's filters) checks each of its values against that schema.
  const others = schema.additionalProperties;
  return [
    ...Object.keys(record)
      .filter((key) => !(key in declared))
      .flatMap((key) =>
        typeof others === 'object' ? check(document, others, record[key], `${path}.${key}`, `${label}[${key}]`, coverage) : [`${path}.${key} is not declared by ${label}`],
      ),
    ...(schema.required ?? []).filter((key) => !(key in record)).map((key) => `${path}.${key} is required by ${label} but missing`),
    ...Object.entries(declared).flatMap(([key, property]) => (key in record ? check(document, property, record[key], `${path}.${key}`, `${label}.${key}`, coverage) : [])),
  ];
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
