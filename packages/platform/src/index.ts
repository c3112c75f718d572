/** Shared adapters of the services: infrastructure resolution now; config, logging, crypto, outbox later. */
export * from './infrastructure';
export * from './crypto';
