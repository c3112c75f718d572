import { randomBytes } from 'node:crypto';
import { DecryptionError } from './errors';
import { SessionCipher } from './session-cipher';

describe('a session’s attachments under the owner’s key', () => {
  const key = randomBytes(32);
  const cipher = new SessionCipher(key, 'session-1');

  it('seals the name and checksum together; only the same key and session open them', () => {
    const meta = { name: 'salary-plan.md', sha256: 'ab'.repeat(32) };
    const sealed = cipher.attachmentMeta(meta);
    expect(sealed).not.toContain('salary');
    expect(cipher.readAttachmentMeta(sealed)).toEqual(meta);
    expect(() =>
      new SessionCipher(randomBytes(32), 'session-1').readAttachmentMeta(sealed),
    ).toThrow(DecryptionError);
    expect(() => new SessionCipher(key, 'session-2').readAttachmentMeta(sealed)).toThrow(
      DecryptionError,
    );
  });

  it('keys the integrity hash: the same file gives the same hash, another key another one', () => {
    const file = Buffer.from('a guessed file');
    expect(cipher.fileMac(file)).toMatch(/^[0-9a-f]{64}$/);
    expect(cipher.fileMac(file)).toBe(new SessionCipher(key, 'session-1').fileMac(file));
    expect(cipher.fileMac(file)).not.toBe(
      new SessionCipher(randomBytes(32), 'session-1').fileMac(file),
    );
    expect(cipher.fileMac(file)).not.toBe(cipher.fileMac(Buffer.from('another file')));
    // Not the request fingerprint of the same bytes: the two uses are separated.
    expect(cipher.fileMac(file)).not.toBe(cipher.fingerprint('a guessed file'));
  });
});
