/**
 * Archives of ended sessions in object storage: written by the `archiveSession` activity (after
 * the end of a session, or by the idle sweep), marked on the session only once the object is
 * there, and handed to the owner as a short-lived presigned link. The idle sweep's activities
 * (list, end without a recap) live here too.
 */
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import {
  type ArchiveSessionResult,
  type IdleEnd,
  type IdleSessions,
  TURN_ERRORS,
} from '@lab/contracts';
import { ApiException, notFound } from '@lab/platform/http';
import { recordEvent } from '@lab/platform/outbox';
import { ApplicationFailure } from '@temporalio/common';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';
import { OBJECT_STORE, type ObjectStore, storageUnavailable } from '../storage/object-store';
import { ARCHIVE_MEDIA, archiveName, buildArchive } from './archive-format';
import { ArchivesRepository } from './archives.repository';

export interface ArchiveLink {
  url: string;
  expiresAt: string;
  format: string;
  size: number;
  sha256: string;
  archivedAt: string;
}

const refused = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

@Injectable()
export class ArchivesService {
  constructor(
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore | null,
    private readonly repository: ArchivesRepository,
  ) {}

  /**
   * Idempotent: the key is the session's, the put overwrites it with the same bytes, and the
   * session is marked (with `session.archived`) only by the first run that finds it unmarked.
   */
  async archive(sessionId: string): Promise<ArchiveSessionResult> {
    const session = await this.repository.findSession(sessionId);
    if (!session) throw refused(TURN_ERRORS.sessionClosed, 'the session does not exist');
    if (session.archivedAt && session.archiveKey && session.archiveSha256) {
      return {
        sessionId,
        key: session.archiveKey,
        size: Number(session.archiveSize),
        sha256: session.archiveSha256,
        alreadyArchived: true,
      };
    }
    if (session.status !== 'ended')
      throw refused(TURN_ERRORS.archiveRefused, 'only an ended session is archived');
    const store = this.requireStore();
    const [messages, attachments] = await Promise.all([
      this.repository.messages(sessionId),
      this.repository.attachments(sessionId),
    ]);
    const archive = buildArchive(session, messages, attachments);
    const key = store.key(archiveName(session.userId, sessionId));
    await this.storage(() =>
      store.put(key, archive.body, 'application/gzip', { sha256: archive.sha256 }),
    );
    const there = await this.storage(() => store.head(key));
    if (!there || there.size !== archive.body.length) {
      throw ApplicationFailure.create({
        type: TURN_ERRORS.storageUnavailable,
        message: 'the archive is not in object storage after writing it',
      });
    }
    const record = { key, size: archive.body.length, sha256: archive.sha256 };
    const marked = await this.repository.transaction(async (manager) => {
      const locked = await this.repository.lockSession(manager, sessionId);
      if (!locked || locked.archivedAt) return false;
      await this.repository.markArchived(manager, sessionId, record);
      await recordEvent(manager, {
        aggregateType: 'session',
        aggregateId: sessionId,
        type: 'session.archived',
        payload: {
          sessionId,
          userId: session.userId,
          assistantId: session.assistantId,
          messages: messages.length,
          attachments: attachments.length,
          bytes: archive.body.length,
        },
      });
      return true;
    });
    return { sessionId, ...record, alreadyArchived: !marked };
  }

  async idleSessions(idleMinutes: number, limit: number): Promise<IdleSessions> {
    const [idle, unarchived] = await Promise.all([
      this.repository.idleSessions(idleMinutes, limit),
      this.repository.unarchivedSessions(limit),
    ]);
    return { idle, unarchived };
  }

  /** Ends a still-idle session without a recap (nobody's key is at hand) and says so. */
  endIdle(sessionId: string, idleMinutes: number): Promise<IdleEnd> {
    return this.repository.transaction(async (manager) => {
      const ended = await this.repository.endIfIdle(manager, sessionId, idleMinutes);
      if (!ended) {
        const session = await this.repository.findSession(sessionId, manager);
        return { ended: false, active: session?.status === 'active' };
      }
      await recordEvent(manager, {
        aggregateType: 'session',
        aggregateId: sessionId,
        type: 'session.ended',
        payload: {
          sessionId,
          userId: ended.userId,
          assistantId: ended.assistantId,
          promptVersionId: ended.promptVersionId,
          reason: 'idle',
          usage: { promptTokens: 0, completionTokens: 0 },
          turns: ended.turnCount,
        },
      });
      return { ended: true, active: false };
    });
  }

  /** The owner's download link; 404 for anyone else, 409 until the archive exists. */
  async link(userId: string, sessionId: string): Promise<ArchiveLink> {
    const session = await this.repository.findSession(sessionId);
    if (!session || session.userId !== userId) throw notFound('session');
    if (!session.archivedAt || !session.archiveKey || !session.archiveSha256) {
      throw new ApiException(
        HttpStatus.CONFLICT,
        'not_archived',
        session.status === 'ended'
          ? 'The session’s archive is being written; try again shortly'
          : 'The session is archived once it has ended',
      );
    }
    const store = this.store;
    if (!store) throw storageUnavailable();
    const seconds = this.config.archiving.urlTtlSeconds;
    const expiresAt = new Date(Date.now() + seconds * 1000).toISOString();
    return {
      url: await store.presignGet(session.archiveKey, seconds, `${sessionId}.jsonl.gz`),
      expiresAt,
      format: ARCHIVE_MEDIA,
      size: Number(session.archiveSize),
      sha256: session.archiveSha256,
      archivedAt: session.archivedAt.toISOString(),
    };
  }

  private requireStore(): ObjectStore {
    if (!this.store) {
      throw ApplicationFailure.create({
        type: TURN_ERRORS.storageUnavailable,
        message: 'object storage is not configured (S3_ENDPOINT)',
      });
    }
    return this.store;
  }

  /** A storage failure is retryable: Temporal tries again until the store is back. */
  private async storage<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw ApplicationFailure.create({
        type: TURN_ERRORS.storageUnavailable,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
