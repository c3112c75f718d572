/**
 * Field encryption at rest with per-user data keys (DESIGN §4).
 *
 * Each user has a random 32-byte data key that encrypts their messages, recaps and LLM payloads
 * (AES-256-GCM). The data key is stored only wrapped (encrypted) by a wrapping key: derived from
 * the user's own OpenAI key in bring-your-own-key mode (so the server at rest holds nothing that
 * can read them), else from the platform master key. Rotating the wrapping secret re-wraps the
 * data key only; the data it encrypts is untouched and stays readable.
 *
 * Formats (dot-separated, each part unpadded base64url, so they fit text columns and URLs):
 *   encrypted text:   `v1.<iv 12 bytes>.<ciphertext>.<tag 16 bytes>`
 *   wrapped data key: `v1.<keyId>.<iv 12 bytes>.<ciphertext 32 bytes>.<tag 16 bytes>`
 *                     (keyId is `[A-Za-z0-9_-]{1,32}` in clear, or empty when not given)
 * The GCM associated data is domain-separated (a wrapped key is never accepted as text and vice
 * versa) and binds a wrapped key to its key id and a text to the caller's associated data.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { assertKey, KEY_BYTES, open, seal } from './aes-gcm';
import { DecryptionError } from './errors';
import { isKeyId, KEY_ID_PATTERN } from './key-ring';

const VERSION = 'v1';
const WRAPPING_KEY_INFO = 'lab/envelope/v1/data-key-wrapping-key';
const TEXT_AAD_PREFIX = 'lab/envelope/v1/text\0';
const WRAP_AAD_PREFIX = 'lab/envelope/v1/data-key\0';
/** HKDF is only sound for high-entropy input; this rejects obvious misuse such as a password. */
const MIN_SECRET_LENGTH = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** A fresh random 32-byte data key. */
export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * The 32-byte key that wraps a user's data key, derived from a secret: the user's OpenAI key
 * (bring-your-own-key mode) or the platform master key.
 *
 * HKDF-SHA256, not PBKDF2/scrypt: those stretch low-entropy passwords against guessing, which
 * adds nothing when the input is already a high-entropy API key or master key; HKDF is the
 * standard extractor/expander for such input, and it is cheap enough to run on every request.
 * The info label separates this key from any other use of the same secret: in particular the
 * user's identity hash (PBKDF2 of the same OpenAI key, stored) reveals nothing of this key.
 *
 * `salt`: a per-user value (e.g. a random salt stored with the wrapped key) so equal secrets
 * never give equal wrapping keys across users; it need not be secret.
 */
