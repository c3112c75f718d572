/**
 * A conversation's text under one key: the user's data key for a stored session, or a key derived
 * from it for a stateless exchange (see {@link exchangeKey}). AES-256-GCM (the envelope's text
 * format), each ciphertext bound by associated data to its scope (the session or exchange id) and
 * its purpose, so one copied elsewhere, or read as something else, does not decrypt. What the
 * turn's workflow carries (the pinned assistant, the thread, messages, the recap) is sealed here
 * by the service that holds the key, and opened by the activities that take it from the turn
 * vault; the same ciphertexts are what the sessions service stores.
 *
 * Request fingerprints are HMACs under a key derived from the same key: equal requests compare
 * equal, yet nobody without the key can test a guess against them.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { assertKey, KEY_BYTES } from './aes-gcm';
import { openAttachment, sealAttachment } from './attachment-seal';
import { decryptText, encryptText } from './envelope';

export type SealPurpose =
  | 'message'
  | 'payload'
  | 'recap'
  | 'assistant'
  | 'attachments'
  | 'attachment'
  | 'model-call'
  | 'options'
  | 'response'
  | 'choices'
  | 'logprobs';

/** What a stored attachment says of its file, sealed together (see SessionCipher.attachmentMeta). */
export interface AttachmentMeta {
  name: string;
  /** SHA-256 of the plaintext (hex): the owner checks what they get back against it. */
  sha256: string;
}

export class SessionCipher {
  private macKey?: Buffer;

  constructor(
    private readonly key: Buffer,
    readonly scope: string,
  ) {
    assertKey(key, 'session key');
  }

  seal(purpose: SealPurpose, text: string): string {
    return encryptText(text, this.key, `${purpose}:${this.scope}`);
  }

  open(purpose: SealPurpose, ciphertext: string): string {
    return decryptText(ciphertext, this.key, `${purpose}:${this.scope}`);
  }

  sealJson(purpose: SealPurpose, value: unknown): string {
    return this.seal(purpose, JSON.stringify(value));
  }

  openJson<T>(purpose: SealPurpose, ciphertext: string): T {
    return JSON.parse(this.open(purpose, ciphertext)) as T;
  }

  message(text: string): string {
    return this.seal('message', text);
  }

  readMessage(ciphertext: string): string {
    return this.open('message', ciphertext);
  }

  /** The thread kept between turns (the seed's messages_str), as the session row stores it. */
  thread(thread: unknown): string {
    return this.sealJson('payload', thread);
  }

  readThread<T>(ciphertext: string): T {
    return this.openJson<T>('payload', ciphertext);
  }

  recap(text: string): string {
    return this.seal('recap', text);
  }

  readRecap(ciphertext: string): string {
    return this.open('recap', ciphertext);
  }

  /** A file's bytes as object storage keeps them (see `sealAttachment`). */
  sealFile(bytes: Buffer, fileId: string): Buffer {
    return sealAttachment(bytes, this.key, this.scope, fileId);
  }

  openFile(sealed: Buffer, fileId: string): Buffer {
    return openAttachment(sealed, this.key, this.scope, fileId);
  }

  /** An attachment's name and plaintext SHA-256: only the owner's key reads (or confirms) them. */
  attachmentMeta(meta: AttachmentMeta): string {
    return this.sealJson('attachment', { name: meta.name, sha256: meta.sha256 });
  }

  readAttachmentMeta(ciphertext: string): AttachmentMeta {
    return this.openJson<AttachmentMeta>('attachment', ciphertext);
  }

  /**
   * The integrity hash a stored file keeps beside it: HMAC-SHA256 (hex) of its bytes under a key
   * derived from this cipher's, so it confirms no guessed file to anyone without the key.
   */
  fileMac(bytes: Buffer): string {
    return createHmac('sha256', this.hmacKey()).update('file\0').update(bytes).digest('hex');
  }

  /** HMAC-SHA256 (hex) of a request's canonical JSON: binds an idempotency key to its request. */
  fingerprint(request: unknown): string {
    return this.mac(`request\0${canonicalJson(request)}`);
  }

  private mac(text: string): string {
    return createHmac('sha256', this.hmacKey()).update(text, 'utf8').digest('hex');
  }

  private hmacKey(): Buffer {
    this.macKey ??= Buffer.from(
      hkdfSync('sha256', this.key, Buffer.from(this.scope), 'lab/session-cipher/v1/mac', 32),
    );
    return this.macKey;
  }
}

/**
 * The key of a stateless exchange (a lab turn, a completion): derived from the user's data key
 * and the exchange's id, so a repeated request (same id) opens the first one's result, while
 * the platform, which does not hold a bring-your-own-key user's data key, cannot.
 */
export function exchangeKey(dataKey: Buffer, exchangeId: string): Buffer {
  assertKey(dataKey, 'data key');
  return Buffer.from(
    hkdfSync('sha256', dataKey, Buffer.from(exchangeId), 'lab/exchange-key/v1', KEY_BYTES),
  );
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}
