/** Data access for key rotations: a rotation's progress row and the rows a session moves. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { StoredResponseEntity } from '../responses/entities/stored-response.entity';
import { AttachmentEntity } from '../sessions/entities/attachment.entity';
import { MessageEntity } from '../sessions/entities/message.entity';
import { SessionEntity, type SessionStatus } from '../sessions/entities/session.entity';
import { TurnEntity } from '../sessions/entities/turn.entity';

export interface RotationProgress {
  state: 'running' | 'done';
  done: number;
  total: number;
  cursor: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

interface ProgressRow {
  state: 'running' | 'done';
  done: number;
  total: number;
  cursor: string | null;
  started_at: Date;
  finished_at: Date | null;
}

const progressOf = (row: ProgressRow): RotationProgress => ({
  state: row.state,
  done: row.done,
  total: row.total,
  cursor: row.cursor,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
});

@Injectable()
export class RotationRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** The rotation's row, made on its first batch with the number of sessions to move. */
  async start(userId: string, toKeyId: string): Promise<RotationProgress> {
    await this.db.query(
      `insert into key_rotations (user_id, to_key_id, total)
       select $1, $2, count(*)::int from sessions where user_id = $1
       on conflict (user_id, to_key_id) do nothing`,
      [userId, toKeyId],
    );
    const progress = await this.progress(userId, toKeyId);
    if (!progress) throw new Error('the rotation row vanished');
    return progress;
  }

  async progress(userId: string, toKeyId: string): Promise<RotationProgress | null> {
    const rows = await this.db.query<ProgressRow[]>(
      `select state, done, total, cursor, started_at, finished_at
       from key_rotations where user_id = $1 and to_key_id = $2`,
      [userId, toKeyId],
    );
    return rows[0] ? progressOf(rows[0]) : null;
  }

  /** The next sessions of the user after the cursor, by id. */
  async nextSessions(userId: string, cursor: string | null, limit: number): Promise<string[]> {
    const rows = await this.db.query<Array<{ id: string }>>(
      `select id from sessions where user_id = $1 and ($2::uuid is null or id > $2::uuid)
       order by id limit $3`,
      [userId, cursor, limit],
    );
    return rows.map((row) => row.id);
  }

  /** Every session of the user (their workflows' histories are forgotten by id). */
  sessionIds(userId: string): Promise<Array<{ id: string; status: SessionStatus }>> {
    return this.db.query(`select id, status from sessions where user_id = $1 order by id`, [
      userId,
    ]);
  }

  lockSession(manager: EntityManager, id: string): Promise<SessionEntity | null> {
    return manager.findOne(SessionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  messages(manager: EntityManager, sessionId: string): Promise<MessageEntity[]> {
    return manager.find(MessageEntity, { where: { sessionId }, order: { position: 'ASC' } });
  }

  turns(manager: EntityManager, sessionId: string): Promise<TurnEntity[]> {
    return manager.find(TurnEntity, { where: { sessionId } });
  }

  attachments(manager: EntityManager, sessionId: string): Promise<AttachmentEntity[]> {
    return manager.find(AttachmentEntity, {
      where: { sessionId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  responses(manager: EntityManager, sessionId: string): Promise<StoredResponseEntity[]> {
    return manager.find(StoredResponseEntity, { where: { sessionId } });
  }

  async saveResponse(manager: EntityManager, id: string, envelope: string): Promise<void> {
    await manager.update(StoredResponseEntity, { id }, { envelope });
  }

  async saveMessage(manager: EntityManager, id: string, content: string): Promise<void> {
    await manager.update(MessageEntity, { id }, { content });
  }

  /** A turn's reply under the new key; its request HMAC (under the old key) dropped. */
  async saveTurn(manager: EntityManager, turn: TurnEntity, reply: string): Promise<void> {
    await manager.update(
      TurnEntity,
      { sessionId: turn.sessionId, turnId: turn.turnId },
      { reply, requestHash: null },
    );
  }

  async saveAttachment(
    manager: EntityManager,
    id: string,
    record: { meta: string; mac: string },
  ): Promise<void> {
    await manager.update(AttachmentEntity, { id }, record);
  }

  async saveSession(
    manager: EntityManager,
    id: string,
    fields: Pick<SessionEntity, 'payload' | 'recap' | 'dataKeyId'> &
      Partial<Pick<SessionEntity, 'archiveSize' | 'archiveSha256'>>,
  ): Promise<void> {
    await manager.update(SessionEntity, { id }, fields);
  }

  /** One more session moved: the cursor passes it (in the session's own transaction). */
  async advance(
    manager: EntityManager,
    userId: string,
    toKeyId: string,
    sessionId: string,
  ): Promise<void> {
    await manager.query(
      `update key_rotations set done = done + 1, total = greatest(total, done + 1), cursor = $3
       where user_id = $1 and to_key_id = $2`,
      [userId, toKeyId, sessionId],
    );
  }

  async finish(userId: string, toKeyId: string): Promise<void> {
    await this.db.query(
      `update key_rotations set state = 'done', finished_at = coalesce(finished_at, now())
       where user_id = $1 and to_key_id = $2`,
      [userId, toKeyId],
    );
  }
}
