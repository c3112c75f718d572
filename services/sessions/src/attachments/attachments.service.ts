/**
 * Attachments of a session: files its owner uploads (size, type and checksum checked) and files
 * the model returns in a reply. The bytes go to object storage encrypted under the owner's data
 * key (`attachments/<user>/<session>/<id>`), the metadata to PostgreSQL with the name and the
 * checksum sealed under the same key and a keyed integrity hash (`SessionCipher`); only the owner
 * lists or downloads them (anyone else gets 404). Text attachments join the model's context of later
 * turns within a token budget.
 */
import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { SealedFile } from '@lab/contracts';
import { DecryptionError, SessionCipher } from '@lab/platform';
import { ApiException, badRequest, notFound } from '@lab/platform/http';
import type { EntityManager } from 'typeorm';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';
import type { AttachmentEntity } from '../sessions/entities/attachment.entity';
import {
  OBJECT_STORE,
  type ObjectStore,
  StorageUnavailable,
  storageUnavailable,
} from '../storage/object-store';
import { openAttachment } from '@lab/platform';
import { ATTACHMENT_CONTEXT_SHARE, attachmentContext } from './attachment-context';
import { AttachmentsRepository } from './attachments.repository';
import { readKeyFor } from '../sessions/data-key.decorator';

/** The types a user may upload; the text ones also join the model's context. */
export const ATTACHMENT_TYPES = [
  'text/plain',
  'text/markdown',
  'text/csv',
  'application/pdf',
  'image/png',
  'image/jpeg',
] as const;
export const TEXT_TYPES: readonly string[] = ['text/plain', 'text/markdown', 'text/csv'];
export const MAX_ATTACHMENTS_PER_SESSION = 50;
/** 1 to 200 characters, no path separators, no control characters. */
const validName = (name: string) =>
  name.length >= 1 &&
  name.length <= 200 &&
  !/[/\\]/.test(name) &&
  [...name].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f);

export interface AttachmentView {
  id: string;
  sessionId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  origin: 'user' | 'assistant';
  createdAt: string;
}

export interface Upload {
  contentType: string | undefined;
  filename: string | undefined;
  /** `x-checksum-sha256` (hex), when the client sends one: the bytes must match it. */
  checksum: string | undefined;
}

/**
 * The owner's view of an attachment: its sealed name and checksum opened with their key. A row
 * from before they were sealed (not in the sealed format) holds them in the clear.
 */
export function attachmentView(a: AttachmentEntity, dataKey: Buffer): AttachmentView {
  const { name, sha256 } = a.meta.startsWith('v1.')
    ? new SessionCipher(dataKey, a.sessionId).readAttachmentMeta(a.meta)
    : { name: a.meta, sha256: a.mac };
  return {
    id: a.id,
    sessionId: a.sessionId,
    name,
    contentType: a.contentType,
    size: a.size,
    sha256,
    origin: a.origin,
    createdAt: a.createdAt.toISOString(),
  };
}

export const attachmentName = (userId: string, sessionId: string, id: string) =>
  `attachments/${userId}/${sessionId}/${id}`;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

@Injectable()
export class AttachmentsService {
  constructor(
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore | null,
    private readonly repository: AttachmentsRepository,
  ) {}

