export * from './api-error';
export * from './create-app';
export * from './error-filter';
export * from './health.controller';
export * from './internal-callers';
export * from './json-body';
export * from './validation';
