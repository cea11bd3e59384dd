import { parseId } from '@invoicing/core';
import { ValidationPipe, type ArgumentMetadata, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { RequestValidationError, type FieldIssue } from './problem';

/**
 * An optional member of a body: it may be left out, but `null` only where its type says so (`@IsOptional()` there).
 * `@IsOptional()` lets `null` past every check, to a domain that takes it for a value.
 */
export const Optional = (): PropertyDecorator => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/** class-validator's checks of a value's type. */
const TYPE_CONSTRAINTS: ReadonlySet<string> = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject']);

/**
 * A value of the wrong type keeps its type issue only: class-validator also fails every check of the content on it
 * (`maxLength` on a number: "must be shorter than or equal to 36 characters"), which would send the caller astray.
 * A list is of the right type: an item of the wrong one (`isString` of each) leaves the list's own checks standing.
 */
function relevant(constraints: Readonly<Record<string, string>>, value: unknown): [string, string][] {
  const all = Object.entries(constraints);
  if (Array.isArray(value) && !('isArray' in constraints)) return all;
  const types = all.filter(([constraint]) => TYPE_CONSTRAINTS.has(constraint));
  return types.length > 0 ? types : all;
}

/** class-validator's constraint names, as issue codes under `request.` */
function issuesOf(errors: readonly ClassValidatorError[], prefix = ''): FieldIssue[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = relevant(error.constraints ?? {}, error.value).map(([constraint, message]) => ({
      path,
      code: constraint === 'whitelistValidation' ? 'request.unknown_property' : `request.${constraint.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`,
      message,
    }));
    return [...own, ...issuesOf(error.children ?? [], path)];
  });
}

/**
 * DTO classes compiled to ES2022 define every declared field, so an absent optional field becomes an own property
 * holding `undefined`; for a partial update that would read as "clear this field". Absent stays absent.
 */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  // A file body (a Buffer) has a member per byte and no field to clear: walking it took seconds for a megabyte.
  if (value === null || typeof value !== 'object' || value instanceof Date || ArrayBuffer.isView(value)) return value;
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) delete (value as Record<string, unknown>)[key];
    else withoutUndefined(field);
  }
  return value;
}

/** The names Object.prototype has (`constructor`, `toString`, `__proto__` …). */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Members named like Object.prototype's, at any depth. class-transformer skips a member whose name the new instance
 * already has from its prototype, so the whitelist never saw it: it vanished from the request, and nothing refused it.
 */
function prototypeNamed(value: unknown, prefix = ''): FieldIssue[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (PROTOTYPE_NAMES.has(key)) return [{ path, code: 'request.unknown_property', message: `property ${key} should not exist` }];
    return prototypeNamed((value as Record<string, unknown>)[key], path);
  });
}

/** The free-form maps of each body DTO ({@link FreeFormMaps}): paths from the body's root, `*` for each item of a list. */
const FREE_FORM_MAPS = new WeakMap<object, readonly string[]>();

/**
 * Marks members of a body that are free-form maps, whose keys are data the caller names (a usage event's
 * `properties`), not members of a DTO. class-transformer drops (or trips on) keys named like Object.prototype's, and
 * {@link prototypeNamed} refuses them: such a map is kept out of both, checked only as an object, and reaches the
 * handler as a copy without a prototype, for the domain to judge its keys (per event, for usage). `__proto__` never
 * gets there: the JSON parser refuses it (json-body.ts).
 */
export const FreeFormMaps =
  (...paths: string[]): ClassDecorator =>
  (target) => {
    FREE_FORM_MAPS.set(target, paths);
  };

/** A free-form map found in a body: where it sits (`at`, from the root, then `key` in `container`) and its value. */
interface FreeFormMap {
  readonly container: Record<string, unknown>;
  readonly key: string;
  readonly at: readonly (string | number)[];
  readonly map: object;
}

/** The objects at `path` in a body (`*` for each item of a list); anything else there is left to the DTO's checks. */
function mapsAt(value: unknown, keys: readonly string[], at: readonly (string | number)[] = []): FreeFormMap[] {
  if (value === null || typeof value !== 'object') return [];
  const [key, ...rest] = keys;
  if (key === undefined) return [];
  if (key === '*') return Array.isArray(value) ? value.flatMap((item: unknown, index) => mapsAt(item, rest, [...at, index])) : [];
  if (Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, key)) return [];
  const field = (value as Record<string, unknown>)[key];
  if (rest.length > 0) return mapsAt(field, rest, [...at, key]);
  return field !== null && typeof field === 'object' && !Array.isArray(field) ? [{ container: value as Record<string, unknown>, key, at, map: field }] : [];
}

/** A map's own members in an object without a prototype: no key of it can read or set anything inherited. */
function withoutPrototype(map: object): Record<string, unknown> {
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [key, field] of Object.entries(map)) copy[key] = field;
  return copy;
}

/** Puts each free-form map back, copied, where it was in the body, into the DTO instance made from the body. */
function withFreeForm(instance: unknown, maps: readonly FreeFormMap[]): unknown {
  for (const { at, key, map } of maps) {
    const container = at.reduce<unknown>((current, step) => (current !== null && typeof current === 'object' ? (current as Record<string | number, unknown>)[step] : undefined), instance);
    if (container !== null && typeof container === 'object') (container as Record<string, unknown>)[key] = withoutPrototype(map);
  }
  return instance;
}

/**
 * DTO checks for every body, query and parameter: unknown properties refused, values converted to their types. A path
 * parameter named `…Id` must be an id this API gives out (400 `id.malformed`, not a 404 for an id that cannot exist).
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param' && metadata.data?.endsWith('Id') && typeof value === 'string') return parseId(value, metadata.data);
    if ((metadata.type !== 'body' && metadata.type !== 'query') || !this.toValidate(metadata)) return withoutUndefined(await super.transform(value, metadata));
    const paths = metadata.type === 'body' && metadata.metatype !== undefined ? (FREE_FORM_MAPS.get(metadata.metatype) ?? []) : [];
    const maps = paths.flatMap((path) => mapsAt(value, path.split('.')));
    // Checked as empty objects, then given back: the body is left as it came.
    for (const { container, key } of maps) container[key] = {};
    try {
      const named = prototypeNamed(value);
      if (named.length === 0) return withFreeForm(withoutUndefined(await super.transform(value, metadata)), maps);
      // Refused with whatever else is wrong, in one answer.
      const others = await super.transform(value, metadata).then(
        () => [],
        (error: unknown) => {
          if (error instanceof RequestValidationError) return error.errors;
          throw error;
        },
      );
      throw new RequestValidationError([...named, ...others]);
    } finally {
      for (const { container, key, map } of maps) container[key] = map;
    }
  }
}

export function validationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // The value tells a list (of the right type) from a value of the wrong type (`relevant`); it never reaches the answer.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new RequestValidationError(issuesOf(errors)),
  });
}
