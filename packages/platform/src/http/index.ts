export * from './api-error';
export * from './error-filter';
export * from './internal-callers';
export * from './json-body';
export * from './validation';
