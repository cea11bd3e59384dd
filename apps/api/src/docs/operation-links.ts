import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ReferenceObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { operationsOf } from './openapi-document';

/**
 * The path parameter a resource's id fills: `PartnerDto` → `partnerId`. Every resource is answered as `<Name>Dto`
 * and named in paths as `{<name>Id}`, so the rule needs no table.
 */
export function idParameterOf(schemaName: string): string {
  const name = schemaName.replace(/Dto$/, '');
  return `${name.charAt(0).toLowerCase()}${name.slice(1)}Id`;
}

/** The name of the schema a 201 answer's JSON body refers to, if any. */
function createdSchemaOf(operation: OperationObject): string | undefined {
  const created = operation.responses['201'] as ResponseObject | ReferenceObject | undefined;
  if (!created || '$ref' in created) return undefined;
  const ref = (created.content?.['application/json']?.schema as ReferenceObject | undefined)?.$ref;
  return ref?.replace('#/components/schemas/', '');
}

function pathParametersOf(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
}

/**
 * OpenAPI links, by rule, for clients and stateful testers that follow them: an operation that creates a resource
 * (201 with `<Name>Dto`) links to every operation taking its id as `{<name>Id}`, with the other path parameters of
 * the target taken from the creating request's own, and `If-Match` from the answer's `ETag` where the target changes
 * that very resource (its last path parameter). A target with a path parameter neither gives is not linked.
 */
export function addOperationLinks(document: OpenAPIObject): void {
  const operations = operationsOf(document);
  for (const source of operations) {
    const schema = createdSchemaOf(source.operation);
    const created = source.operation.responses['201'] as ResponseObject | undefined;
    if (!schema || !created) continue;
    const id = idParameterOf(schema);
    const own = new Set(pathParametersOf(source.path));
    const links: NonNullable<ResponseObject['links']> = {};
    for (const target of operations) {
      const parameters = pathParametersOf(target.path);
      if (target === source || !parameters.includes(id) || !parameters.every((name) => name === id || own.has(name))) continue;
      const values: Record<string, string> = {};
      for (const name of parameters) values[`path.${name}`] = name === id ? '$response.body#/id' : `$request.path.${name}`;
      const ifMatch = ((target.operation.parameters ?? []) as ParameterObject[]).some((parameter) => parameter.in === 'header' && parameter.name === 'If-Match');
      if (ifMatch && parameters.at(-1) === id) values['header.If-Match'] = '$response.header.ETag';
      links[target.operation.operationId ?? `${target.method} ${target.path}`] = {
        operationId: target.operation.operationId,
        parameters: values,
        description: `The ${schema.replace(/Dto$/, '').toLowerCase()} just created.`,
      };
    }
    if (Object.keys(links).length > 0) created.links = { ...created.links, ...links };
  }
}
