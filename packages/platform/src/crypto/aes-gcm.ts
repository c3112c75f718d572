/**
 * AES-256-GCM primitives shared by the envelope format and the Temporal payload codec:
 * 32-byte keys, random 96-bit IVs, full 128-bit tags (enforced on decryption: Node would
 * otherwise accept a truncated tag).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionError } from './errors';

export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

export interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Throws a TypeError/RangeError (not naming the value) unless `key` is a 32-byte buffer. */
export function assertKey(key: unknown, what: string): asserts key is Buffer {
  if (!Buffer.isBuffer(key)) throw new TypeError(`${what} must be a Buffer`);
  if (key.length !== KEY_BYTES) {
    throw new RangeError(`${what} must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
}

export function seal(plaintext: Uint8Array, key: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Decrypts and authenticates; any failure is a DecryptionError ('malformed' or 'authentication-failed'). */
export function open(sealed: Sealed, key: Buffer, aad: Buffer, what: string): Buffer {
  if (sealed.iv.length !== IV_BYTES) {
    throw new DecryptionError('malformed', `${what}: IV must be ${IV_BYTES} bytes`);
  }
  if (sealed.tag.length !== TAG_BYTES) {
    throw new DecryptionError(
      'malformed',
      `${what}: authentication tag must be ${TAG_BYTES} bytes`,
    );
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    throw new DecryptionError(
      'authentication-failed',
      `${what}: authentication failed (wrong key, wrong associated data, or tampered data)`,
    );
  }
}
