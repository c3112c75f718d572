import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { KeyRingError } from './errors';
import { generateKeyRingString, KeyRing, keyRingFromString } from './key-ring';

const b64 = (bytes: Buffer) => bytes.toString('base64');

describe('keyRingFromString', () => {
  it('parses entries in order, the first being the current key', () => {
    const k2 = randomBytes(32);
    const k1 = randomBytes(32);
    const ring = keyRingFromString(`k2:${b64(k2)}, k1:${b64(k1)}`);
    expect(ring.currentKeyId).toBe('k2');
    expect(ring.currentKey.equals(k2)).toBe(true);
    expect(ring.key('k1')?.equals(k1)).toBe(true);
    expect(ring.key('k3')).toBeUndefined();
    expect(ring.has('k1')).toBe(true);
    expect(ring.keyIds).toEqual(['k2', 'k1']);
  });

  it('accepts what generateKeyRingString produces, alone and as a rotation', () => {
    const first = generateKeyRingString('2024-01_a');
    expect(first).toMatch(/^2024-01_a:[A-Za-z0-9+/]{43}=$/);
    const rotated = keyRingFromString(`${generateKeyRingString('next')},${first}`);
    expect(rotated.keyIds).toEqual(['next', '2024-01_a']);
    expect(generateKeyRingString('x')).not.toBe(generateKeyRingString('x'));
  });

  it.each([
    ['an empty string', '', /empty/],
    ['blank', '   ', /empty/],
    ['an entry without a colon', `k1${b64(randomBytes(32))}`, /entry 1: expected "<id>:/],
    ['an empty id', `:${b64(randomBytes(32))}`, /entry 1: key id must match/],
    ['an id with a dot', `k.1:${b64(randomBytes(32))}`, /entry 1: key id must match/],
    ['an id longer than 32', `${'a'.repeat(33)}:${b64(randomBytes(32))}`, /key id must match/],
    ['a short key', `k1:${b64(randomBytes(16))}`, /entry 1 \("k1"\): key must be 32 bytes, got 16/],
    ['a long key', `k1:${b64(randomBytes(33))}`, /key must be 32 bytes, got 33/],
    ['a key that is not base64', 'k1:not*base64!', /entry 1 \("k1"\): key is not valid base64/],
    ['an unpadded key', `k1:${b64(randomBytes(32)).replace(/=+$/, '')}`, /not valid base64/],
    [
      'a duplicate id',
      `k1:${b64(randomBytes(32))},k1:${b64(randomBytes(32))}`,
      /entry 2: duplicate key id "k1"/,
    ],
    ['an empty second entry', `k1:${b64(randomBytes(32))},`, /entry 2: expected/],
  ])('rejects %s with a clear error', (_name, spec, message) => {
    expect(() => keyRingFromString(spec)).toThrow(KeyRingError);
    expect(() => keyRingFromString(spec)).toThrow(message);
  });

  it('never puts key text in its errors', () => {
    const shortKey = b64(randomBytes(31));
    try {
      keyRingFromString(`k1:${shortKey}`);
      throw new Error('expected a KeyRingError');
    } catch (error) {
      expect(error).toBeInstanceOf(KeyRingError);
      expect((error as Error).message).not.toContain(shortKey);
    }
  });
});

describe('KeyRing', () => {
  it('rejects an empty ring and validates entries given directly', () => {
    expect(() => new KeyRing([])).toThrow(/empty/);
    expect(() => new KeyRing([{ id: 'k1', key: randomBytes(31) }])).toThrow(/32 bytes/);
    expect(() => generateKeyRingString('bad id')).toThrow(KeyRingError);
  });

  it('keeps its own copy of the keys', () => {
    const key = randomBytes(32);
    const original = Buffer.from(key);
    const ring = new KeyRing([{ id: 'k1', key }]);
    key.fill(0);
    expect(ring.currentKey.equals(original)).toBe(true);
  });

  it('shows ids, never keys, when logged or serialised', () => {
    const key = randomBytes(32);
    const ring = new KeyRing([
      { id: 'k2', key },
      { id: 'k1', key: randomBytes(32) },
    ]);
    for (const text of [inspect(ring), JSON.stringify(ring), String(ring)]) {
      expect(text).toContain('k2');
      expect(text).toContain('k1');
      expect(text).not.toContain(key.toString('base64'));
      expect(text).not.toContain(key.toString('hex'));
    }
  });
});
