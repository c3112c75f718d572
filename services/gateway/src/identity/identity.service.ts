/**
 * Authentication: turns the bearer credential of a request into the calling user, with the key
 * material the request needs (DESIGN §4). Three kinds of credential, told apart by their shape:
 *  - `lab_…`: a platform API key of an internal system (stored hashed, scoped, revocable);
 *  - a JWT: a portal user signed in with OIDC (verified against the issuer's JWKS);
 *  - a key of the provider's form (PROVIDER_KEY_PATTERN): the caller's own OpenAI key
 *    (bring-your-own-key);
 *  - anything else, platform secrets (the admin token, internal tokens) above all: 401, with
 *    no outbound call and no user made.
 * Users are made on first use. The OpenAI key is never stored or logged: the user is found by
 * its PBKDF2 hash, and it wraps their data key, so nothing at rest can read their messages.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import {
  deriveWrappingKey,
  generateDataKey,
  unwrapDataKey,
  wrapDataKey,
  wrappedDataKeyId,
} from '@lab/platform';
import { ApiException, conflict } from '@lab/platform/http';
import type { Redis } from 'ioredis';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { GATEWAY_REDIS } from '../redis';
import type { AuthenticatedCaller } from './caller';
import {
  API_KEY_PREFIX,
  apiKeyHash,
  cacheSecret,
  looksLikePlatformSecret,
  looksLikeProviderKey,
  oidcLookup,
  openAiKeyCacheName,
  openAiKeyHash,
} from './credentials';
import type { UserEntity } from './entities/user.entity';
import { looksLikeJwt, OidcVerifier } from './oidc/oidc-verifier';
import { ProviderKeys } from './provider-keys';
import { SignInFailures } from './sign-in-failures';
import { isUniqueViolation, UsersRepository } from './users.repository';

/** What people may do; API keys carry a subset. `admin` is never implied. */
export const SCOPES = ['assistants:read', 'assistants:write', 'chat', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
const PERSON_SCOPES: Scope[] = ['assistants:read', 'assistants:write', 'chat'];

const CACHE_TTL_SECONDS = 24 * 3600;

/** What the lookup cache holds for an OpenAI key: enough to serve a request without the database. */
interface CachedByok {
  userId: string;
  wrappedDataKey: string;
  keySalt: string;
  /** During a key rotation, the previous data key (wrapped under the same OpenAI key). */
  previousWrappedDataKey?: string;
}

function parseCached(value: string | null): CachedByok | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Partial<CachedByok>;
    return typeof parsed.userId === 'string' &&
      typeof parsed.wrappedDataKey === 'string' &&
      typeof parsed.keySalt === 'string' &&
      (parsed.previousWrappedDataKey === undefined ||
        typeof parsed.previousWrappedDataKey === 'string')
      ? (parsed as CachedByok)
      : null;
  } catch {
    return null;
  }
}

