/**
 * The OpenAPI decorators of the gateway's controllers, so the document says what the server
 * does without a wall of annotations on each route:
 *  - `@ApiQueryFrom(Dto)`: every query parameter of the DTO that validates the query, with its
 *    schema (types, formats, patterns, bounds) and required-ness from the same class-validator
 *    metadata that checks it.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiQuery, type ApiQueryOptions } from '@nestjs/swagger';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { targetConstructorToSchema } from 'class-validator-jsonschema';

export function ApiQueryFrom(dto: new () => object): MethodDecorator {
  const schema = targetConstructorToSchema(dto, {
    classTransformerMetadataStorage: defaultMetadataStorage,
  });
  const required = new Set(schema.required ?? []);
  return applyDecorators(
    ...Object.entries(schema.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: required.has(name), schema: property } as ApiQueryOptions),
    ),
  );
}
