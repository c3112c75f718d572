/**
 * The archive of a session's transcript: gzip-compressed JSON lines of the session's stored
 * records, their text still encrypted under the owner's data key exactly as stored — so building
 * it needs no key (the end of a session and the idle sweep both can), and only the owner's key
 * reads it. Deterministic: the same records give the same bytes.
 *
 * Lines, in order:
 *   {"type":"archive","format":"lab.session-archive","version":2, ids, times, counts, usage,
 *    "encryption":{…, "associatedData":{"message":"message:<id>","recap":…,"thread":…,
 *    "attachment":…}}}
 *   {"type":"message","position":0,"role":"assistant","turnId":…,"createdAt":…,"content":"v1.…"}
 *   {"type":"thread","content":"v1.…"}              the LLM payload (summary and recent messages)
 *   {"type":"recap","content":"v1.…"}               when the session ended with one
 *   {"type":"attachment","id":…,"meta":"v1.…","contentType":…,"size":…,"mac":…,"origin":…,
 *    "objectKey":…}                                  metadata; the bytes stay where they are
 * Each `content` and an attachment's `meta` (its name and SHA-256, JSON) is the platform's
 * encrypted text (`v1.<iv>.<ciphertext>.<tag>`, base64url; AES-256-GCM), readable with
 * `decryptText(content, dataKey, associatedData)` of @lab/platform; `mac` is the file's keyed
 * integrity hash (`SessionCipher.fileMac`). Version 2: version 1 had names and SHA-256 in clear.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttachmentEntity } from '../sessions/entities/attachment.entity';
import type { MessageEntity } from '../sessions/entities/message.entity';
import type { SessionEntity } from '../sessions/entities/session.entity';

export const ARCHIVE_FORMAT = 'lab.session-archive';
export const ARCHIVE_VERSION = 2;
/** How the download route names the format. */
export const ARCHIVE_MEDIA = `${ARCHIVE_FORMAT}.v${ARCHIVE_VERSION}+jsonl+gzip`;

/** The object key of a session's archive (before the store's prefix). */
export const archiveName = (userId: string, sessionId: string) =>
  `archives/${userId}/${sessionId}.jsonl.gz`;

/** The associated data each encrypted field of a session is bound to (see SessionCipher in @lab/platform). */
export const associatedData = (sessionId: string) => ({
  message: `message:${sessionId}`,
  recap: `recap:${sessionId}`,
  thread: `payload:${sessionId}`,
  attachment: `attachment:${sessionId}`,
});

export interface BuiltArchive {
  body: Buffer;
  sha256: string;
  lines: number;
}

export function buildArchive(
  session: SessionEntity,
  messages: MessageEntity[],
  attachments: AttachmentEntity[],
): BuiltArchive {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  const lines: object[] = [
    {
      type: 'archive',
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      sessionId: session.id,
      userId: session.userId,
      assistantId: session.assistantId,
      promptVersionId: session.promptVersionId,
      modelConfigVersionId: session.modelConfigVersionId,
      createdAt: iso(session.createdAt),
      endedAt: iso(session.endedAt),
      endedReason: session.endedReason,
      counts: {
        messages: messages.length,
        turns: session.turnCount,
        attachments: attachments.length,
      },
      usage: {
        promptTokens: Number(session.promptTokens),
        completionTokens: Number(session.completionTokens),
      },
      guardHits: session.guardHits,
      encryption: {
        cipher: 'AES-256-GCM',
        key: "the owner's data key",
        text: 'v1.<iv>.<ciphertext>.<tag>, base64url',
        associatedData: associatedData(session.id),
      },
    },
    ...messages.map((m) => ({
      type: 'message',
      position: m.position,
      role: m.role,
      turnId: m.turnId,
      createdAt: iso(m.createdAt),
      content: m.content,
    })),
    { type: 'thread', content: session.payload },
    ...(session.recap ? [{ type: 'recap', content: session.recap }] : []),
    ...attachments.map((a) => ({
      type: 'attachment',
      id: a.id,
      meta: a.meta,
      contentType: a.contentType,
      size: a.size,
      mac: a.mac,
      origin: a.origin,
      turnId: a.turnId,
      createdAt: iso(a.createdAt),
      objectKey: a.objectKey,
    })),
  ];
  const body = gzipSync(Buffer.from(lines.map((line) => `${JSON.stringify(line)}\n`).join('')));
  return { body, sha256: createHash('sha256').update(body).digest('hex'), lines: lines.length };
}

/** The lines of an archive, parsed (for tests and tools). */
export function readArchive(body: Buffer): Array<Record<string, unknown>> {
  return gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
