/** The sessions service's one Redis client (the turn vault, stream fan-out, key rotation). */
export const REDIS = Symbol('REDIS');
