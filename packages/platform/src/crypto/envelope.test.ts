import { randomBytes } from 'node:crypto';
import {
  decryptText,
  deriveWrappingKey,
  encryptText,
  generateDataKey,
  rewrapDataKey,
  unwrapDataKey,
  wrapDataKey,
  wrappedDataKeyId,
} from './envelope';
import { DecryptionError, type DecryptionFailure } from './errors';

const OPENAI_KEY = 'sk-proj-3xAmPlE0nLyN0tReAlKeY0123456789abcdefghijklmnop';

/** Flips one bit of the decoded bytes of part `index` (after the version) and re-encodes. */
function tamper(text: string, index: number, byte = 0): string {
  const parts = text.split('.');
  const bytes = Buffer.from(parts[index] ?? '', 'base64url');
  bytes[byte] = (bytes[byte] ?? 0) ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

function failure(run: () => unknown): DecryptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DecryptionError);
    return error as DecryptionError;
  }
  throw new Error('expected a DecryptionError');
}

function expectFailure(run: () => unknown, reason: DecryptionFailure): DecryptionError {
  const error = failure(run);
  expect(error.reason).toBe(reason);
  expect(error.name).toBe('DecryptionError');
  return error;
}

describe('encryptText / decryptText', () => {
  const dataKey = generateDataKey();

  it.each([
    ['ascii', 'Hello, coach. I want to practise a difficult conversation.'],
    ['unicode', 'Grüße 👋🏽 — 你好, مرحبا, \u0000 nul and \u{1F600}'],
    ['empty', ''],
    ['large (2 MiB)', 'x'.repeat(1024) + randomBytes(1024 * 1024).toString('hex')],
  ])('round-trips %s text', (_name, text) => {
    const sealed = encryptText(text, dataKey, 'session-42');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/);
    expect(decryptText(sealed, dataKey, 'session-42')).toBe(text);
  });

  it('round-trips without associated data (omitted equals empty)', () => {
    const sealed = encryptText('no binding', dataKey);
    expect(decryptText(sealed, dataKey)).toBe('no binding');
    expect(decryptText(sealed, dataKey, '')).toBe('no binding');
  });

  it('does not contain the plaintext and differs on every encryption (random IV)', () => {
    const text = 'a distinctive sentence to look for';
    const a = encryptText(text, dataKey);
    const b = encryptText(text, dataKey);
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    for (const sealed of [a, b]) {
      expect(sealed).not.toContain(text);
      expect(sealed).not.toContain(Buffer.from(text).toString('base64url'));
      const [, iv = '', ciphertext = '', tag = ''] = sealed.split('.');
      expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
      expect(Buffer.from(ciphertext, 'base64url')).toHaveLength(Buffer.byteLength(text));
      expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    }
  });

  describe('rejects with a DecryptionError', () => {
    const text = 'secret message text';
    const sealed = encryptText(text, dataKey, 'session-1');

    it.each([
      ['a tampered IV', 1],
      ['a tampered ciphertext', 2],
      ['a tampered tag', 3],
    ])('%s', (_name, part) => {
      const error = expectFailure(
        () => decryptText(tamper(sealed, part), dataKey, 'session-1'),
        'authentication-failed',
      );
      expect(error.message).not.toContain(text);
    });

    it('other associated data (a ciphertext copied to another row)', () => {
      expectFailure(() => decryptText(sealed, dataKey, 'session-2'), 'authentication-failed');
      expectFailure(() => decryptText(sealed, dataKey), 'authentication-failed');
    });

    it('the wrong data key', () => {
      expectFailure(
        () => decryptText(sealed, generateDataKey(), 'session-1'),
        'authentication-failed',
      );
    });

    it('a truncated tag (GCM would otherwise accept short tags)', () => {
      const parts = sealed.split('.');
      parts[3] = Buffer.from(parts[3] ?? '', 'base64url')
        .subarray(0, 12)
        .toString('base64url');
      expectFailure(() => decryptText(parts.join('.'), dataKey, 'session-1'), 'malformed');
    });

    it.each([
      ['garbage', 'not a ciphertext'],
      ['a missing part', sealed.split('.').slice(0, 3).join('.')],
      ['an extra part', `${sealed}.AAAA`],
      ['non-base64url characters', sealed.replace(/\.[^.]+$/, '.+/+/+/+/+/+/+/+/+/+/+w')],
      ['padding', `${sealed}==`],
      ['a wrapped data key', wrapDataKey(generateDataKey(), dataKey, 'k1')],
    ])('malformed input: %s', (_name, input) => {
      expectFailure(() => decryptText(input, dataKey, 'session-1'), 'malformed');
    });

    it('an unknown format version', () => {
      expectFailure(
        () => decryptText(sealed.replace(/^v1\./, 'v2.'), dataKey),
        'unsupported-version',
      );
    });
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => encryptText('x', randomBytes(16))).toThrow(/data key must be 32 bytes/);
    expect(() => decryptText(encryptText('x', dataKey), randomBytes(31))).toThrow(/32 bytes/);
  });
});

