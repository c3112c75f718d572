/**
 * Request DTOs validated with class-validator, shared by the services that accept them. A
 * subpath of its own (`@lab/contracts/dto`), so workflow code importing the contracts never
 * bundles a validation library.
 */
export * from './decorators';
export * from './model-config.dto';
export * from './create-assistant.dto';
export * from './update-assistant.dto';
export * from './prompt-version.dto';
export * from './list-query.dto';
export * from './sessions.dto';
export * from './lab.dto';
export * from './completions.dto';
export * from './responses.dto';
