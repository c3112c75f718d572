/**
 * Request DTOs validated with class-validator, shared by the services that accept them. A
 * subpath of its own (`@lab/contracts/dto`), so workflow code importing the contracts never
 * bundles a validation library.
 */
export * from './model-config.dto';
