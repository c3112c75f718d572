/** Shared adapters of the services: infrastructure resolution, configuration reading, crypto. */
export * from './infrastructure';
export * from './crypto';
export * from './config/config-reader';