  /** The media type of an upload, or 415 for one not accepted. */
  mediaType(contentType: string | undefined): string {
    const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!(ATTACHMENT_TYPES as readonly string[]).includes(type)) {
      throw new ApiException(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        'unsupported_media_type',
        `Attachments may be ${ATTACHMENT_TYPES.join(', ')}`,
      );
    }
    return type;
  }

  async upload(
    userId: string,
    dataKey: Buffer,
    sessionId: string,
    upload: Upload,
    bytes: Buffer,
  ): Promise<AttachmentView> {
    const contentType = this.mediaType(upload.contentType);
    const name = decodeName(upload.filename);
    const session = await this.owned(userId, sessionId);
    if (session.status !== 'active')
      throw new ApiException(HttpStatus.CONFLICT, 'session_ended', 'The session has ended');
    if (bytes.length === 0) throw badRequest('The file is empty');
    const digest = sha256(bytes);
    if (upload.checksum !== undefined && upload.checksum.toLowerCase() !== digest) {
      throw new ApiException(
        HttpStatus.BAD_REQUEST,
        'checksum_mismatch',
        'The file does not match x-checksum-sha256',
      );
    }
    if (TEXT_TYPES.includes(contentType) && !isText(bytes))
      throw badRequest('A text attachment must be UTF-8, without NUL bytes');
    if (!TEXT_TYPES.includes(contentType) && !hasSignatureOf(contentType, bytes)) {
      throw new ApiException(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        'content_type_mismatch',
        `The file is not ${contentType}: its first bytes are not that format's signature`,
      );
    }
    if ((await this.repository.count(sessionId)) >= MAX_ATTACHMENTS_PER_SESSION) {
      throw new ApiException(
        HttpStatus.CONFLICT,
        'too_many_attachments',
        `A session holds at most ${MAX_ATTACHMENTS_PER_SESSION} attachments`,
      );
    }
    const store = this.requireStore();
    const id = randomUUID();
    const cipher = new SessionCipher(dataKey, sessionId);
    const objectKey = store.key(attachmentName(userId, sessionId, id));
    // The object first: a row never names a missing object (a failed insert leaves an orphan).
    await this.storage(() =>
      store.put(objectKey, cipher.sealFile(bytes, id), 'application/octet-stream'),
    );
    const row = {
      id,
      sessionId,
      userId,
      meta: cipher.attachmentMeta({ name, sha256: digest }),
      contentType,
      size: bytes.length,
      mac: cipher.fileMac(bytes),
      origin: 'user' as const,
      turnId: null,
      objectKey,
    };
    await this.repository.insert([row]);
    const stored = await this.repository.find(sessionId, id);
    if (!stored) throw notFound('attachment');
    return attachmentView(stored, dataKey);
  }

  async list(
    userId: string,
    dataKey: Buffer,
    sessionId: string,
    previousDataKey?: Buffer,
  ): Promise<{ items: AttachmentView[] }> {
    const key = readKeyFor(await this.owned(userId, sessionId), dataKey, previousDataKey);
    return {
      items: (await this.repository.forSession(sessionId)).map((a) => this.opened(a, key)),
    };
  }

  async download(
    userId: string,
    dataKey: Buffer,
    sessionId: string,
    attachmentId: string,
    previousDataKey?: Buffer,
  ): Promise<{ attachment: AttachmentView; bytes: Buffer }> {
    const key = readKeyFor(await this.owned(userId, sessionId), dataKey, previousDataKey);
    const attachment = await this.repository.find(sessionId, attachmentId);
    if (!attachment) throw notFound('attachment');
    const store = this.requireStore();
    const sealed = await this.storage(() => store.get(attachment.objectKey));
    return this.withKey(() => ({
      attachment: attachmentView(attachment, key),
      bytes: openAttachment(sealed, key, sessionId, attachmentId),
    }));
  }

  /**
   * The session's text attachments for the model (see attachment-context.ts), or null; the
   * model (for the token budget) is asked for only when there are some.
   */
  async contextFor(
    sessionId: string,
    dataKey: Buffer,
    modelOf: () => Promise<{ model: string; contextWindow: number }>,
  ): Promise<string | null> {
    const texts = (await this.repository.forSession(sessionId)).filter((a) =>
      TEXT_TYPES.includes(a.contentType),
    );
    if (texts.length === 0) return null;
    const model = await modelOf();
    const store = this.requireStore();
    const files = [];
    for (const a of texts) {
      const sealed = await this.storage(() => store.get(a.objectKey));
      files.push({
        id: a.id,
        name: this.opened(a, dataKey).name,
        text: openAttachment(sealed, dataKey, sessionId, a.id).toString('utf8'),
      });
    }
    return attachmentContext(
      files,
      model.model,
      Math.floor(model.contextWindow * ATTACHMENT_CONTEXT_SHARE),
    );
  }

  /**
   * Stores the files of a reply (origin `assistant`) within the turn's transaction: the objects
   * first (sealed already by the exchange under the owner's data key; ids from the exchange, so a
   * retry overwrites the same ones), then the rows.
   */
  async storeReturned(
    manager: EntityManager,
    session: { id: string; userId: string },
    turnId: string,
    files: SealedFile[],
  ): Promise<void> {
    if (files.length === 0) return;
    const store = this.store;
    if (!store) throw new StorageUnavailable('object storage is not configured (S3_ENDPOINT)');
    const rows = [];
    for (const file of files) {
      const objectKey = store.key(attachmentName(session.userId, session.id, file.id));
      await store.put(objectKey, Buffer.from(file.sealed, 'base64'), 'application/octet-stream');
      rows.push({
        id: file.id,
        sessionId: session.id,
        userId: session.userId,
        meta: file.meta,
        contentType: file.contentType,
        size: file.size,
        mac: file.mac,
        origin: 'assistant' as const,
        turnId,
        objectKey,
      });
    }
    await this.repository.insert(rows, manager);
  }

  get maxBytes(): number {
    return this.config.attachmentMaxBytes;
  }

  private opened(attachment: AttachmentEntity, dataKey: Buffer): AttachmentView {
    return this.withKey(() => attachmentView(attachment, dataKey));
  }

  /** What the caller's key does not open is 403 `key_mismatch`, never a 500. */
  private withKey<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof DecryptionError) {
        throw new ApiException(
          HttpStatus.FORBIDDEN,
          'key_mismatch',
          'The key material does not open this attachment',
        );
      }
      throw error;
    }
  }

  /** Another user's session is as unknown as a missing one. */
  private async owned(userId: string, sessionId: string) {
    const session = await this.repository.findSession(sessionId);
    if (!session || session.userId !== userId) throw notFound('session');
    return session;
  }

  private requireStore(): ObjectStore {
    if (!this.store) throw storageUnavailable();
    return this.store;
  }

  private async storage<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StorageUnavailable) throw storageUnavailable();
      throw error;
    }
  }
}

function decodeName(header: string | undefined): string {
  let name = '';
  try {
    name = decodeURIComponent(header ?? '').trim();
  } catch {
    // fall through: invalid
  }
  if (!validName(name)) {
    throw badRequest('The file needs a name', [
      {
        field: 'x-filename',
        message: '1 to 200 characters (percent-encoded), without slashes or control characters',
      },
    ]);
  }
  return name;
}

function isText(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return !bytes.includes(0);
  } catch {
    return false;
  }
}

/**
 * The binary types' signatures ("magic bytes"), so that an upload is what it says it is: a
 * client cannot store, say, an HTML page as `image/png` for someone to download.
 */
const SIGNATURES: Record<string, Buffer> = {
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff]),
  'application/pdf': Buffer.from('%PDF-', 'latin1'),
};

export function hasSignatureOf(contentType: string, bytes: Buffer): boolean {
  const signature = SIGNATURES[contentType];
  return signature === undefined || bytes.subarray(0, signature.length).equals(signature);
}
