/**
 * A streamed turn's events as they cross Redis pub/sub: sealed under a key of that turn alone.
 * The subscriber (the sessions service) makes the key when it opens the turn's channel and leaves
 * it in the turn vault under {@link streamKeyRef}; the publisher (the llm-worker) takes it from
 * there. Each message is AES-256-GCM bound to its channel, so nothing readable crosses Redis, and
 * a message replayed on another turn's channel does not open.
 */
import { randomBytes } from 'node:crypto';
import { assertKey, KEY_BYTES } from './aes-gcm';
import { decryptText, encryptText } from './envelope';

/** The turn vault entry that holds a channel's key. */
export const streamKeyRef = (channel: string) => `stream-key:${channel}`;

/** A fresh key for one turn's stream. */
export const newStreamKey = (): Buffer => randomBytes(KEY_BYTES);

export function sealStreamEvent(event: unknown, key: Buffer, channel: string): string {
  assertKey(key, 'stream key');
  return encryptText(JSON.stringify(event), key, `turn-stream:${channel}`);
}

/** The event inside; a DecryptionError when it was sealed for another channel or key. */
export function openStreamEvent<T>(sealed: string, key: Buffer, channel: string): T {
  assertKey(key, 'stream key');
  return JSON.parse(decryptText(sealed, key, `turn-stream:${channel}`)) as T;
}
