/**
 * The `resealSessionBatch` activity of a key rotation (decision 0021): the next sessions of the
 * user, each moved from the old data key to the new in one transaction with the rotation's
 * cursor: its thread and recap, messages, turns' replies (their request HMAC dropped), stored
 * responses' envelopes (decision 0022),
 * attachment objects in S3 with their sealed names and keyed hashes (rows from before names were
 * sealed get sealed), and, for an archived session, its archive rebuilt from the moved rows and
 * written over the old one before the commit. A batch killed anywhere runs again from the cursor;
 * values already under the new key are left alone (SessionReseal), so nothing moves twice.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  ROTATION_ERRORS,
  rotateDataKeyWorkflowId,
  type ResealBatchInput,
  type ResealBatchResult,
  type RotationActivities,
} from '@lab/contracts';
import {
  DecryptionError,
  dataKeyId,
  holdRotationKeys,
  readRotationKeys,
  type RotationKeys,
  SessionReseal,
  TurnVault,
} from '@lab/platform';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { sessionWorkflowId } from '@lab/workflows/ids';
import type { EntityManager } from 'typeorm';
import { buildArchive } from '../archives/archive-format';
import { OBJECT_STORE, type ObjectStore } from '../storage/object-store';
import { TemporalConnection } from '../turns/temporal';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';
import { type RotationProgress, RotationRepository } from './rotation.repository';

/** What the owner sees of a rotation. */
export interface RotationView {
  state: RotationProgress['state'];
  done: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
}

const view = (progress: RotationProgress): RotationView => ({
  state: progress.state,
  done: progress.done,
  total: progress.total,
  startedAt: progress.startedAt.toISOString(),
  finishedAt: progress.finishedAt?.toISOString() ?? null,
});

/** The vault entry a rotation's batches read: one per rotation, refreshed by a repeated start. */
export const rotationKeysRef = (userId: string, toKeyId: string) =>
  `rotation-keys:${userId}:${toKeyId}`;

@Injectable()
export class RotationService {
  constructor(
    private readonly repository: RotationRepository,
    private readonly vault: TurnVault,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore | null,
    private readonly temporal: TemporalConnection,
    @Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig,
  ) {}

