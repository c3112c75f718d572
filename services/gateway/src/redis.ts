/** The gateway's Redis connection (rate limits, the identity lookup cache): one per process. */
export const GATEWAY_REDIS = Symbol('GATEWAY_REDIS');
