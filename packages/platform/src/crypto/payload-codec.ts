/**
 * Temporal payload encryption (DESIGN §3): the Temporal server and its database never see the
 * payloads our workflows carry (arguments, results, heartbeat details, signal/query/update data).
 *
 * `encode` serialises each Payload (protobuf `temporal.api.common.v1.Payload`, metadata
 * included, as Temporal's encryption sample does) and encrypts it with AES-256-GCM under the
 * ring's current key. The result is a payload with
 *   metadata `encoding: binary/encrypted` (METADATA_ENCODING_KEY of @temporalio/common), `encryption-key-id: <id>`,
 *   data `<iv 12 bytes><ciphertext><tag 16 bytes>`,
 * the GCM associated data binding it to its key id. `decode` picks the key by the id, so after a
 * rotation (ring "k2,k1") history written under k1 still decodes; payloads with another encoding
 * pass through untouched.
 *
 * Not covered by a codec (Temporal's design): workflow/activity ids, types, task queues, search
 * attributes, and failure messages/stack traces unless the failure converter is told to encode
 * common attributes. Keep secrets out of those.
 */
import {
  METADATA_ENCODING_KEY,
  type DataConverter,
  type Payload,
  type PayloadCodec,
} from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { IV_BYTES, open, seal, TAG_BYTES } from './aes-gcm';
import { DecryptionError } from './errors';
import type { KeyRing } from './key-ring';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';
const AAD_PREFIX = 'lab/temporal-payload/v1\0';
const WHAT = 'encrypted Temporal payload';

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.ring.currentKeyId;
    const key = this.ring.currentKey;
    return Promise.resolve(
      payloads.map((payload): Payload => {
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        const { iv, ciphertext, tag } = seal(plain, key, aad(keyId));
        return {
          metadata: {
            [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
            [METADATA_ENCRYPTION_KEY_ID]: Buffer.from(keyId),
          },
          data: Buffer.concat([iv, ciphertext, tag]),
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // Errors inside the map become a rejected promise, as Temporal expects of a codec.
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decodeOne(payload))));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || Buffer.from(encoding).toString('utf8') !== ENCRYPTED_ENCODING) return payload;

    const keyIdBytes = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    if (!keyIdBytes) {
      throw new DecryptionError('malformed', `${WHAT}: no ${METADATA_ENCRYPTION_KEY_ID} metadata`);
    }
    const keyId = Buffer.from(keyIdBytes).toString('utf8');
    const key = this.ring.key(keyId);
    if (!key) {
      throw new DecryptionError(
        'unknown-key-id',
        `${WHAT}: unknown encryption key id "${keyId}" (the key ring holds ${this.ring.keyIds.join(', ')})`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new DecryptionError('malformed', `${WHAT}: data too short`);
    }
    const plain = open(
      {
        iv: data.subarray(0, IV_BYTES),
        ciphertext: data.subarray(IV_BYTES, data.length - TAG_BYTES),
        tag: data.subarray(data.length - TAG_BYTES),
      },
      key,
      aad(keyId),
      WHAT,
    );
    try {
      return temporal.api.common.v1.Payload.decode(plain);
    } catch {
      throw new DecryptionError('malformed', `${WHAT}: decrypted bytes are not a Payload`);
    }
  }
}

/**
 * Data converter options with the codec, for `new Client`, `Worker.create` and codec servers:
 * payloads encrypted, and failure messages and stack traces encoded so the codec covers them too.
 */
export function encryptedDataConverter(ring: KeyRing): DataConverter & {
  payloadCodecs: PayloadCodec[];
} {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(ring)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}

function aad(keyId: string): Buffer {
  return Buffer.from(AAD_PREFIX + keyId, 'utf8');
}
