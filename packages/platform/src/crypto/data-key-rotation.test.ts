import { createHash, randomBytes } from 'node:crypto';
import { dataKeyId, resealText, SessionReseal } from './data-key-rotation';
import { DecryptionError } from './errors';
import { encryptText } from './envelope';
import { SessionCipher } from './session-cipher';

describe('re-encrypting a session from the old data key to the new one', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const reseal = new SessionReseal(oldKey, newKey, 'session-1');
  const before = new SessionCipher(oldKey, 'session-1');
  const after = new SessionCipher(newKey, 'session-1');

  it('moves a message to the new key; the old key no longer opens the result', () => {
    const { value, changed } = reseal.text('message', before.message('the salary plan'));
    expect(changed).toBe(true);
    expect(after.readMessage(value)).toBe('the salary plan');
    expect(() => before.readMessage(value)).toThrow(DecryptionError);
  });

  it('leaves a value already under the new key as it is (a batch that runs twice)', () => {
    const sealed = after.recap('the recap');
    expect(reseal.text('recap', sealed)).toEqual({ value: sealed, changed: false });
  });

  it('refuses a value neither key opens, and one bound to another purpose or session', () => {
    const stranger = new SessionCipher(randomBytes(32), 'session-1').message('x');
    expect(() => reseal.text('message', stranger)).toThrow(DecryptionError);
    expect(() => reseal.text('recap', before.message('x'))).toThrow(DecryptionError);
    const elsewhere = new SessionCipher(oldKey, 'session-2').message('x');
    expect(() => reseal.text('message', elsewhere)).toThrow(DecryptionError);
  });

  it('re-seals an attachment object and its row; a repeat changes nothing', () => {
    const bytes = Buffer.from('a private file');
    const object = before.sealFile(bytes, 'file-1');
    const file = reseal.file(object, 'file-1');
    expect(file.changed).toBe(true);
    expect(after.openFile(file.value, 'file-1')).toEqual(bytes);
    expect(() => before.openFile(file.value, 'file-1')).toThrow(DecryptionError);
    expect(reseal.file(file.value, 'file-1')).toMatchObject({ changed: false, plaintext: bytes });

    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const row = {
      meta: before.attachmentMeta({ name: 'plan.md', sha256 }),
      mac: before.fileMac(bytes),
    };
    const moved = reseal.attachment(row, bytes);
    expect(moved.changed).toBe(true);
    expect(after.readAttachmentMeta(moved.value.meta)).toEqual({ name: 'plan.md', sha256 });
    expect(moved.value.mac).toBe(after.fileMac(bytes));
    expect(() => before.readAttachmentMeta(moved.value.meta)).toThrow(DecryptionError);
    expect(reseal.attachment(moved.value, bytes).changed).toBe(false);
  });

  it('seals the plain name and SHA-256 of a row from before names were sealed', () => {
    const bytes = Buffer.from('an old upload');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const moved = reseal.attachment({ meta: 'old-name.txt', mac: sha256 }, bytes);
    expect(moved.changed).toBe(true);
    expect(moved.value.meta).not.toContain('old-name');
    expect(moved.value.mac).not.toBe(sha256);
    expect(after.readAttachmentMeta(moved.value.meta)).toEqual({ name: 'old-name.txt', sha256 });
  });

  it('reseals any text bound to its associated data', () => {
    const moved = resealText(encryptText('t', oldKey, 'ad'), oldKey, newKey, 'ad');
    expect(moved.changed).toBe(true);
    expect(() => resealText(moved.value, oldKey, newKey, 'other')).toThrow(DecryptionError);
  });
});

describe('a data key’s public id', () => {
  it('is stable for a key, differs between keys and is not the key', () => {
    const key = randomBytes(32);
    expect(dataKeyId(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(dataKeyId(key)).toBe(dataKeyId(Buffer.from(key)));
    expect(dataKeyId(key)).not.toBe(dataKeyId(randomBytes(32)));
    expect(key.toString('hex')).not.toContain(dataKeyId(key));
  });
});
