/**
 * The few validation rules every DTO shares, so that what a hostile client sends is refused at
 * the edge (400) instead of reaching code that trusts its shape:
 *  - `OptionalNotNull`: a field may be left out, but not sent as `null` (class-validator's
 *    `@IsOptional()` lets `null` through, which the services would then dereference or store);
 *  - `NestedObject` / `OptionalNestedObject`: a nested DTO that must be an object (not an array,
 *    not a string), required or not;
 *  - `NestedObjects`: an array of nested DTOs, each an object;
 *  - `ToInteger`: a query parameter in plain decimal digits becomes a number; anything else
 *    (`0x10`, `1e3`, ` 5`) stays a string and fails `@IsInt()` (`@Type(() => Number)` took them).
 */
import { Transform, Type } from 'class-transformer';
import { IsArray, IsDefined, IsObject, ValidateIf, ValidateNested } from 'class-validator';

/** The largest value of the database's `integer` (versions, counts): past it, 400 not 22003. */
export const MAX_INT = 2_147_483_647;

export const OptionalNotNull = (): PropertyDecorator =>
  ValidateIf((_object, value: unknown) => value !== undefined);

type DtoClass = new () => object;

export function NestedObject(type: () => DtoClass): PropertyDecorator {
  return (target, property) => {
    IsDefined()(target, property);
    IsObject()(target, property);
    ValidateNested()(target, property);
    Type(type)(target, property);
  };
}

export function OptionalNestedObject(type: () => DtoClass): PropertyDecorator {
  return (target, property) => {
    OptionalNotNull()(target, property);
    IsObject()(target, property);
    ValidateNested()(target, property);
    Type(type)(target, property);
  };
}

export function NestedObjects(type: () => DtoClass): PropertyDecorator {
  return (target, property) => {
    IsArray()(target, property);
    IsObject({ each: true })(target, property);
    ValidateNested({ each: true })(target, property);
    Type(type)(target, property);
  };
}

export const ToInteger = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value,
  );
