/**
 * Re-encryption of a user's stored history from their old data key to a new one (decision 0021):
 * the step a rotation applies to each sealed value, one at a time, so a batch can stop anywhere
 * and run again. Every step is idempotent: a value that already opens with the new key is left
 * as it is (`changed: false`); one that opens with neither key is an error, never overwritten.
 *
 * A data key has a public id ({@link dataKeyId}): a truncated HMAC of the key, so a row or a
 * progress record can say which key it is under without revealing anything of the key.
 */
import { createHmac } from 'node:crypto';
import { assertKey } from './aes-gcm';
import { openAttachment, sealAttachment } from './attachment-seal';
import { DecryptionError } from './errors';
import { decryptText, encryptText } from './envelope';
import { type AttachmentMeta, type SealPurpose, SessionCipher } from './session-cipher';

/** 16 hex characters (64 bits): enough to tell a user's keys apart, nothing to attack. */
export function dataKeyId(dataKey: Buffer): string {
  assertKey(dataKey, 'data key');
  return createHmac('sha256', dataKey).update('lab/data-key-id/v1').digest('hex').slice(0, 16);
}

export interface Resealed<T> {
  value: T;
  /** False when the value was already under the new key: nothing to write. */
  changed: boolean;
}

/** What an attachment row keeps of its file, as the rotation rewrites it. */
export interface AttachmentRecord {
  /** The sealed name and SHA-256, or (a row from before names were sealed) the plain name. */
  meta: string;
  /** The keyed integrity hash, or (a row from before) the plain SHA-256. */
  mac: string;
}

const isSealedText = (value: string) => value.startsWith('v1.');

/** One session's re-encryption from `from` to `to` (both the user's data keys). */
export class SessionReseal {
  private readonly next: SessionCipher;

  constructor(
    private readonly from: Buffer,
    private readonly to: Buffer,
    readonly sessionId: string,
  ) {
    assertKey(from, 'old data key');
    assertKey(to, 'new data key');
    this.next = new SessionCipher(to, sessionId);
  }

  /** A sealed text of this session (a message, the thread, the recap, a turn's reply). */
  text(purpose: SealPurpose, ciphertext: string): Resealed<string> {
    return resealText(ciphertext, this.from, this.to, `${purpose}:${this.sessionId}`);
  }

  /** An attachment's object (see `sealAttachment`). */
  file(sealed: Buffer, attachmentId: string): Resealed<Buffer> & { plaintext: Buffer } {
    try {
      const plaintext = openAttachment(sealed, this.to, this.sessionId, attachmentId);
      return { value: sealed, changed: false, plaintext };
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
    }
    const plaintext = openAttachment(sealed, this.from, this.sessionId, attachmentId);
    return {
      value: sealAttachment(plaintext, this.to, this.sessionId, attachmentId),
      changed: true,
      plaintext,
    };
  }

  /**
   * An attachment row's name, checksum and keyed hash under the new key. `plaintext` is the
   * file's bytes (from {@link file}): the keyed hash is recomputed from them, and a row from
   * before names were sealed (plain name, plain SHA-256) is sealed now.
   */
  attachment(record: AttachmentRecord, plaintext: Buffer): Resealed<AttachmentRecord> {
    const mac = this.next.fileMac(plaintext);
    if (!isSealedText(record.meta)) {
      const meta: AttachmentMeta = { name: record.meta, sha256: record.mac };
      return { value: { meta: this.next.attachmentMeta(meta), mac }, changed: true };
    }
    const meta = this.text('attachment', record.meta);
    const changed = meta.changed || mac !== record.mac;
    return { value: { meta: meta.value, mac }, changed };
  }
}

/** A text sealed with `encryptText` under `from`, sealed again under `to` (see file header). */
export function resealText(
  ciphertext: string,
  from: Buffer,
  to: Buffer,
  associatedData: string,
): Resealed<string> {
  try {
    decryptText(ciphertext, to, associatedData);
    return { value: ciphertext, changed: false };
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
  }
  const plaintext = decryptText(ciphertext, from, associatedData);
  return { value: encryptText(plaintext, to, associatedData), changed: true };
}
