export * from './rate-limit-headers';
export * from './rate-limit.guard';
export * from './rate-limit.module';
export * from './rate-limiter';
export * from './token-budget';
