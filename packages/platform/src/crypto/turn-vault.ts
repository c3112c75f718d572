/**
 * Hands a turn's secrets (a user's data key, a user's own provider key) from the request that
 * brought them to the activities of that turn, without them ever entering Temporal: the workflow
 * input names an entry by reference, and the entry lives in Redis, encrypted with the vault key
 * the sessions service and the llm-worker share (`TURN_VAULT_KEY`), for a bounded time (memory
 * only, expiring). The ciphertext is bound to its reference, so an entry copied under another
 * name does not decrypt. An entry that is gone means the turn outlived it: its callers fail the
 * turn without retry and the client repeats the request, which brings the secret again.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { assertKey } from './aes-gcm';
import { decryptText, encryptText } from './envelope';

/** How long an entry outlives the request that left it, at most. */
export const TURN_VAULT_TTL_MS = 15 * 60_000;

const REF_PATTERN = /^[A-Za-z0-9_.:-]{1,300}$/;

export interface TurnVaultOptions {
  /** Entry lifetime (default {@link TURN_VAULT_TTL_MS}). */
  ttlMs?: number;
  /** Redis key prefix (default `turn-vault:`). */
  prefix?: string;
}

export class TurnVault {
  private readonly ttlMs: number;
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    private readonly vaultKey: Buffer,
    options: TurnVaultOptions = {},
  ) {
    assertKey(vaultKey, 'turn vault key');
    this.ttlMs = options.ttlMs ?? TURN_VAULT_TTL_MS;
    this.prefix = options.prefix ?? 'turn-vault:';
  }

  /** A fresh opaque reference (`<kind>:<random>`): says nothing of the secret it names. */
  static newRef(kind: string): string {
    return `${kind}:${randomBytes(18).toString('base64url')}`;
  }

  async hold(ref: string, secret: string): Promise<void> {
    await this.redis.set(
      this.name(ref),
      encryptText(secret, this.vaultKey, this.aad(ref)),
      'PX',
      this.ttlMs,
    );
  }

  /**
   * The secret, or undefined when the entry is gone (expired, forgotten). A DecryptionError when
   * it cannot be read: tampered, or written with another vault key (a misconfiguration).
   */
  async take(ref: string): Promise<string | undefined> {
    const sealed = await this.redis.get(this.name(ref));
    return sealed === null ? undefined : decryptText(sealed, this.vaultKey, this.aad(ref));
  }

  /** The secret, taken once: the entry is gone after (GETDEL). Undefined when it was gone. */
  async redeem(ref: string): Promise<string | undefined> {
    const sealed = await this.redis.getdel(this.name(ref));
    return sealed === null ? undefined : decryptText(sealed, this.vaultKey, this.aad(ref));
  }

  async forget(ref: string): Promise<void> {
    await this.redis.del(this.name(ref));
  }

  private name(ref: string): string {
    if (!REF_PATTERN.test(ref))
      throw new RangeError(`turn vault reference must match ${REF_PATTERN.source}`);
    return `${this.prefix}${ref}`;
  }

  private aad(ref: string): string {
    return `turn-vault:${ref}`;
  }
}
