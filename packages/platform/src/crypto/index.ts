/**
 * Encryption building blocks: key rings, the Temporal payload codec, per-user envelope encryption,
 * the per-turn credential vault.
 */
export * from './errors';
export * from './key-ring';
export * from './payload-codec';
export * from './envelope';
export * from './turn-vault';
export * from './session-cipher';
export * from './attachment-seal';
