/**
 * A ring of named AES-256 keys: one current key that encrypts, and older keys kept only to
 * decrypt what they encrypted before a rotation. Rotation = put a new key first, keep the old
 * ones after it until nothing encrypted under them is still read.
 *
 * String form (e.g. an environment variable): `"<id>:<base64 32 bytes>,<id>:<base64>,..."`,
 * first entry = current key. Ids match `[A-Za-z0-9_-]{1,32}` and are not secret: they are
 * written next to every ciphertext. The ring never prints its keys (inspect/JSON show ids only).
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { KEY_BYTES } from './aes-gcm';
import { KeyRingError } from './errors';

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export interface KeyRingEntry {
  id: string;
  /** 32 bytes. */
  key: Uint8Array;
}

export class KeyRing {
  readonly currentKeyId: string;
  readonly #keys: ReadonlyMap<string, Buffer>;

  /** `entries[0]` is the current key; throws KeyRingError on an empty ring, bad id, bad length or duplicate id. */
  constructor(entries: readonly KeyRingEntry[]) {
    const first = entries[0];
    if (!first) throw new KeyRingError('key ring is empty: at least one key is required');
    const keys = new Map<string, Buffer>();
    entries.forEach(({ id, key }, index) => {
      const where = `key ring entry ${index + 1}`;
      if (!isKeyId(id)) {
        throw new KeyRingError(`${where}: key id must match ${KEY_ID_PATTERN.source}`);
      }
      if (keys.has(id)) throw new KeyRingError(`${where}: duplicate key id "${id}"`);
      if (key.length !== KEY_BYTES) {
        throw new KeyRingError(
          `${where} ("${id}"): key must be ${KEY_BYTES} bytes, got ${key.length}`,
        );
      }
      keys.set(id, Buffer.from(key)); // a private copy: the caller's buffer may be reused
    });
    this.currentKeyId = first.id;
    this.#keys = keys;
  }

  /** The key that encrypts. */
  get currentKey(): Buffer {
    return this.#keys.get(this.currentKeyId) as Buffer;
  }

  /** The key with this id, current or older; undefined if the ring does not hold it. */
  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** All ids, current first. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  toString(): string {
    return `KeyRing(current=${this.currentKeyId}, ids=${this.keyIds.join(',')})`;
  }

  toJSON(): { currentKeyId: string; keyIds: string[] } {
    return { currentKeyId: this.currentKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

export function isKeyId(id: unknown): id is string {
  return typeof id === 'string' && KEY_ID_PATTERN.test(id);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses `"k2:<base64>,k1:<base64>"` (first = current). Whitespace around entries is ignored.
 * Errors name the entry and id, never the key text.
 */
export function keyRingFromString(spec: string): KeyRing {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new KeyRingError(
      'key ring is empty: expected "<id>:<base64 32-byte key>[,<id>:<base64>...]"',
    );
  }
  const entries = spec.split(',').map((raw, index): KeyRingEntry => {
    const where = `key ring entry ${index + 1}`;
    const entry = raw.trim();
    const colon = entry.indexOf(':');
    if (colon < 0) {
      throw new KeyRingError(`${where}: expected "<id>:<base64 32-byte key>"`);
    }
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!isKeyId(id)) {
      throw new KeyRingError(`${where}: key id must match ${KEY_ID_PATTERN.source}`);
    }
    if (!BASE64.test(encoded)) {
      throw new KeyRingError(`${where} ("${id}"): key is not valid base64`);
    }
    return { id, key: Buffer.from(encoded, 'base64') };
  });
  return new KeyRing(entries);
}

/** `"<id>:<base64 of 32 random bytes>"`: one ring entry for development set-up or a rotation. */
export function generateKeyRingString(id: string): string {
  if (!isKeyId(id)) throw new KeyRingError(`key id must match ${KEY_ID_PATTERN.source}`);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