  /**
   * Starts the rotation from `keys.from` to `keys.to`, or finds it started (the workflow id is
   * the user's and the target key's): the keys are left (again) in the vault for its batches.
   */
  async start(userId: string, keys: RotationKeys): Promise<RotationView> {
    const toKeyId = dataKeyId(keys.to);
    const keysRef = await holdRotationKeys(this.vault, keys, rotationKeysRef(userId, toKeyId));
    const progress = await this.repository.start(userId, toKeyId);
    if (progress.state !== 'done') {
      const client = await this.temporal.client();
      await client.workflow.start('rotateDataKey', {
        taskQueue: this.config.sessionsTaskQueue,
        workflowId: rotateDataKeyWorkflowId(userId, toKeyId),
        args: [{ userId, toKeyId, keysRef }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    }
    return view(progress);
  }

  async progress(userId: string, dataKey: Buffer): Promise<RotationView | null> {
    const progress = await this.repository.progress(userId, dataKeyId(dataKey));
    return progress ? view(progress) : null;
  }

  functions(): RotationActivities {
    return { resealSessionBatch: (input) => this.resealSessionBatch(input) };
  }

  async resealSessionBatch(input: ResealBatchInput): Promise<ResealBatchResult> {
    const keys = await this.keys(input);
    const progress = await this.repository.start(input.userId, input.toKeyId);
    if (progress.state === 'done') return { ...progress, finished: true };
    const sessions = await this.repository.nextSessions(input.userId, progress.cursor, input.limit);
    for (const sessionId of sessions) {
      await this.repository.transaction(async (manager) => {
        await this.moveSession(manager, keys, input.toKeyId, sessionId);
        await this.repository.advance(manager, input.userId, input.toKeyId, sessionId);
      });
    }
    const finished = sessions.length < input.limit;
    if (finished) await this.repository.finish(input.userId, input.toKeyId);
    const after = await this.repository.progress(input.userId, input.toKeyId);
    return { done: after?.done ?? 0, total: after?.total ?? 0, finished };
  }

  /** Both keys from the vault, checked against the rotation's target. */
  private async keys(input: ResealBatchInput): Promise<RotationKeys> {
    const keys = await readRotationKeys(this.vault, input.keysRef);
    if (!keys) {
      throw ApplicationFailure.create({
        type: ROTATION_ERRORS.keysUnavailable,
        message: 'the rotation keys are no longer in the vault',
        nonRetryable: true,
      });
    }
    if (dataKeyId(keys.to) !== input.toKeyId) {
      throw ApplicationFailure.create({
        type: ROTATION_ERRORS.keysUnavailable,
        message: 'the vault entry holds another target key',
        nonRetryable: true,
      });
    }
    return keys;
  }

  private async moveSession(
    manager: EntityManager,
    keys: RotationKeys,
    toKeyId: string,
    sessionId: string,
  ): Promise<void> {
    const session = await this.repository.lockSession(manager, sessionId);
    if (!session || session.dataKeyId === toKeyId) return;
    const reseal = new SessionReseal(keys.from, keys.to, sessionId);
    const unreadable = (what: string) => (error: unknown) => {
      if (!(error instanceof DecryptionError)) throw error;
      throw ApplicationFailure.create({
        type: ROTATION_ERRORS.unreadable,
        message: `${what} of a session opens with neither data key`,
        nonRetryable: true,
      });
    };
    const open = <T>(what: string, step: () => T): T => {
      try {
        return step();
      } catch (error) {
        return unreadable(what)(error);
      }
    };

    for (const message of await this.repository.messages(manager, sessionId)) {
      const moved = open('a message', () => reseal.text('message', message.content));
      if (moved.changed) await this.repository.saveMessage(manager, message.id, moved.value);
      message.content = moved.value;
    }
    for (const turn of await this.repository.turns(manager, sessionId)) {
      const moved = open('a turn', () => reseal.text('message', turn.reply));
      if (moved.changed || turn.requestHash !== null)
        await this.repository.saveTurn(manager, turn, moved.value);
    }
    for (const response of await this.repository.responses(manager, sessionId)) {
      const moved = open('a stored response', () => reseal.text('response', response.envelope));
      if (moved.changed) await this.repository.saveResponse(manager, response.id, moved.value);
    }
    const attachments = await this.repository.attachments(manager, sessionId);
    if (attachments.length > 0 && !this.store) {
      throw ApplicationFailure.create({
        type: 'StorageUnavailable',
        message: 'the session has attachments and no object storage is configured',
      });
    }
    for (const attachment of attachments) {
      const store = this.store as ObjectStore;
      const sealed = await store.get(attachment.objectKey);
      const file = open('an attachment', () => reseal.file(sealed, attachment.id));
      if (file.changed)
        await store.put(attachment.objectKey, file.value, 'application/octet-stream');
      const record = open('an attachment name', () =>
        reseal.attachment(attachment, file.plaintext),
      );
      if (record.changed)
        await this.repository.saveAttachment(manager, attachment.id, record.value);
      Object.assign(attachment, record.value);
    }
    const payload = open('the thread', () => reseal.text('payload', session.payload)).value;
    const recap =
      session.recap === null
        ? null
        : open('the recap', () => reseal.text('recap', session.recap as string)).value;
    let archive: { archiveSize: string; archiveSha256: string } | undefined;
    if (session.archiveKey && this.store) {
      const messages = await this.repository.messages(manager, sessionId);
      const built = buildArchive({ ...session, payload, recap }, messages, attachments);
      await this.store.put(session.archiveKey, built.body, 'application/gzip', {
        sha256: built.sha256,
      });
      archive = { archiveSize: String(built.body.length), archiveSha256: built.sha256 };
    }
    await this.repository.saveSession(manager, sessionId, {
      payload,
      recap,
      dataKeyId: toKeyId,
      ...archive,
    });
    if (session.status === 'active') await this.dropSessionWorkflow(sessionId);
  }

  /**
   * A running session workflow holds the pinned assistant and the thread sealed under the old
   * key: it is ended (while the session's row is still locked), and the session's next turn
   * starts a new one from the moved row, with the new key.
   */
  private async dropSessionWorkflow(sessionId: string): Promise<void> {
    const client = await this.temporal.client();
    try {
      await client.workflow
        .getHandle(sessionWorkflowId(sessionId))
        .terminate('the data key was rotated: the next turn restarts from the stored session');
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
}
