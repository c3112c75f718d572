/**
 * Who is calling, once the gateway has authenticated the request: the user (every identity
 * resolves to one), how they proved it, and the key material their request needs. Set on the
 * request by the authentication guard; never logged.
 */
import type { Request } from 'express';

export type IdentityKind = 'byok' | 'oidc' | 'api_key';

export interface AuthenticatedCaller {
  /** The platform user (UUID); the services scope everything by it. */
  userId: string;
  kind: IdentityKind;
  /** The bucket that rate limits and spend caps count against: the API key for systems, else the user. */
  limitKey: string;
  /** Scopes an API key grants (`chat`, `assistants:write`, ...); people have every scope. */
  scopes: readonly string[];
  /** The user's data key, unwrapped for this request only. */
  dataKey: Buffer;
  /**
   * During a key rotation (decision 0021), the data key the history moves from: sessions not
   * yet moved are read with it.
   */
  previousDataKey?: Buffer;
  /** Bring-your-own-key: the user's OpenAI key, for this request's LLM calls only. */
  providerKey?: string;
}

export interface CallerRequest extends Request {
  caller?: AuthenticatedCaller;
}
