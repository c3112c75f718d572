/**
 * Shared adapters of the services: configuration reading, crypto. (Infrastructure resolution is
 * test set-up, in `@lab/platform/testing`; the Temporal payload codec is `@lab/platform/temporal`.)
 */
export * from './crypto';
export * from './config/config-reader';
