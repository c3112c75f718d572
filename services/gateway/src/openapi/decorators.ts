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
import { MAX, MIN } from 'class-validator';
import {
  targetConstructorToSchema,
  type validationMetadatasToSchemas,
} from 'class-validator-jsonschema';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type SchemaOptions = NonNullable<Parameters<typeof validationMetadatasToSchemas>[0]>;

/**
 * How DTOs become JSON Schemas, here and for the document's components: `@Min`/`@Max` state
 * bounds only (the library's own converters also set `type: number`, which overrode `@IsInt`'s
 * `integer`, so integers were documented as any number).
 */
export const DTO_SCHEMA_OPTIONS: SchemaOptions = {
  classTransformerMetadataStorage: defaultMetadataStorage,
  refPointerPrefix: '#/components/schemas/',
  additionalConverters: {
    [MIN]: (meta: ValidationMetadata) => ({ minimum: meta.constraints[0] as number }),
    [MAX]: (meta: ValidationMetadata) => ({ maximum: meta.constraints[0] as number }),
  },
};

export function ApiQueryFrom(dto: new () => object): MethodDecorator {
  const schema = targetConstructorToSchema(dto, DTO_SCHEMA_OPTIONS);
  const required = new Set(schema.required ?? []);
  return applyDecorators(
    ...Object.entries(schema.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: required.has(name), schema: property } as ApiQueryOptions),
    ),
  );
}
