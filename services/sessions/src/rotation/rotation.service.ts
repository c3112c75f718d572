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
  CALL_MEMO_PREFIX,
  ROTATION_ERRORS,
  rotateDataKeyWorkflowId,
  type ResealBatchInput,
  type ResealBatchResult,
  type RotationActivities,
  type RotationRef,
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
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  archiveSessionWorkflowId,
  completionWorkflowId,
  labWorkflowId,
  sessionWorkflowId,
} from '@lab/workflows/ids';
import type { Redis } from 'ioredis';
import type { EntityManager } from 'typeorm';
import { REDIS } from '../config/redis.token';
import { buildArchive } from '../archives/archive-format';
import { OBJECT_STORE, type ObjectStore } from '../storage/object-store';
import { TemporalConnection } from '../turns/temporal';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';
import { type RotationProgress, RotationRepository } from './rotation.repository';

/** Below the workflow's heartbeat timeout for a batch (30 s). */
const HEARTBEAT_EVERY_MS = 5_000;

/**
 * Runs an activity's work heartbeating (through a lock wait, object storage, many deletes): an
 * activity whose worker died is retried within the heartbeat timeout, not the start-to-close one.
 */
async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
  }
}

/** gRPC's NOT_FOUND: an execution already deleted (a retried batch). */
const GRPC_NOT_FOUND = 5;

/** What the owner sees of a rotation. */
export interface RotationView {
  state: RotationProgress['state'] | 'paused';
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
    @Inject(REDIS) private readonly redis: Redis,
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

  /**
   * The rotation's progress; `paused` when it is not done and its workflow is no longer running
   * (its keys expired from the vault, or it was ended): a start with the keys resumes it from the
   * cursor.
   */
  async progress(userId: string, dataKey: Buffer): Promise<RotationView | null> {
    const toKeyId = dataKeyId(dataKey);
    const progress = await this.repository.progress(userId, toKeyId);
    if (!progress) return null;
    if (progress.state === 'running' && !(await this.workflowRunning(userId, toKeyId)))
      return { ...view(progress), state: 'paused' };
    return view(progress);
  }

  private async workflowRunning(userId: string, toKeyId: string): Promise<boolean> {
    const client = await this.temporal.client();
    try {
      const { status } = await client.workflow
        .getHandle(rotateDataKeyWorkflowId(userId, toKeyId))
        .describe();
      return status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  functions(): RotationActivities {
    return {
      resealSessionBatch: (input) => this.resealSessionBatch(input),
      forgetOldCopies: (input) => this.forgetOldCopies(input),
      finishRotation: (input) => this.repository.finish(input.userId, input.toKeyId),
    };
  }

  /**
   * Deletes the user's model-call memo entries (Redis: the session's and the exchanges' scopes),
   * and asks Temporal to delete the closed runs of the user's workflows: each session's and its
   * archive's (ids from the database, 50 to a query), and the stateless exchanges' (`lab:<user>:…`,
   * `completion:<user>:…`, sealed under keys derived from the data key). Running runs are left:
   * a session's was ended by its batch; one that started since is under the new key. Answers how
   * many closed runs were still listed, to be asked again until none is.
   */
  forgetOldCopies(input: RotationRef): Promise<{ remaining: number }> {
    return heartbeating(() => this.forget(input));
  }

  private async forget(input: RotationRef): Promise<{ remaining: number }> {
    const sessions = await this.repository.sessionIds(input.userId);
    await this.forgetCallMemos([
      labWorkflowId(input.userId, ''),
      completionWorkflowId(input.userId, ''),
      ...sessions.map(({ id }) => `${id}:`),
    ]);
    const queries = [
      `WorkflowId STARTS_WITH '${labWorkflowId(input.userId, '')}' OR WorkflowId STARTS_WITH '${completionWorkflowId(input.userId, '')}'`,
    ];
    for (let i = 0; i < sessions.length; i += 50) {
      const ids = sessions
        .slice(i, i + 50)
        .flatMap(({ id }) => [sessionWorkflowId(id), archiveSessionWorkflowId(id)]);
      queries.push(`WorkflowId IN (${ids.map((id) => `'${id}'`).join(', ')})`);
    }
    let remaining = 0;
    for (const query of queries) remaining += await this.forgetClosedHistories(query);
    // An active session's current run, ended by its batch, may not be listed at all yet: asked
    // by id (its own state is current).
    for (const { id } of sessions.filter((s) => s.status === 'active')) {
      const run = await this.currentRun(sessionWorkflowId(id));
      if (run && run.status !== 'RUNNING') {
        remaining += 1;
        await this.deleteRun(run);
      }
    }
    return { remaining };
  }

  resealSessionBatch(input: ResealBatchInput): Promise<ResealBatchResult> {
    return heartbeating(() => this.moveBatch(input));
  }

  private async moveBatch(input: ResealBatchInput): Promise<ResealBatchResult> {
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
   * Asks Temporal to delete the closed runs `query` lists (their histories hold values sealed
   * under the old data key, which it would open for as long as the namespace retains them);
   * answers how many were listed. Idempotent: a run already deleted is skipped. A run is taken
   * for running only when its own state says so (the list's status can be stale).
   */
  private async forgetClosedHistories(query: string): Promise<number> {
    const client = await this.temporal.client();
    let listed = 0;
    for await (const run of client.workflow.list({ query })) {
      // Visibility lags: a run it still calls running may have been ended by a batch just now.
      if (run.status.name === 'RUNNING' && (await this.stillRunning(run))) continue;
      listed += 1;
      await this.deleteRun(run);
    }
    return listed;
  }

  /** Deletes the memo entries under each scope prefix (SCAN, so Redis is never blocked). */
  private async forgetCallMemos(scopes: readonly string[]): Promise<void> {
    for (const scope of scopes) {
      const stream = this.redis.scanStream({ match: `${CALL_MEMO_PREFIX}${scope}*`, count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        if (keys.length > 0) await this.redis.unlink(...keys);
      }
    }
  }

  private async stillRunning(run: { workflowId: string; runId: string }): Promise<boolean> {
    const client = await this.temporal.client();
    try {
      const { status } = await client.workflow.getHandle(run.workflowId, run.runId).describe();
      return status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  private async currentRun(
    workflowId: string,
  ): Promise<{ workflowId: string; runId: string; status: string } | null> {
    const client = await this.temporal.client();
    try {
      const { runId, status } = await client.workflow.getHandle(workflowId).describe();
      return { workflowId, runId, status: status.name };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  private async deleteRun(run: { workflowId: string; runId: string }): Promise<void> {
    const client = await this.temporal.client();
    try {
      await client.workflowService.deleteWorkflowExecution({
        namespace: this.config.temporalNamespace,
        workflowExecution: { workflowId: run.workflowId, runId: run.runId },
      });
    } catch (error) {
      if ((error as { code?: number }).code !== GRPC_NOT_FOUND) throw error;
    }
  }

  /**
   * A running session workflow holds the pinned assistant and the thread sealed under the old
   * key: it is ended (while the session's row is still locked), and the session's next turn
   * starts a new one from the moved row, with the new key. Its history goes with the others'
   * (`forgetOldCopies`).
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
