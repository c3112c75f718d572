/**
 * The one-way values that identify a caller, and how a bearer credential is told apart.
 *  - An OpenAI key (bring-your-own-key) is known by PBKDF2-SHA256 with the global salt: the
 *    stored value reveals nothing usable, and guessing keys from it is slow.
 *  - Requests do not pay PBKDF2 each time: a keyed HMAC of the key (fast, with a secret derived
 *    from the salt) names a cache entry holding the user id.
 *  - A platform API key (`lab_` + 256 random bits) is stored as its SHA-256.
 * Platform secrets carry a prefix of their own (`labadm_` the admin token, `labint_` the
 * internal tokens), so that they are recognised wherever they turn up and never taken for a
 * provider key; a provider key must match PROVIDER_KEY_PATTERN (`sk-…` by default).
 */
import { createHash, createHmac, hkdfSync, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

export const API_KEY_PREFIX = 'lab_';
export const ADMIN_TOKEN_PREFIX = 'labadm_';
export const INTERNAL_TOKEN_PREFIX = 'labint_';

/** OpenAI's key shapes: `sk-`, `sk-proj-`, `sk-svcacct-`… then letters, digits, `_` and `-`. */
export const DEFAULT_PROVIDER_KEY_PATTERN = /^sk-[A-Za-z0-9_-]{20,250}$/;

export async function openAiKeyHash(
  key: string,
  salt: string,
  iterations: number,
): Promise<string> {
  return (await pbkdf2Async(key, salt, iterations, 32, 'sha256')).toString('hex');
}

/** The secret of the lookup cache's HMAC: derived from the salt, never equal to it. */
export function cacheSecret(salt: string): Buffer {
  return Buffer.from(hkdfSync('sha256', salt, '', 'lab/gateway/byok-lookup-cache', 32));
}

export function openAiKeyCacheName(key: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(key).digest('base64url');
}

export function oidcLookup(issuer: string, subject: string): string {
  return createHash('sha256').update(`${issuer}\0${subject}`).digest('hex');
}

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), hash: apiKeyHash(key) };
}

export function apiKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A platform secret by its form: never a user's credential, never sent anywhere. */
export function looksLikePlatformSecret(token: string): boolean {
  return token.startsWith(ADMIN_TOKEN_PREFIX) || token.startsWith(INTERNAL_TOKEN_PREFIX);
}

/** A provider key by its form (checked with the provider later); platform secrets never are. */
export function looksLikeProviderKey(
  token: string,
  pattern: RegExp = DEFAULT_PROVIDER_KEY_PATTERN,
): boolean {
  return token.length <= 300 && !looksLikePlatformSecret(token) && pattern.test(token);
}
