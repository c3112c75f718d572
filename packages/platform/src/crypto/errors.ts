/**
 * Errors of the crypto building blocks. Their messages name what went wrong and, at most, a key
 * id (ids are not secret); never plaintext, ciphertext or key material, so they are safe to log.
 */

/** Why a ciphertext (or an encrypted payload) could not be turned back into plaintext. */
export type DecryptionFailure =
  /** Not in the expected format: wrong number of parts, bad encoding, wrong IV/tag length. */
  | 'malformed'
  /** A format version this code does not read. */
  | 'unsupported-version'
  /** The key id names no key available to the reader (e.g. a key dropped from the ring). */
  | 'unknown-key-id'
  /** AES-GCM rejected the tag: wrong key, wrong associated data, or tampered data. */
  | 'authentication-failed';

export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';

  constructor(
    readonly reason: DecryptionFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A key ring specification (e.g. an environment variable) that cannot be used. */
export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}
