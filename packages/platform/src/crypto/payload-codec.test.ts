import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { DecryptionError } from './errors';
import { generateKeyRingString, KeyRing, keyRingFromString } from './key-ring';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  encryptedDataConverter,
  METADATA_ENCRYPTION_KEY_ID,
} from './payload-codec';

const SECRET = 'PLAINTEXT-CANARY-7f3a9c: my therapist said I should';
const meta = (payload: Payload, key: string) =>
  Buffer.from(payload.metadata?.[key] ?? new Uint8Array()).toString('utf8');

describe('AesGcmPayloadCodec', () => {
  const k1 = generateKeyRingString('k1');
  const k2 = generateKeyRingString('k2');
  const ring1 = keyRingFromString(k1);
  const codec = new AesGcmPayloadCodec(ring1);

  const values: unknown[] = [
    SECRET,
    { sessionId: 's-1', messages: [{ role: 'user', content: SECRET }], n: 3, ok: true },
    'unicode 👋🏽 Grüße',
    '',
    null,
    undefined,
    new Uint8Array([0, 1, 2, 255]),
    'x'.repeat(512 * 1024),
  ];
  const payloads = values.map((value) => defaultPayloadConverter.toPayload(value));

  it('round-trips real payloads of the default converter, metadata included', async () => {
    const decoded = await codec.decode(await codec.encode(payloads));
    expect(decoded).toHaveLength(values.length);
    decoded.forEach((payload, i) => {
      expect(meta(payload, 'encoding')).toBe(meta(payloads[i]!, 'encoding'));
      expect(Buffer.from(payload.data ?? []).equals(Buffer.from(payloads[i]!.data ?? []))).toBe(
        true,
      );
      expect(defaultPayloadConverter.fromPayload(payload)).toEqual(values[i]);
    });
  });

  it('produces binary/encrypted payloads with the key id, never the plaintext', async () => {
    const encoded = await codec.encode(payloads);
    for (const payload of encoded) {
      expect(Object.keys(payload.metadata ?? {}).sort()).toEqual([
        'encoding',
        METADATA_ENCRYPTION_KEY_ID,
      ]);
      expect(meta(payload, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(meta(payload, METADATA_ENCRYPTION_KEY_ID)).toBe('k1');
      const data = Buffer.from(payload.data ?? []);
      expect(data.includes(SECRET)).toBe(false);
      expect(data.includes('json/plain')).toBe(false); // the inner metadata is encrypted too
    }
    // Random IV: the same payload never encodes twice alike.
    const [a] = await codec.encode([payloads[0]!]);
    const [b] = await codec.encode([payloads[0]!]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('encodes and decodes an empty list', async () => {
    expect(await codec.encode([])).toEqual([]);
    expect(await codec.decode([])).toEqual([]);
  });

  it('passes payloads of other encodings through decode untouched', async () => {
    const plain = defaultPayloadConverter.toPayload({ hello: 'world' });
    const bare: Payload = { data: Buffer.from('no metadata') };
    const [encrypted] = await codec.encode([payloads[0]!]);
    const decoded = await codec.decode([plain, bare, encrypted!]);
    expect(decoded[0]).toBe(plain);
    expect(decoded[1]).toBe(bare);
    expect(defaultPayloadConverter.fromPayload(decoded[2]!)).toBe(SECRET);
  });

  it('decodes history written under a rotated key (ring "k2,k1")', async () => {
    const oldEncoded = await new AesGcmPayloadCodec(keyRingFromString(k1)).encode(payloads);
    const rotated = new AesGcmPayloadCodec(keyRingFromString(`${k2},${k1}`));
    const decoded = await rotated.decode(oldEncoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(values);

    const [fresh] = await rotated.encode([payloads[0]!]);
    expect(meta(fresh!, METADATA_ENCRYPTION_KEY_ID)).toBe('k2');
    // The old ring cannot read what the new key wrote.
    await expect(codec.decode([fresh!])).rejects.toMatchObject({
      name: 'DecryptionError',
      reason: 'unknown-key-id',
    });
  });

  it('rejects an unknown key id with a clear error', async () => {
    const encoded = await new AesGcmPayloadCodec(keyRingFromString(k2)).encode([payloads[0]!]);
    const failure = codec.decode(encoded);
    await expect(failure).rejects.toBeInstanceOf(DecryptionError);
    await expect(codec.decode(encoded)).rejects.toThrow(
      /unknown encryption key id "k2" \(the key ring holds k1\)/,
    );
  });

  it('rejects a payload under the same id but another key (failed authentication)', async () => {
    const impostor = new AesGcmPayloadCodec(new KeyRing([{ id: 'k1', key: randomBytes(32) }]));
    const encoded = await impostor.encode([payloads[0]!]);
    await expect(codec.decode(encoded)).rejects.toMatchObject({ reason: 'authentication-failed' });
  });

  it.each([
    ['the IV', 0],
    ['the ciphertext', 20],
    ['the tag', -1],
  ])('rejects a tampered payload (%s)', async (_name, index) => {
    const [encoded] = await codec.encode([payloads[0]!]);
    const data = Buffer.from(encoded!.data!);
    const at = index < 0 ? data.length + index : index;
    data[at] = data[at]! ^ 0x80;
    const error = await codec.decode([{ ...encoded!, data }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).reason).toBe('authentication-failed');
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('rejects a payload whose key id metadata was swapped to another ring key', async () => {
    const both = keyRingFromString(`${k2},${k1}`);
    const [encoded] = await new AesGcmPayloadCodec(both).encode([payloads[0]!]);
    const swapped: Payload = {
      ...encoded!,
      metadata: { ...encoded!.metadata, [METADATA_ENCRYPTION_KEY_ID]: Buffer.from('k1') },
    };
    await expect(new AesGcmPayloadCodec(both).decode([swapped])).rejects.toMatchObject({
      reason: 'authentication-failed',
    });
  });

  it('rejects encrypted payloads without a key id or with truncated data', async () => {
    const [encoded] = await codec.encode([payloads[0]!]);
    const noId: Payload = { ...encoded!, metadata: { encoding: encoded!.metadata!.encoding! } };
    await expect(codec.decode([noId])).rejects.toMatchObject({ reason: 'malformed' });
    const short: Payload = { ...encoded!, data: Buffer.from(encoded!.data!).subarray(0, 20) };
    await expect(codec.decode([short])).rejects.toMatchObject({ reason: 'malformed' });
  });
});

describe('encryptedDataConverter', () => {
  it('carries one AES-GCM codec over the ring', async () => {
    const ring = keyRingFromString(generateKeyRingString('k1'));
    const converter = encryptedDataConverter(ring);
    expect(converter.payloadCodecs).toHaveLength(1);
    const [codec] = converter.payloadCodecs;
    expect(codec).toBeInstanceOf(AesGcmPayloadCodec);
    const payload = defaultPayloadConverter.toPayload(SECRET);
    const decoded = await new AesGcmPayloadCodec(ring).decode(await codec!.encode([payload]));
    expect(defaultPayloadConverter.fromPayload(decoded[0]!)).toBe(SECRET);
  });
});
