/** Encryption building blocks: key rings, the Temporal payload codec, per-user envelope encryption. */
export * from './errors';
export * from './key-ring';
export * from './payload-codec';
export * from './envelope';
