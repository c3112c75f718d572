/**
 * Encryption building blocks: key rings, per-user envelope encryption, the per-turn credential
 * vault, session ciphers. (The Temporal payload codec is `@lab/platform/temporal`.)
 */
export * from './errors';
export * from './key-ring';
export * from './envelope';
export * from './turn-vault';
export * from './session-cipher';
export * from './attachment-seal';
export * from './turn-stream-seal';
export * from './caller-keys';
export * from './rotation-keys';
export * from './data-key-rotation';