export interface SignIn {
  caller: AuthenticatedCaller;
  created: boolean;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const rotationInProgress = () =>
  new ApiException(
    HttpStatus.CONFLICT,
    'rotation_in_progress',
    'A key rotation is still moving the history; rotate again once it is done',
  );

const unauthenticated = (message: string) =>
  new ApiException(HttpStatus.UNAUTHORIZED, 'unauthenticated', message);

@Injectable()
export class IdentityService {
  private readonly cacheKey: Buffer;
  private readonly providerKeys: ProviderKeys;
  private readonly oidc: OidcVerifier | null;
  private readonly failures: SignInFailures;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GATEWAY_REDIS) private readonly redis: Redis,
    private readonly users: UsersRepository,
  ) {
    this.cacheKey = cacheSecret(config.identitySalt);
    this.providerKeys = new ProviderKeys(config.openaiBaseUrl);
    this.oidc = config.oidc ? new OidcVerifier(config.oidc) : null;
    this.failures = new SignInFailures(
      redis,
      `${config.redisPrefix}sign-in-failures:`,
      config.signInFailures,
    );
  }

  /** The `Authorization` header's bearer credential, or 401. */
  static bearer(header: string | undefined): string {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match?.[1]) {
      throw unauthenticated(
        'Authorization: Bearer <OpenAI key | OIDC token | platform API key> is required',
      );
    }
    return match[1];
  }

  isAdminToken(token: string): boolean {
    const admin = this.config.adminToken;
    return admin !== null && sameSecret(token, admin);
  }

  /** The admin token or one of the gateway's internal tokens (whatever their form). */
  isPlatformSecret(token: string): boolean {
    if (looksLikePlatformSecret(token)) return true;
    return [this.config.adminToken, this.config.assistantsToken, this.config.sessionsToken].some(
      (secret) => secret !== null && sameSecret(token, secret),
    );
  }

  /**
   * The caller of a request. Failures count against the client's address and the credential
   * (sign-in-failures.ts); once either has none left, a sign-in that would cost a PBKDF2 hash
   * and a provider call (an unknown OpenAI key) is 429 before any of it.
   */
  async authenticate(token: string, clientAddress = 'unknown'): Promise<SignIn> {
    const keys = [`ip:${clientAddress}`, `credential:${openAiKeyCacheName(token, this.cacheKey)}`];
    try {
      return await this.identify(token, keys);
    } catch (error) {
      if (error instanceof ApiException && error.getStatus() === 401) {
        await this.failures.count(keys);
      }
      throw error;
    }
  }

  private async identify(token: string, failureKeys: string[]): Promise<SignIn> {
    if (this.isPlatformSecret(token)) {
      throw unauthenticated('A platform secret is not a user credential');
    }
    if (token.startsWith(API_KEY_PREFIX))
      return { caller: await this.byApiKey(token), created: false };
    if (looksLikeJwt(token)) return this.byOidc(token);
    if (looksLikeProviderKey(token, this.config.providerKeyPattern))
      return this.byOpenAiKey(token, failureKeys);
    throw unauthenticated(
      'The bearer credential is not an OpenAI key, an OIDC token or a platform API key',
    );
  }

  /**
   * Rotation of a bring-your-own key (decision 0021): the caller proved the old key (it
   * authenticated this request); the new one is checked with the provider. In one transaction
   * the identity moves to its hash, the user gets a NEW data key wrapped under it, and the old
   * data key is kept, wrapped under the new key too, as the previous key until the history has
   * moved (the caller then clears it: {@link clearPreviousDataKey}). The old key no longer signs
   * in here. Answers both data keys. Authenticated with the new key already (a repeat), it
   * answers the caller's keys (`repeat: true`) and changes nothing.
   */
  async rotateOpenAiKey(
    caller: AuthenticatedCaller,
    oldKey: string,
    newKey: string,
  ): Promise<{ dataKey: Buffer; previousDataKey: Buffer | null; repeat: boolean }> {
    if (caller.kind !== 'byok') {
      throw new ApiException(
        HttpStatus.CONFLICT,
        'not_byok',
        'Only a bring-your-own-key user has an OpenAI key to rotate',
      );
    }
    if (
      !looksLikeProviderKey(newKey, this.config.providerKeyPattern) ||
      this.isPlatformSecret(newKey) ||
      newKey.startsWith(API_KEY_PREFIX) ||
      looksLikeJwt(newKey)
    ) {
      throw new ApiException(
        HttpStatus.BAD_REQUEST,
        'validation_failed',
        'newKey is not an OpenAI key',
        [{ field: 'newKey', message: 'newKey must be an OpenAI key' }],
      );
    }
    if (newKey === oldKey) {
      return {
        dataKey: caller.dataKey,
        previousDataKey: caller.previousDataKey ?? null,
        repeat: true,
      };
    }
    if (caller.previousDataKey) throw rotationInProgress();
    const [oldLookup, newLookup] = await Promise.all([this.hash(oldKey), this.hash(newKey)]);
    if (await this.users.findByIdentity('byok', newLookup)) {
      throw conflict('That OpenAI key already belongs to another user');
    }
    await this.providerKeys.check(newKey);
    const user = await this.users.findUser(caller.userId);
    if (!user) throw unauthenticated('The user no longer exists');
    const previousDataKey = unwrapDataKey(
      user.wrappedDataKey,
      deriveWrappingKey(oldKey, user.keySalt),
    );
    const newWrappingKey = deriveWrappingKey(newKey, user.keySalt);
    const dataKey = generateDataKey();
    try {
      const rotated = await this.users.rotateIdentity(user.id, 'byok', oldLookup, newLookup, {
        wrappedDataKey: wrapDataKey(dataKey, newWrappingKey),
        previousWrappedDataKey: wrapDataKey(previousDataKey, newWrappingKey),
      });
      if (!rotated) throw rotationInProgress();
    } catch (error) {
      // Another request registered the new key first.
      if (isUniqueViolation(error))
        throw conflict('That OpenAI key already belongs to another user');
      throw error;
    }
    await this.redis.del(this.cacheName(oldKey));
    return { dataKey, previousDataKey, repeat: false };
  }

  /**
   * The end of a rotation: the previous data key is dropped from the user and from the lookup
   * cache of their (new) key, so nothing the platform holds opens the old data key any more.
   */
  async clearPreviousDataKey(userId: string, key: string): Promise<void> {
    const user = await this.users.findUser(userId);
    if (user?.previousWrappedDataKey)
      await this.users.clearPreviousDataKey(userId, user.previousWrappedDataKey);
    await this.redis.del(this.cacheName(key));
  }

  private async byOpenAiKey(key: string, failureKeys: string[]): Promise<SignIn> {
    const cache = this.cacheName(key);
    let known = parseCached(await this.redis.get(cache));
    let created = false;
    if (!known) {
      await this.failures.refuseIfExhausted(failureKeys);
      const lookup = await this.hash(key);
      let user = await this.users.findByIdentity('byok', lookup);
      if (!user) {
        await this.providerKeys.check(key);
        const salt = randomBytes(16).toString('base64url');
        const dataKey = generateDataKey();
        ({ user, created } = await this.users.createWithIdentity(
          {
            id: randomUUID(),
            keyMode: 'byok',
            keySalt: salt,
            wrappedDataKey: wrapDataKey(dataKey, deriveWrappingKey(key, salt)),
          },
          'byok',
          lookup,
        ));
      }
      known = {
        userId: user.id,
        wrappedDataKey: user.wrappedDataKey,
        keySalt: user.keySalt,
        ...(user.previousWrappedDataKey
          ? { previousWrappedDataKey: user.previousWrappedDataKey }
          : {}),
      };
      // The wrapped data key opens only with this very OpenAI key: safe to keep beside its HMAC.
      await this.redis.set(cache, JSON.stringify(known), 'EX', CACHE_TTL_SECONDS);
    }
    const wrappingKey = deriveWrappingKey(key, known.keySalt);
    const dataKey = unwrapDataKey(known.wrappedDataKey, wrappingKey);
    return {
      caller: {
        userId: known.userId,
        kind: 'byok',
        limitKey: `user:${known.userId}`,
        scopes: PERSON_SCOPES,
        dataKey,
        ...(known.previousWrappedDataKey
          ? { previousDataKey: unwrapDataKey(known.previousWrappedDataKey, wrappingKey) }
          : {}),
        providerKey: key,
      },
      created,
    };
  }

  private async byOidc(token: string): Promise<SignIn> {
    if (!this.oidc) throw unauthenticated('This gateway does not accept OIDC tokens');
    const { issuer, subject } = await this.oidc.verify(token);
    const lookup = oidcLookup(issuer, subject);
    let user = await this.users.findByIdentity('oidc', lookup);
    let created = false;
    if (!user) {
      ({ user, created } = await this.users.createWithIdentity(
        this.platformUser(),
        'oidc',
        lookup,
      ));
    }
    return { caller: this.person(user, 'oidc', this.platformDataKey(user)), created };
  }

  private async byApiKey(token: string): Promise<AuthenticatedCaller> {
    const key = await this.users.findActiveApiKey(apiKeyHash(token));
    const user = key ? await this.users.findUser(key.userId) : null;
    if (!key || !user) throw unauthenticated('The API key is unknown or revoked');
    void this.users.touchApiKey(key.id).catch(() => undefined);
    return {
      userId: user.id,
      kind: 'api_key',
      limitKey: `key:${key.id}`,
      scopes: key.scopes,
      dataKey: this.platformDataKey(user),
    };
  }

  /** A user whose data key the platform master key wraps (OIDC people, API-key systems). */
  platformUser(): Omit<
    UserEntity,
    'createdAt' | 'sessionsStarted' | 'sessionsEnded' | 'assistantsCreated'
  > {
    const ring = this.config.masterKeys;
    return {
      id: randomUUID(),
      keyMode: 'platform',
      keySalt: '',
      wrappedDataKey: wrapDataKey(generateDataKey(), ring.currentKey, ring.currentKeyId),
    };
  }

  private platformDataKey(user: UserEntity): Buffer {
    const keyId = wrappedDataKeyId(user.wrappedDataKey) ?? '';
    const masterKey = this.config.masterKeys.key(keyId);
    if (!masterKey) throw new Error(`master key ${keyId} is not in MASTER_KEYS`);
    return unwrapDataKey(user.wrappedDataKey, masterKey);
  }

  private person(user: UserEntity, kind: 'oidc', dataKey: Buffer): AuthenticatedCaller {
    return { userId: user.id, kind, limitKey: `user:${user.id}`, scopes: PERSON_SCOPES, dataKey };
  }

  private hash(key: string): Promise<string> {
    return openAiKeyHash(key, this.config.identitySalt, this.config.identityIterations);
  }

  private cacheName(key: string): string {
    return `${this.config.redisPrefix}byok:${openAiKeyCacheName(key, this.cacheKey)}`;
  }
}
