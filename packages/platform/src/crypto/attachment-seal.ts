/**
 * Attachment bytes at rest: AES-256-GCM under the owner's data key, bound by associated data to
 * the session and the attachment, so an object copied under another key does not decrypt.
 * Sealed by the sessions service (uploads) and by the llm-worker (files a reply returns).
 * Object layout: `LAB1` | iv (12) | tag (16) | ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionError } from './errors';

const MAGIC = Buffer.from('LAB1');
const IV = 12;
const TAG = 16;

const aad = (sessionId: string, attachmentId: string) =>
  Buffer.from(`attachment:${sessionId}:${attachmentId}`);

export function sealAttachment(
  bytes: Buffer,
  dataKey: Buffer,
  sessionId: string,
  attachmentId: string,
): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG });
  cipher.setAAD(aad(sessionId, attachmentId));
  const ciphertext = Buffer.concat([cipher.update(bytes), cipher.final()]);
  return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), ciphertext]);
}

export function openAttachment(
  sealed: Buffer,
  dataKey: Buffer,
  sessionId: string,
  attachmentId: string,
): Buffer {
  if (sealed.length < MAGIC.length + IV + TAG || !sealed.subarray(0, 4).equals(MAGIC))
    throw new DecryptionError('malformed', 'attachment: not an encrypted attachment');
  const iv = sealed.subarray(4, 4 + IV);
  const tag = sealed.subarray(4 + IV, 4 + IV + TAG);
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG });
    decipher.setAAD(aad(sessionId, attachmentId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(4 + IV + TAG)), decipher.final()]);
  } catch {
    throw new DecryptionError('authentication-failed', 'attachment: authentication failed');
  }
}