export function deriveWrappingKey(secret: string, salt: string | Buffer): Buffer {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new RangeError(
      `wrapping secret must be a high-entropy string of at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  const saltBytes = typeof salt === 'string' ? Buffer.from(salt, 'utf8') : salt;
  if (!Buffer.isBuffer(saltBytes)) throw new TypeError('salt must be a string or a Buffer');
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(secret, 'utf8'), saltBytes, WRAPPING_KEY_INFO, KEY_BYTES),
  );
}

/**
 * Encrypts a data key under a wrapping key: `v1.<keyId>.<iv>.<ciphertext>.<tag>`. `keyId` (not
 * secret, authenticated) names the wrapping key, e.g. the master key's id, so a reader can tell
 * which key unwraps it (see {@link wrappedDataKeyId}).
 */
export function wrapDataKey(dataKey: Buffer, wrappingKey: Buffer, keyId?: string): string {
  assertKey(dataKey, 'data key');
  assertKey(wrappingKey, 'wrapping key');
  if (keyId !== undefined && !isKeyId(keyId)) {
    throw new RangeError(`key id must match ${KEY_ID_PATTERN.source}`);
  }
  const id = keyId ?? '';
  const { iv, ciphertext, tag } = seal(dataKey, wrappingKey, wrapAad(id));
  return [VERSION, id, b64(iv), b64(ciphertext), b64(tag)].join('.');
}

/** The data key inside a wrapped string; DecryptionError if malformed, wrong key or tampered. */
export function unwrapDataKey(wrapped: string, wrappingKey: Buffer): Buffer {
  assertKey(wrappingKey, 'wrapping key');
  const { keyId, parts } = parseWrapped(wrapped);
  const [iv, ciphertext, tag] = parts;
  const dataKey = open({ iv, ciphertext, tag }, wrappingKey, wrapAad(keyId), 'wrapped data key');
  if (dataKey.length !== KEY_BYTES) {
    throw new DecryptionError('malformed', `wrapped data key: key must be ${KEY_BYTES} bytes`);
  }
  return dataKey;
}

/** The key id written in a wrapped data key (undefined if it was wrapped without one). */
export function wrappedDataKeyId(wrapped: string): string | undefined {
  return parseWrapped(wrapped).keyId || undefined;
}

/**
 * Key rotation: the same data key, wrapped under `newWrappingKey` (e.g. after the user proved
 * the old OpenAI key and brought a new one). Everything encrypted with the data key stays
 * readable. `newKeyId` defaults to the key id of `wrapped`; pass one when the id names the
 * wrapping key (a master key rotation).
 */
export function rewrapDataKey(
  wrapped: string,
  oldWrappingKey: Buffer,
  newWrappingKey: Buffer,
  newKeyId?: string,
): string {
  assertKey(newWrappingKey, 'new wrapping key');
  const dataKey = unwrapDataKey(wrapped, oldWrappingKey);
  try {
    return wrapDataKey(dataKey, newWrappingKey, newKeyId ?? wrappedDataKeyId(wrapped));
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Encrypts text under a data key: `v1.<iv>.<ciphertext>.<tag>`. `associatedData` (e.g. the
 * session or message id) is authenticated, not stored: decryption must pass the same value, so
 * a ciphertext copied to another row fails to decrypt. Omitted and `''` are the same.
 */
export function encryptText(plaintext: string, dataKey: Buffer, associatedData?: string): string {
  if (typeof plaintext !== 'string') throw new TypeError('plaintext must be a string');
  assertKey(dataKey, 'data key');
  const { iv, ciphertext, tag } = seal(
    Buffer.from(plaintext, 'utf8'),
    dataKey,
    textAad(associatedData),
  );
  return [VERSION, b64(iv), b64(ciphertext), b64(tag)].join('.');
}

/** The text inside; DecryptionError if malformed, wrong key, other associated data or tampered. */
export function decryptText(ciphertext: string, dataKey: Buffer, associatedData?: string): string {
  assertKey(dataKey, 'data key');
  const [iv, data, tag] = parseText(ciphertext);
  const plaintext = open(
    { iv, ciphertext: data, tag },
    dataKey,
    textAad(associatedData),
    'encrypted text',
  );
  return plaintext.toString('utf8');
}

function textAad(associatedData: string | undefined): Buffer {
  if (associatedData !== undefined && typeof associatedData !== 'string') {
    throw new TypeError('associated data must be a string');
  }
  return Buffer.from(TEXT_AAD_PREFIX + (associatedData ?? ''), 'utf8');
}

function wrapAad(keyId: string): Buffer {
  return Buffer.from(WRAP_AAD_PREFIX + keyId, 'utf8');
}

function parseWrapped(wrapped: string): { keyId: string; parts: [Buffer, Buffer, Buffer] } {
  const what = 'wrapped data key';
  const [keyId = '', ...rest] = splitVersioned(wrapped, what, 5);
  if (keyId !== '' && !isKeyId(keyId)) {
    throw new DecryptionError('malformed', `${what}: key id must match ${KEY_ID_PATTERN.source}`);
  }
  return { keyId, parts: decodeParts(rest, what) };
}

function parseText(ciphertext: string): [Buffer, Buffer, Buffer] {
  return decodeParts(splitVersioned(ciphertext, 'encrypted text', 4), 'encrypted text');
}

/** The dot-separated fields after the version, checked to be `fields` in all. */
function splitVersioned(text: string, what: string, fields: number): string[] {
  if (typeof text !== 'string')
    throw new DecryptionError('malformed', `${what}: expected a string`);
  const [version, ...rest] = text.split('.');
  if (version !== VERSION) {
    if (version !== undefined && /^v\d+$/.test(version)) {
      throw new DecryptionError('unsupported-version', `${what}: unsupported format version`);
    }
    throw new DecryptionError('malformed', `${what}: not in the ${VERSION} format`);
  }
  if (rest.length !== fields - 1) {
    throw new DecryptionError('malformed', `${what}: expected ${fields} dot-separated parts`);
  }
  return rest;
}

/** iv, ciphertext, tag from canonical unpadded base64url (so no two strings decode alike). */
function decodeParts(parts: string[], what: string): [Buffer, Buffer, Buffer] {
  const [iv, ciphertext, tag] = parts.map((part) => {
    const bytes = Buffer.from(part, 'base64url');
    if (!BASE64URL.test(part) || bytes.toString('base64url') !== part) {
      throw new DecryptionError('malformed', `${what}: a part is not canonical base64url`);
    }
    return bytes;
  });
  if (!iv || !ciphertext || !tag) throw new DecryptionError('malformed', `${what}: missing parts`);
  return [iv, ciphertext, tag];
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64url');
}