describe('deriveWrappingKey', () => {
  it('is deterministic per (secret, salt) and 32 bytes', () => {
    const a = deriveWrappingKey(OPENAI_KEY, 'user-salt-1');
    expect(a).toHaveLength(32);
    expect(deriveWrappingKey(OPENAI_KEY, Buffer.from('user-salt-1')).equals(a)).toBe(true);
    expect(deriveWrappingKey(OPENAI_KEY, 'user-salt-2').equals(a)).toBe(false);
    expect(deriveWrappingKey(`${OPENAI_KEY}x`, 'user-salt-1').equals(a)).toBe(false);
  });

  it('refuses a short secret (HKDF needs high-entropy input)', () => {
    expect(() => deriveWrappingKey('hunter2', 'salt')).toThrow(RangeError);
  });
});

describe('wrapDataKey / unwrapDataKey / rewrapDataKey', () => {
  const dataKey = generateDataKey();
  const wrappingKey = deriveWrappingKey(OPENAI_KEY, 'salt-u1');

  it('round-trips a data key, with and without a key id', () => {
    const withId = wrapDataKey(dataKey, wrappingKey, 'byok');
    expect(withId).toMatch(/^v1\.byok\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$/);
    expect(wrappedDataKeyId(withId)).toBe('byok');
    expect(unwrapDataKey(withId, wrappingKey).equals(dataKey)).toBe(true);

    const withoutId = wrapDataKey(dataKey, wrappingKey);
    expect(withoutId.startsWith('v1..')).toBe(true);
    expect(wrappedDataKeyId(withoutId)).toBeUndefined();
    expect(unwrapDataKey(withoutId, wrappingKey).equals(dataKey)).toBe(true);

    expect(withId).not.toContain(dataKey.toString('base64url'));
    expect(wrapDataKey(dataKey, wrappingKey, 'byok')).not.toBe(withId);
  });

  it('rejects the wrong wrapping key, a tampered part, a swapped key id and text ciphertexts', () => {
    const wrapped = wrapDataKey(dataKey, wrappingKey, 'm1');
    const otherKey = deriveWrappingKey('sk-another-users-key-000000000000', 'salt-u1');
    expectFailure(() => unwrapDataKey(wrapped, otherKey), 'authentication-failed');
    for (const part of [2, 3, 4]) {
      expectFailure(
        () => unwrapDataKey(tamper(wrapped, part), wrappingKey),
        'authentication-failed',
      );
    }
    expectFailure(
      () => unwrapDataKey(wrapped.replace('.m1.', '.m2.'), wrappingKey),
      'authentication-failed',
    );
    expectFailure(
      () => unwrapDataKey(wrapped.replace('.m1.', '.bad id.'), wrappingKey),
      'malformed',
    );
    expectFailure(() => unwrapDataKey(encryptText('x', wrappingKey), wrappingKey), 'malformed');
    expect(() => wrapDataKey(dataKey, wrappingKey, 'not.valid')).toThrow(RangeError);
  });

  it('rewraps under a new key: history stays readable and the old key no longer unwraps', () => {
    const oldKey = deriveWrappingKey(OPENAI_KEY, 'salt-u1');
    const newKey = deriveWrappingKey('sk-proj-the-users-rotated-key-9876543210', 'salt-u1');
    const wrapped = wrapDataKey(dataKey, oldKey, 'byok');
    const history = encryptText('message written before the rotation', dataKey, 'session-7');

    const rewrapped = rewrapDataKey(wrapped, oldKey, newKey);
    expect(wrappedDataKeyId(rewrapped)).toBe('byok');
    const unwrapped = unwrapDataKey(rewrapped, newKey);
    expect(unwrapped.equals(dataKey)).toBe(true);
    expect(decryptText(history, unwrapped, 'session-7')).toBe(
      'message written before the rotation',
    );
    expectFailure(() => unwrapDataKey(rewrapped, oldKey), 'authentication-failed');

    // A master key rotation names the new key.
    const renamed = rewrapDataKey(wrapped, oldKey, newKey, 'm2');
    expect(wrappedDataKeyId(renamed)).toBe('m2');
    expect(unwrapDataKey(renamed, newKey).equals(dataKey)).toBe(true);
  });

  it('does not rewrap without the old key', () => {
    const wrapped = wrapDataKey(dataKey, wrappingKey);
    expectFailure(
      () => rewrapDataKey(wrapped, generateDataKey(), generateDataKey()),
      'authentication-failed',
    );
  });

  it('generates distinct 32-byte data keys', () => {
    const a = generateDataKey();
    expect(a).toHaveLength(32);
    expect(a.equals(generateDataKey())).toBe(false);
  });
});
