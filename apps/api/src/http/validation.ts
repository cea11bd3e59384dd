import { parseId } from '@invoicing/core';
import { ValidationPipe, type ArgumentMetadata, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { RequestValidationError, type FieldIssue } from './problem';

/**
 * An optional member of a body: it may be left out, but `null` only where its type says so (`@IsOptional()` there).
 * `@IsOptional()` lets `null` past every check, to a domain that takes it for a value.
 */
export const Optional = (): PropertyDecorator => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/** class-validator's constraint names, as issue codes under `request.` */
function issuesOf(errors: readonly ClassValidatorError[], prefix = ''): FieldIssue[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
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
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) delete (value as Record<string, unknown>)[key];
    else withoutUndefined(field);
  }
  return value;
}

/**
 * DTO checks for every body, query and parameter: unknown properties refused, values converted to their types. A path
 * parameter named `…Id` must be an id this API gives out (400 `id.malformed`, not a 404 for an id that cannot exist).
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param' && metadata.data?.endsWith('Id') && typeof value === 'string') return parseId(value, metadata.data);
    return withoutUndefined(await super.transform(value, metadata));
  }
}

export function validationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(issuesOf(errors)),
  });
}
