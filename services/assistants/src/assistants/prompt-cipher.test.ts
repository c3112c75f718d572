import { DecryptionError, KeyRingError, keyRingFromString, wrappedDataKeyId } from '@lab/platform';
import { PromptCipher } from './prompt-cipher';

const k1 = `p1:${Buffer.alloc(32, 1).toString('base64')}`;
const k2 = `p2:${Buffer.alloc(32, 2).toString('base64')}`;
const prompts = { initialPrompt: 'You are PROMPT-CANARY-1.', summaryPrompt: 'Sum up SUMMARY-2.' };

describe('prompts under the PROMPT_KEYS ring', () => {
  it('seals each prompt under a data key of the version, wrapped by the current key', () => {
    const cipher = new PromptCipher(keyRingFromString(k1));
    const sealed = cipher.seal('version-1', prompts);
    expect(JSON.stringify(sealed)).not.toMatch(/CANARY|SUMMARY/);
    expect(wrappedDataKeyId(sealed.wrappedKey)).toBe('p1');
    expect(cipher.open('version-1', sealed)).toEqual(prompts);
  });

  it('binds a ciphertext to its version and field', () => {
    const cipher = new PromptCipher(keyRingFromString(k1));
    const sealed = cipher.seal('version-1', prompts);
    expect(() => cipher.open('version-2', sealed)).toThrow(DecryptionError);
    expect(() =>
      cipher.open('version-1', { ...sealed, initialPrompt: sealed.summaryPrompt }),
    ).toThrow(DecryptionError);
  });

  it('rotates: re-wraps under the new key, after which the old key is not needed', () => {
    const sealed = new PromptCipher(keyRingFromString(k1)).seal('version-1', prompts);
    const during = new PromptCipher(keyRingFromString(`${k2},${k1}`));
    const wrappedKey = during.rewrap(sealed.wrappedKey)!;
    expect(wrappedDataKeyId(wrappedKey)).toBe('p2');
    expect(during.rewrap(wrappedKey)).toBeUndefined();
    const after = new PromptCipher(keyRingFromString(k2));
    expect(after.open('version-1', { ...sealed, wrappedKey })).toEqual(prompts);
    expect(() => after.open('version-1', sealed)).toThrow(KeyRingError);
  });
});
