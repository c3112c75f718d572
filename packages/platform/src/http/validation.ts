/**
 * Validation at the edge: DTOs are checked with class-validator; unknown fields are refused;
 * every failure names its field (nested fields as `a.b`) in the error model's details.
 */
import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { badRequest, type ErrorDetail } from './api-error';

export function validationDetails(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...validationDetails(error.children ?? [], field)];
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => badRequest('The request is not valid', validationDetails(errors)),
  });
}
